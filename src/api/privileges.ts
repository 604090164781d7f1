import { Type } from 'typebox';
import type { Subject } from '../domain/onezone-privileges.js';
import { IdParam, NoContent, OnezonePrivilegeList } from './schemas.js';
import type { Routes } from './types.js';

const Privileges = Type.Object({ privileges: OnezonePrivilegeList });

/**
 * `/privileges…`: Onezone (zone-wide) privileges of users and groups. The swagger's paths and
 * methods (`PATCH`, `/privileges/group/{id}`) are the documented ones; the 2016 server's `PUT`
 * and plural `/privileges/groups/{id}` are served too, as hidden aliases.
 */
export const privilegeRoutes: Routes = (app, { onezonePrivileges }) => {
  const tags = ['Privileges'];

  const serve = (subject: Subject, path: string, ids: { get: string; set: string; remove: string } | undefined) => {
    const meta = (operationId: string | undefined) => (operationId ? { operationId, tags } : { tags, hide: true });

    app.get(path, { schema: { ...meta(ids?.get), params: IdParam, response: { 200: Privileges } } }, async (req) => ({
      privileges: await onezonePrivileges.get(req.actor, subject, req.params.id),
    }));

    for (const method of ['PATCH', 'PUT'] as const) {
      app.route({
        method,
        url: path,
        schema: { ...meta(method === 'PATCH' ? ids?.set : undefined), params: IdParam, body: Privileges, response: { 200: NoContent('The privileges are replaced.') } },
        handler: async (req, reply) => {
          await onezonePrivileges.set(req.actor, subject, req.params.id, req.body.privileges);
          return reply.code(200).send();
        },
      });
    }

    app.delete(path, { schema: { ...meta(ids?.remove), params: IdParam, response: { 200: NoContent('The privileges are removed.') } } }, async (req, reply) => {
      await onezonePrivileges.remove(req.actor, subject, req.params.id);
      return reply.code(200).send();
    });
  };

  serve('user', '/privileges/users/:id', {
    get: 'get_user_onezone_privileges',
    set: 'set_user_onezone_privileges',
    remove: 'remove_user_onezone_privileges',
  });
  serve('group', '/privileges/group/:id', {
    get: 'get_group_onezone_privileges',
    set: 'set_group_onezone_privileges',
    remove: 'remove_group_onezone_privileges',
  });
  serve('group', '/privileges/groups/:id', undefined);
};
