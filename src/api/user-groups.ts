import { Type } from 'typebox';
import { presentGroup } from './presenters.js';
import { Created, Group, GroupType, Id, IdList, Name, NoContent, TokenRequest } from './schemas.js';
import { type Routes, asUser } from './types.js';

const GidParam = Type.Object({ gid: Id });

/** `/user/groups…`: the authenticated user's own groups. */
export const userGroupRoutes: Routes = (app, { groups }) => {
  const tags = ['User'];

  app.get('/user/groups', { schema: { operationId: 'get_user_groups', tags, response: { 200: IdList('groups') } } }, async (req) => ({
    groups: await groups.listOfUser(asUser(req.actor)),
  }));

  app.post(
    '/user/groups',
    {
      schema: {
        operationId: 'create_group_for_user',
        tags,
        body: Type.Object({ name: Name, type: GroupType }),
        response: { 201: Created('Group created.', '`/user/groups/{id}`: the new group.') },
      },
    },
    async (req, reply) => {
      const id = await groups.create(asUser(req.actor), req.body.name, req.body.type);
      return reply.code(201).header('location', `/user/groups/${id}`).send();
    },
  );

  const joined = { 201: Created('Joined the group (or already a member).', '`/user/groups/{id}`: the joined group.') };
  app.post('/user/groups/join', { schema: { operationId: 'join_group', tags, body: TokenRequest, response: joined } }, async (req, reply) => {
    const id = await groups.join(asUser(req.actor), req.body.token);
    return reply.code(201).header('location', `/user/groups/${id}`).send();
  });

  app.get(
    '/user/groups/:gid',
    { schema: { operationId: 'get_user_group', tags, params: GidParam, response: { 200: Group } } },
    async (req) => presentGroup(await groups.getOfUser(asUser(req.actor), req.params.gid)),
  );

  app.delete('/user/groups/:gid', { schema: { operationId: 'leave_group', tags, params: GidParam, response: { 200: NoContent('Left the group.') } } }, async (req, reply) => {
    await groups.leave(asUser(req.actor), req.params.gid);
    return reply.code(200).send();
  });

  // The 2016 server's undocumented route: every group the user belongs to at any depth.
  app.get(
    '/user/effective_groups',
    { schema: { operationId: 'get_user_effective_groups', tags: ['Extensions'], response: { 200: IdList('effective_groups') } } },
    async (req) => ({ effective_groups: await groups.effectiveOfUser(asUser(req.actor)) }),
  );
};
