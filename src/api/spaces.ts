import { Type } from 'typebox';
import { spacePrivileges } from '../domain/privileges.js';
import { presentSpace } from './presenters.js';
import { IdList, IdParam, InviteOptionsBody, Name, Space, TokenBody } from './schemas.js';
import { type Routes, asUser } from './types.js';

/** `/spaces…`: spaces by id. */
export const spaceRoutes: Routes = (app, { spaces }) => {
  const tags = ['Space'];

  app.post(
    '/spaces',
    { schema: { operationId: 'create_space', tags, body: Type.Object({ name: Name }) } },
    async (req, reply) => {
      const id = await spaces.create(asUser(req.actor), req.body.name);
      return reply.code(201).header('location', `/spaces/${id}`).send();
    },
  );

  app.get('/spaces/:id', { schema: { operationId: 'get_space', tags, params: IdParam, response: { 200: Space } } }, async (req) =>
    presentSpace(await spaces.get(req.actor, req.params.id)),
  );

  app.get(
    '/spaces/:id/users',
    { schema: { operationId: 'get_space_users', tags, params: IdParam, response: { 200: IdList('users') } } },
    async (req) => ({ users: await spaces.users(req.actor, req.params.id) }),
  );

  app.get(
    '/spaces/:id/users/token',
    { schema: { operationId: 'get_space_user_token', tags, params: IdParam, response: { 200: TokenBody } } },
    async (req) => ({ token: await spaces.inviteUser(asUser(req.actor), req.params.id) }),
  );

  // Extension: the same invite with a usage limit, lifetime and privileges of the caller's choosing.
  app.post(
    '/spaces/:id/users/token',
    {
      schema: {
        operationId: 'create_space_user_invite_token',
        tags: ['Extensions'],
        params: IdParam,
        body: Type.Optional(InviteOptionsBody),
        response: { 200: TokenBody },
      },
    },
    async (req) => {
      const body = req.body ?? {};
      const token = await spaces.inviteUser(asUser(req.actor), req.params.id, {
        usageLimit: body.usageLimit === 'infinity' ? null : body.usageLimit,
        ttl: body.ttl,
        privileges: body.privileges ? spacePrivileges.toMask(body.privileges) : null,
      });
      return { token };
    },
  );
};
