import type { Static } from 'typebox';
import { Type } from 'typebox';
import type { InviteOptions } from '../domain/spaces.js';
import { groupPrivileges } from '../domain/privileges.js';
import { presentGroup, presentMember } from './presenters.js';
import {
  Created,
  Group,
  GroupInviteOptionsBody,
  GroupPrivilegeList,
  GroupType,
  Id,
  IdList,
  IdParam,
  Name,
  NoContent,
  TokenBody,
  TokenRequest,
  UserDetails,
} from './schemas.js';
import { type Routes, asUser } from './types.js';

const UserParams = Type.Object({ id: Id, uid: Id });
const ParentParams = Type.Object({ id: Id, pid: Id });
const NestedParams = Type.Object({ id: Id, nid: Id });
const PrivilegesBody = Type.Object({ privileges: GroupPrivilegeList });
/** RC2's 202 for removals; ours are done by the time the answer is sent. */
const removed = (what: string) => NoContent(`${what} Done when this answer is sent.`);

const inviteOptions = (body: Static<typeof GroupInviteOptionsBody> | undefined): InviteOptions => ({
  usageLimit: body?.usageLimit === 'infinity' ? null : body?.usageLimit,
  ttl: body?.ttl,
  privileges: body?.privileges ? groupPrivileges.toMask(body.privileges) : null,
});

/** `/groups…`: groups by id, their users, parents and subgroups (users only). */
export const groupRoutes: Routes = (app, { groups }) => {
  const tags = ['Group'];
  const invite = { tags: ['Extensions'], params: IdParam, body: Type.Optional(GroupInviteOptionsBody), response: { 200: TokenBody } };

  app.post(
    '/groups',
    { schema: { operationId: 'create_group', tags, body: Type.Object({ name: Name, type: GroupType }), response: { 201: Created('Group created.', '`/groups/{id}`: the new group.') } } },
    async (req, reply) => {
      const id = await groups.create(asUser(req.actor), req.body.name, req.body.type);
      return reply.code(201).header('location', `/groups/${id}`).send();
    },
  );

  app.get('/groups/:id', { schema: { operationId: 'get_group', tags, params: IdParam, response: { 200: Group } } }, async (req) =>
    presentGroup(await groups.get(req.actor, req.params.id)),
  );

  app.patch(
    '/groups/:id',
    {
      schema: {
        operationId: 'modify_group',
        tags,
        params: IdParam,
        body: Type.Object({ name: Type.Optional(Name), type: Type.Optional(GroupType) }),
        response: { 204: NoContent('The group is changed.') },
      },
    },
    async (req, reply) => {
      await groups.modify(req.actor, req.params.id, req.body);
      return reply.code(204).send();
    },
  );

  app.delete('/groups/:id', { schema: { operationId: 'remove_group', tags, params: IdParam, response: { 202: removed('The group is removed.') } } }, async (req, reply) => {
    await groups.remove(req.actor, req.params.id);
    return reply.code(202).send();
  });

  app.get(
    '/groups/:id/effective_users',
    { schema: { operationId: 'get_group_effective_users', tags, params: IdParam, response: { 200: IdList('users') } } },
    async (req) => ({ users: await groups.effectiveUsers(req.actor, req.params.id) }),
  );

  app.get(
    '/groups/:id/effective_users/:uid',
    { schema: { operationId: 'get_groups_effective_user', tags, params: UserParams, response: { 200: UserDetails } } },
    async (req) => presentMember(await groups.effectiveUser(req.actor, req.params.id, req.params.uid)),
  );

  app.get(
    '/groups/:id/effective_users/:uid/privileges',
    { schema: { operationId: 'get_groups_user_privileges', tags, params: UserParams, response: { 200: PrivilegesBody } } },
    async (req) => ({ privileges: await groups.effectiveUserPrivileges(req.actor, req.params.id, req.params.uid) }),
  );

  app.get(
    '/groups/:id/users',
    { schema: { operationId: 'get_group_users', tags, params: IdParam, response: { 200: IdList('users') } } },
    async (req) => ({ users: await groups.users(req.actor, req.params.id) }),
  );

  // It mints a token: no HEAD route, which would mint one nobody receives (HEAD gets 405).
  app.get(
    '/groups/:id/users/token',
    { exposeHeadRoute: false, schema: { operationId: 'create_user_group_invite_token', tags, params: IdParam, response: { 200: TokenBody } } },
    async (req) => ({ token: await groups.inviteUser(asUser(req.actor), req.params.id) }),
  );

  // Extension: the same invite with a usage limit, lifetime and privileges of the caller's choosing.
  app.post('/groups/:id/users/token', { schema: { operationId: 'create_group_user_invite_token', ...invite } }, async (req) => ({
    token: await groups.inviteUser(asUser(req.actor), req.params.id, inviteOptions(req.body)),
  }));

  app.get(
    '/groups/:id/users/:uid',
    { schema: { operationId: 'get_group_user', tags, params: UserParams, response: { 200: UserDetails } } },
    async (req) => presentMember(await groups.user(req.actor, req.params.id, req.params.uid)),
  );

  const userRemoved = { 202: removed('The user is removed from the group.') };
  app.delete('/groups/:id/users/:uid', { schema: { operationId: 'remove_group_user', tags, params: UserParams, response: userRemoved } }, async (req, reply) => {
    await groups.removeUser(req.actor, req.params.id, req.params.uid);
    return reply.code(202).send();
  });

  app.get(
    '/groups/:id/users/:uid/privileges',
    { schema: { operationId: 'get_group_user_privileges', tags, params: UserParams, response: { 200: PrivilegesBody } } },
    async (req) => ({ privileges: await groups.userPrivileges(req.actor, req.params.id, req.params.uid) }),
  );

  app.put(
    '/groups/:id/users/:uid/privileges',
    { schema: { operationId: 'set_user_group_privileges', tags, params: UserParams, body: PrivilegesBody, response: { 200: NoContent('The privileges are replaced.') } } },
    async (req, reply) => {
      await groups.setUserPrivileges(req.actor, req.params.id, req.params.uid, req.body.privileges);
      return reply.code(200).send();
    },
  );

  app.get(
    '/groups/:id/parent',
    { schema: { operationId: 'get_parent_groups', tags, params: IdParam, response: { 200: IdList('parent_groups') } } },
    async (req) => ({ parent_groups: await groups.parents(req.actor, req.params.id) }),
  );

  app.get(
    '/groups/:id/parent/:pid',
    { schema: { operationId: 'get_parent_group', tags, params: ParentParams, response: { 200: Group } } },
    async (req) => presentGroup(await groups.parent(req.actor, req.params.id, req.params.pid)),
  );

  app.get(
    '/groups/:id/nested',
    { schema: { operationId: 'get_nested_groups', tags, params: IdParam, response: { 200: IdList('nested_groups') } } },
    async (req) => ({ nested_groups: await groups.nested(req.actor, req.params.id) }),
  );

  // It mints a token: no HEAD route, which would mint one nobody receives (HEAD gets 405).
  app.get(
    '/groups/:id/nested/token',
    { exposeHeadRoute: false, schema: { operationId: 'get_nested_group_token', tags, params: IdParam, response: { 200: TokenBody } } },
    async (req) => ({ token: await groups.inviteGroup(asUser(req.actor), req.params.id) }),
  );

  // Extension: as POST /groups/{id}/users/token, for subgroup invites.
  app.post('/groups/:id/nested/token', { schema: { operationId: 'create_subgroup_invite_token', ...invite } }, async (req) => ({
    token: await groups.inviteGroup(asUser(req.actor), req.params.id, inviteOptions(req.body)),
  }));

  // `{id}` is the child joining the token's group. Location as the 2016 server and its clients had it
  // (the swagger's `/groups/{id}` does not say which id; see docs/compatibility.md).
  app.post(
    '/groups/:id/nested/join',
    {
      schema: {
        operationId: 'join_nested_group',
        tags,
        params: IdParam,
        body: TokenRequest,
        response: { 201: Created('The group joined (or already belonged to) the parent group.', '`/groups/{id}/nested/{parentId}`: `{id}` is the joining group, `{parentId}` the group it joined.') },
      },
    },
    async (req, reply) => {
      const parentId = await groups.joinNested(asUser(req.actor), req.params.id, req.body.token);
      return reply.code(201).header('location', `/groups/${req.params.id}/nested/${parentId}`).send();
    },
  );

  app.get(
    '/groups/:id/nested/:nid',
    { schema: { operationId: 'get_nested_group', tags, params: NestedParams, response: { 200: Group } } },
    async (req) => presentGroup(await groups.nestedGroup(req.actor, req.params.id, req.params.nid)),
  );

  const nestedRemoved = { 202: removed('The subgroup is removed from the group.') };
  app.delete('/groups/:id/nested/:nid', { schema: { operationId: 'delete_nested_group', tags, params: NestedParams, response: nestedRemoved } }, async (req, reply) => {
    await groups.removeNested(req.actor, req.params.id, req.params.nid);
    return reply.code(202).send();
  });

  app.get(
    '/groups/:id/nested/:nid/privileges',
    { schema: { operationId: 'get_nested_group_privileges', tags, params: NestedParams, response: { 200: PrivilegesBody } } },
    async (req) => ({ privileges: await groups.nestedPrivileges(req.actor, req.params.id, req.params.nid) }),
  );

  app.put(
    '/groups/:id/nested/:nid/privileges',
    { schema: { operationId: 'set_group_nested_privileges', tags, params: NestedParams, body: PrivilegesBody, response: { 200: NoContent('The privileges are replaced.') } } },
    async (req, reply) => {
      await groups.setNestedPrivileges(req.actor, req.params.id, req.params.nid, req.body.privileges);
      return reply.code(200).send();
    },
  );
};
