import { Type } from 'typebox';
import { presentSpace } from './presenters.js';
import { Created, Id, IdList, IdParam, Name, NoContent, Space, TokenBody, TokenRequest } from './schemas.js';
import { type Routes, asUser } from './types.js';

const SpaceParams = Type.Object({ id: Id, sid: Id });

/** `/groups/{id}/spaces…`: the spaces a group belongs to. */
export const groupSpaceRoutes: Routes = (app, { groupSpaces, support }) => {
  const tags = ['Group'];

  app.get(
    '/groups/:id/spaces',
    { schema: { operationId: 'get_group_spaces', tags, params: IdParam, response: { 200: IdList('spaces') } } },
    async (req) => ({ spaces: await groupSpaces.list(req.actor, req.params.id) }),
  );

  app.post(
    '/groups/:id/spaces',
    {
      schema: {
        operationId: 'create_space_for_group',
        tags,
        params: IdParam,
        body: Type.Object({ name: Name }),
        response: { 201: Created('Space created, with the group as a member.', '`/spaces/{id}`: the new space.') },
      },
    },
    async (req, reply) => {
      const sid = await groupSpaces.create(asUser(req.actor), req.params.id, req.body.name);
      return reply.code(201).header('location', `/spaces/${sid}`).send();
    },
  );

  // The swagger's Location form (`/spaces/{id}`, the joined space), not the 2016 server's
  // `/groups/{id}/spaces/{sid}`; see docs/compatibility.md.
  app.post(
    '/groups/:id/spaces/join',
    {
      schema: {
        operationId: 'group_join_space',
        tags,
        params: IdParam,
        body: TokenRequest,
        response: { 201: Created('The group joined the space (or already belonged to it).', '`/spaces/{id}`: the joined space.') },
      },
    },
    async (req, reply) => {
      const sid = await groupSpaces.join(asUser(req.actor), req.params.id, req.body.token);
      return reply.code(201).header('location', `/spaces/${sid}`).send();
    },
  );

  // It mints a token: no HEAD route, which would mint one nobody receives (HEAD gets 405).
  app.get(
    '/groups/:id/spaces/token',
    { exposeHeadRoute: false, schema: { operationId: 'create_group_spaces_token', tags, params: IdParam, response: { 200: TokenBody } } },
    async (req) => ({ token: await groupSpaces.createToken(asUser(req.actor), req.params.id) }),
  );

  app.get(
    '/groups/:id/spaces/:sid',
    { schema: { operationId: 'get_group_space', tags, params: SpaceParams, response: { 200: Space } } },
    async (req) => presentSpace(await groupSpaces.get(req.actor, req.params.id, req.params.sid), await support.supportsOf(req.params.sid)),
  );

  app.delete(
    '/groups/:id/spaces/:sid',
    { schema: { operationId: 'remove_group_from_space', tags, params: SpaceParams, response: { 202: NoContent('The group left the space. Done when this answer is sent.') } } },
    async (req, reply) => {
      await groupSpaces.leave(req.actor, req.params.id, req.params.sid);
      return reply.code(202).send();
    },
  );
};
