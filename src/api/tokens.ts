import { Type } from 'typebox';
import type { TokenRow } from '../store/tokens.js';
import { Id, NoContent, closed } from './schemas.js';
import { type Routes, asUser } from './types.js';

const TokenInfo = Type.Object({
  tokenId: Type.String({ description: 'The macaroon identifier.' }),
  kind: Type.Union([Type.Literal('access'), Type.Literal('invite')]),
  type: Type.String({ description: '`access`, or the RC2 token type of an invite (e.g. `space_invite_user_token`).' }),
  target: Type.Union([Type.Null(), Type.Object({ type: Type.String(), id: Type.String() })]),
  usageLimit: Type.Union([Type.Integer(), Type.Literal('infinity')]),
  usageCount: Type.Integer(),
  expiresAt: Type.Union([Type.Integer(), Type.Null()], { description: 'Unix seconds.' }),
  createdAt: Type.Integer({ description: 'Unix seconds.' }),
  revoked: Type.Boolean(),
});

const present = (t: TokenRow) => ({
  tokenId: t.id,
  kind: t.kind,
  type: t.type,
  target: t.target_type && t.target_id ? { type: t.target_type, id: t.target_id } : null,
  usageLimit: t.usage_limit ?? ('infinity' as const),
  usageCount: t.usage_count,
  expiresAt: t.expires_at,
  createdAt: t.created_at,
  revoked: t.revoked !== 0,
});

const TokenParam = Type.Object({ tid: Id });

/** Extension `/user/tokens…`: the caller's access tokens and issued invites. */
export const tokenRoutes: Routes = (app, { tokens }) => {
  const tags = ['Extensions'];

  app.get(
    '/user/tokens',
    { schema: { operationId: 'list_user_tokens', tags, response: { 200: Type.Object({ tokens: Type.Array(TokenInfo) }) } } },
    async (req) => ({ tokens: (await tokens.list(asUser(req.actor))).map(present) }),
  );

  app.get(
    '/user/tokens/:tid',
    { schema: { operationId: 'get_user_token', tags, params: TokenParam, response: { 200: TokenInfo } } },
    async (req) => present(await tokens.get(asUser(req.actor), req.params.tid)),
  );

  app.patch(
    '/user/tokens/:tid',
    {
      schema: {
        operationId: 'modify_user_token',
        tags,
        params: TokenParam,
        body: Type.Object({ revoked: Type.Boolean() }, closed),
        response: { 204: NoContent('The `revoked` flag of the token is set.') },
      },
    },
    async (req, reply) => {
      await tokens.setRevoked(asUser(req.actor), req.params.tid, req.body.revoked);
      return reply.code(204).send();
    },
  );

  const removed = { 204: NoContent('The token is removed.') };
  app.delete('/user/tokens/:tid', { schema: { operationId: 'remove_user_token', tags, params: TokenParam, response: removed } }, async (req, reply) => {
    await tokens.remove(asUser(req.actor), req.params.tid);
    return reply.code(204).send();
  });
};
