import { Type } from 'typebox';
import { sharedJson } from '../http/shared-json.js';
import { defaultSpaceId, presentSpace, presentUser } from './presenters.js';
import { Created, Id, Name, NoContent, Space, TokenBody, TokenRequest, User, closed } from './schemas.js';
import { type Routes, asUser } from './types.js';

const SidParam = Type.Object({ sid: Id });

/** `/user…`: the authenticated user's own account, spaces and tokens. */
export const userRoutes: Routes = (app, { users, spaces, accessTokens, tokens, support, credentials }) => {
  const tags = ['User'];

  app.get('/user', { schema: { operationId: 'get_user', tags, response: { 200: User } } }, async (req, reply) => {
    const account = await users.get(asUser(req.actor));
    return sharedJson(reply, account, '', () => presentUser(account));
  });

  app.patch(
    '/user',
    {
      schema: {
        operationId: 'modify_user',
        tags,
        body: Type.Object({
          name: Type.Optional(Name),
          alias: Type.Optional(Type.String({ maxLength: 256 })),
          emailList: Type.Optional(Type.Array(Type.String({ maxLength: 320 }), { maxItems: 50 })),
        }),
        response: { 204: NoContent('The account was changed.') },
      },
    },
    async (req, reply) => {
      await users.modify(asUser(req.actor), req.body);
      return reply.code(204).send();
    },
  );

  // Extension (as in later Onezone versions): change one's own password, proving the current one.
  app.patch(
    '/user/password',
    {
      schema: {
        operationId: 'change_user_password',
        tags: ['Extensions'],
        body: Type.Object({ oldPassword: Type.String({ minLength: 1, maxLength: 1024 }), newPassword: Type.String({ maxLength: 1024 }) }, closed),
        response: { 204: NoContent('The password is changed.') },
      },
    },
    async (req, reply) => {
      const actor = asUser(req.actor);
      await credentials.changePassword(actor, req.body.oldPassword, req.body.newPassword, () => req.admitPasswordCheck(actor.login) ?? (() => {}));
      return reply.code(204).send();
    },
  );

  // 400 when the caller is the zone's last administrator.
  const removed = { 200: NoContent('The account was removed, with its tokens and Onezone privileges.') };
  app.delete('/user', { schema: { operationId: 'remove_user', tags, response: removed, errors: [400] } }, async (req, reply) => {
    await users.remove(asUser(req.actor));
    return reply.code(200).send();
  });

  // It mints a token: no HEAD route, which would mint one nobody receives (HEAD gets 405).
  app.get('/user/client_token', { exposeHeadRoute: false, schema: { operationId: 'get_client_token', tags, response: { 200: TokenBody } } }, async (req) => ({
    token: await accessTokens.mint(asUser(req.actor)),
  }));

  // Extension, the counterpart of the RC2 GET: sign out by revoking the access token of this request.
  // 400 when the request carries no token to revoke (Basic credentials).
  const revoked = { 204: NoContent('The access token of this request is revoked.') };
  app.delete('/user/client_token', { schema: { operationId: 'revoke_client_token', tags: ['Extensions'], response: revoked, errors: [400] } }, async (req, reply) => {
    await tokens.signOut(asUser(req.actor));
    return reply.code(204).send();
  });

  app.get(
    '/user/spaces',
    { schema: { operationId: 'get_user_spaces', tags, response: { 200: Type.Object({ spaces: Type.Array(Type.String()), default: Type.String() }) } } },
    async (req, reply) => {
      const { spaces: list, defaultSpace } = await spaces.listOfUser(asUser(req.actor));
      const body = { spaces: list as string[], default: defaultSpaceId(defaultSpace) };
      return sharedJson(reply, list, body.default, () => body);
    },
  );

  app.post(
    '/user/spaces',
    { schema: { operationId: 'create_user_space', tags, body: Type.Object({ name: Name }), response: { 201: Created('Space created.', '`/user/spaces/{id}`: the new space.') } } },
    async (req, reply) => {
      const id = await spaces.create(asUser(req.actor), req.body.name);
      return reply.code(201).header('location', `/user/spaces/${id}`).send();
    },
  );

  app.get(
    '/user/spaces/default',
    { schema: { operationId: 'get_user_default_space', tags, response: { 200: Type.Object({ spaceId: Type.String() }) } } },
    async (req) => ({ spaceId: defaultSpaceId(await spaces.defaultOf(asUser(req.actor))) }),
  );

  app.put(
    '/user/spaces/default',
    {
      schema: {
        operationId: 'set_user_default_space',
        tags,
        body: Type.Object({ spaceId: Type.String({ maxLength: 256 }) }),
        response: { 200: NoContent('The default space is set.') },
      },
    },
    async (req, reply) => {
      await spaces.setDefault(asUser(req.actor), req.body.spaceId);
      return reply.code(200).send();
    },
  );

  const joined = { 201: Created('Joined the space (or already a member).', '`/user/spaces/{id}`: the joined space.') };
  app.post('/user/spaces/join', { schema: { operationId: 'join_space', tags, body: TokenRequest, response: joined } }, async (req, reply) => {
    const id = await spaces.join(asUser(req.actor), req.body.token);
    return reply.code(201).header('location', `/user/spaces/${id}`).send();
  });

  // A space-creation token naming the caller, for a provider to create a space for them later.
  // It mints a token: no HEAD route, which would mint one nobody receives (HEAD gets 405).
  app.get(
    '/user/spaces/token',
    { exposeHeadRoute: false, schema: { operationId: 'get_user_space_token', tags, response: { 200: TokenBody } } },
    async (req) => ({ token: await spaces.createToken(asUser(req.actor)) }),
  );

  app.get(
    '/user/spaces/:sid',
    { schema: { operationId: 'get_user_space', tags, params: SidParam, response: { 200: Space } } },
    async (req) => presentSpace(await spaces.getOfUser(asUser(req.actor), req.params.sid), await support.supportsOf(req.params.sid)),
  );

  app.delete(
    '/user/spaces/:sid',
    { schema: { operationId: 'delete_user_space', tags, params: SidParam, response: { 200: NoContent('Left the space.') } } },
    async (req, reply) => {
      await spaces.leave(asUser(req.actor), req.params.sid);
      return reply.code(200).send();
    },
  );

};
