import { presentProvider } from './presenters.js';
import { PidParam, ProviderDetails } from './provider-schemas.js';
import { IdList } from './schemas.js';
import type { Routes } from './types.js';

/**
 * `/providers` and `/provider/{pid}`: other providers, for any provider or a user with
 * `list_providers`. The literal `/provider/…` routes of provider.ts win over `{pid}`.
 */
export const providersRoutes: Routes = (app, { providers }) => {
  const tags = ['Provider'];
  const any = { auth: 'any' as const };

  app.get('/providers', { config: any, schema: { operationId: 'get_providers', tags, response: { 200: IdList('providers') } } }, async (req) => ({
    providers: await providers.list(req.actor),
  }));

  app.get(
    '/provider/:pid',
    { config: any, schema: { operationId: 'get_other_provider', tags, params: PidParam, response: { 200: ProviderDetails } } },
    async (req) => presentProvider(await providers.getOther(req.actor, req.params.pid)),
  );
};
