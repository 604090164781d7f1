import { Type } from 'typebox';
import type { InviteOptions } from '../domain/spaces.js';
import { spacePrivileges } from '../domain/privileges.js';
import { presentGroup, presentMember, presentSpace } from './presenters.js';
import {
  Created,
  Group,
  Id,
  IdList,
  IdParam,
  InviteOptionsBody,
  Name,
  NoContent,
  Space,
  SpacePrivilegeList,
  TokenBody,
  UserDetails,
} from './schemas.js';
import { type Routes, asUser } from './types.js';
import { ProviderSpaceBody } from './provider-schemas.js';

const UserParams = Type.Object({ id: Id, uid: Id });
const GroupParams = Type.Object({ id: Id, gid: Id });
const Privileges = Type.Object({ privileges: SpacePrivilegeList });
// Not `Id`: an id no user or group can have is answered as an unknown one, 404.
const MemberId = Type.String({ maxLength: 256, description: 'A 43-character base64url id.' });

/** Body of the invite POST extensions -> service options. */
const inviteOptions = (body: { usageLimit?: number | 'infinity'; ttl?: number; privileges?: typeof spacePrivileges.names } = {}): InviteOptions => ({
  usageLimit: body.usageLimit === 'infinity' ? null : body.usageLimit,
  ttl: body.ttl,
  privileges: body.privileges ? spacePrivileges.toMask(body.privileges) : null,
});

/** `/spaces…`: spaces by id, their users and groups. */
export const spaceRoutes: Routes = (app, { spaces, spaceMembers, support }) => {
  const tags = ['Space'];

  app.get('/spaces', { schema: { operationId: 'get_spaces', tags, response: { 200: IdList('spaces') } } }, async (req) => ({
    spaces: await spaces.list(req.actor),
  }));

  app.post(
    '/spaces',
    {
      config: { auth: 'any' },
      schema: { operationId: 'create_space', tags, body: ProviderSpaceBody, response: { 201: Created('Space created.', '`/spaces/{id}`: the new space.') } },
    },
    async (req, reply) => {
      // A provider creates a space for the user or group named by a space-creation token.
      const id = req.actor.kind === 'provider' ? await support.createSpace(req.actor, req.body) : await spaces.create(asUser(req.actor), req.body.name);
      return reply.code(201).header('location', `/spaces/${id}`).send();
    },
  );

  app.get('/spaces/:id', { config: { auth: 'any' }, schema: { operationId: 'get_space', tags, params: IdParam, response: { 200: Space } } }, async (req) =>
    presentSpace(await spaces.get(req.actor, req.params.id), await support.supportsOf(req.params.id)),
  );

  app.patch(
    '/spaces/:id',
    { schema: { operationId: 'modify_space', tags, params: IdParam, body: Type.Object({ name: Name }), response: { 204: NoContent('The space is renamed.') } } },
    async (req, reply) => {
      await spaces.rename(req.actor, req.params.id, req.body.name);
      return reply.code(204).send();
    },
  );

  const removed = { 200: NoContent('The space is removed.') };
  app.delete('/spaces/:id', { schema: { operationId: 'remove_space', tags, params: IdParam, response: removed } }, async (req, reply) => {
    await spaces.remove(req.actor, req.params.id);
    return reply.code(200).send();
  });

  app.get(
    '/spaces/:id/users',
    {
      config: { auth: 'any' },
      schema: {
        operationId: 'get_space_users',
        tags,
        params: IdParam,
        querystring: Type.Object({
          effective: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')], { description: 'Also users reaching the space through groups.' })),
        }),
        response: { 200: IdList('users') },
      },
    },
    async (req) => ({ users: await spaceMembers.users(req.actor, req.params.id, req.query.effective === 'true') }),
  );

  app.put(
    '/spaces/:id/users',
    {
      schema: {
        operationId: 'add_user_to_space',
        tags,
        params: IdParam,
        body: Type.Object({ userId: MemberId }),
        response: { 204: NoContent('The user is a member of the space (already a member: privileges unchanged).') },
      },
    },
    async (req, reply) => {
      await spaceMembers.addUser(req.actor, req.params.id, req.body.userId);
      return reply.code(204).send();
    },
  );

  // It mints a token: no HEAD route, which would mint one nobody receives (HEAD gets 405).
  app.get(
    '/spaces/:id/users/token',
    { exposeHeadRoute: false, schema: { operationId: 'get_space_user_token', tags, params: IdParam, response: { 200: TokenBody } } },
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
    async (req) => ({ token: await spaces.inviteUser(asUser(req.actor), req.params.id, inviteOptions(req.body)) }),
  );

  app.get(
    '/spaces/:id/users/:uid',
    { schema: { operationId: 'get_space_user', tags, params: UserParams, response: { 200: UserDetails } } },
    async (req) => presentMember(await spaceMembers.user(req.actor, req.params.id, req.params.uid)),
  );

  const userRemoved = { 200: NoContent('The user is removed from the space.') };
  app.delete('/spaces/:id/users/:uid', { schema: { operationId: 'remove_space_user', tags, params: UserParams, response: userRemoved } }, async (req, reply) => {
    await spaceMembers.removeUser(req.actor, req.params.id, req.params.uid);
    return reply.code(200).send();
  });

  app.get(
    '/spaces/:id/users/:uid/privileges',
    {
      schema: {
        operationId: 'get_space_user_privileges',
        tags,
        params: UserParams,
        querystring: Type.Object({
          effective: Type.Optional(
            Type.Union([Type.Literal('true'), Type.Literal('false')], { description: 'The privileges the user holds directly and through groups, for any effective member.' }),
          ),
        }),
        response: { 200: Privileges },
      },
    },
    async (req) => ({ privileges: await spaceMembers.userPrivileges(req.actor, req.params.id, req.params.uid, req.query.effective === 'true') }),
  );

  app.put(
    '/spaces/:id/users/:uid/privileges',
    { schema: { operationId: 'set_space_user_privileges', tags, params: UserParams, body: Privileges, response: { 200: NoContent('The privileges are replaced.') } } },
    async (req, reply) => {
      await spaceMembers.setUserPrivileges(req.actor, req.params.id, req.params.uid, req.body.privileges);
      return reply.code(200).send();
    },
  );

  app.get(
    '/spaces/:id/groups',
    { schema: { operationId: 'get_space_groups', tags, params: IdParam, response: { 200: IdList('groups') } } },
    async (req) => ({ groups: await spaceMembers.groups(req.actor, req.params.id) }),
  );

  app.put(
    '/spaces/:id/groups',
    {
      schema: {
        operationId: 'add_group_to_space',
        tags,
        params: IdParam,
        body: Type.Object({ groupId: MemberId }),
        response: { 204: NoContent('The group is a member of the space (already a member: privileges unchanged).') },
      },
    },
    async (req, reply) => {
      await spaceMembers.addGroup(req.actor, req.params.id, req.body.groupId);
      return reply.code(204).send();
    },
  );

  // It mints a token: no HEAD route, which would mint one nobody receives (HEAD gets 405).
  app.get(
    '/spaces/:id/groups/token',
    { exposeHeadRoute: false, schema: { operationId: 'get_space_group_token', tags, params: IdParam, response: { 200: TokenBody } } },
    async (req) => ({ token: await spaces.inviteGroup(asUser(req.actor), req.params.id) }),
  );

  // Extension: a group invite with a usage limit, lifetime and the space privileges the group gets.
  app.post(
    '/spaces/:id/groups/token',
    {
      schema: {
        operationId: 'create_space_group_invite_token',
        tags: ['Extensions'],
        params: IdParam,
        body: Type.Optional(InviteOptionsBody),
        response: { 200: TokenBody },
      },
    },
    async (req) => ({ token: await spaces.inviteGroup(asUser(req.actor), req.params.id, inviteOptions(req.body)) }),
  );

  app.get(
    '/spaces/:id/groups/:gid',
    { schema: { operationId: 'get_space_group', tags, params: GroupParams, response: { 200: Group } } },
    async (req) => presentGroup(await spaceMembers.group(req.actor, req.params.id, req.params.gid)),
  );

  const groupRemoved = { 200: NoContent('The group is removed from the space.') };
  app.delete('/spaces/:id/groups/:gid', { schema: { operationId: 'delete_space_group', tags, params: GroupParams, response: groupRemoved } }, async (req, reply) => {
    await spaceMembers.removeGroup(req.actor, req.params.id, req.params.gid);
    return reply.code(200).send();
  });

  app.get(
    '/spaces/:id/groups/:gid/privileges',
    { schema: { operationId: 'get_space_group_privileges', tags, params: GroupParams, response: { 200: Privileges } } },
    async (req) => ({ privileges: await spaceMembers.groupPrivileges(req.actor, req.params.id, req.params.gid) }),
  );

  app.put(
    '/spaces/:id/groups/:gid/privileges',
    { schema: { operationId: 'set_space_group_privileges', tags, params: GroupParams, body: Privileges, response: { 200: NoContent('The privileges are replaced.') } } },
    async (req, reply) => {
      await spaceMembers.setGroupPrivileges(req.actor, req.params.id, req.params.gid, req.body.privileges);
      return reply.code(200).send();
    },
  );
};
