import { Type } from 'typebox';
import { presentProvider } from './presenters.js';
import { ProviderDetails, SpaceProviderParams } from './provider-schemas.js';
import { IdList, IdParam, NoContent, TokenBody, closed } from './schemas.js';
import type { Routes } from './types.js';

/** `/spaces/{id}/providers…`: the providers supporting a space, support tokens, removing support. */
export const spaceProviderRoutes: Routes = (app, { support }) => {
  const tags = ['Space'];
  const any = { auth: 'any' as const };

  app.get(
    '/spaces/:id/providers',
    { config: any, schema: { operationId: 'get_space_providers', tags, params: IdParam, response: { 200: IdList('providers') } } },
    async (req) => ({ providers: await support.providersOf(req.actor, req.params.id) }),
  );

  // It mints a token: no HEAD route, which would mint one nobody receives (HEAD gets 405).
  app.get(
    '/spaces/:id/providers/token',
    { exposeHeadRoute: false, config: any, schema: { operationId: 'get_space_provider_token', tags, params: IdParam, response: { 200: TokenBody } } },
    async (req) => ({ token: await support.supportToken(req.actor, req.params.id) }),
  );

  // Extension: the same, by POST, as later Onezone versions mint support tokens (with no body).
  app.post(
    '/spaces/:id/providers/token',
    {
      config: any,
      schema: {
        operationId: 'create_space_provider_token',
        tags: ['Extensions'],
        params: IdParam,
        body: Type.Optional(Type.Object({}, { ...closed, description: 'No options: an empty object, an empty body or none.' })),
        response: { 200: TokenBody },
      },
    },
    async (req) => ({ token: await support.supportToken(req.actor, req.params.id) }),
  );

  app.get(
    '/spaces/:id/providers/:pid',
    { config: any, schema: { operationId: 'get_space_provider', tags, params: SpaceProviderParams, response: { 200: ProviderDetails } } },
    async (req) => presentProvider(await support.providerOf(req.actor, req.params.id, req.params.pid)),
  );

  app.delete(
    '/spaces/:id/providers/:pid',
    {
      schema: {
        operationId: 'remove_provider_supporting_space',
        tags,
        params: SpaceProviderParams,
        response: { 200: NoContent('The provider no longer supports the space.') },
      },
    },
    async (req, reply) => {
      await support.removeProvider(req.actor, req.params.id, req.params.pid);
      return reply.code(200).send();
    },
  );
};
