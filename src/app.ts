import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import { allRoutes } from './api/index.js';
import type { Api } from './api/types.js';
import type { Config } from './config.js';
import { accessTokenService } from './domain/access-tokens.js';
import { authorizer } from './domain/authorize.js';
import { credentialService } from './domain/credentials.js';
import { type Deps, newId, systemClock } from './domain/deps.js';
import { inviteService } from './domain/invites.js';
import { spaceService } from './domain/spaces.js';
import { userService } from './domain/users.js';
import { registerAuth } from './http/auth.js';
import { registerErrorHandling } from './http/errors.js';
import { loggerOptions } from './http/logging.js';
import { methodNotAllowed } from './http/methods.js';
import type { Store } from './store/index.js';

export const API_PREFIX = '/api/v3/onezone';

export interface AppOptions {
  config: Pick<Config, 'zoneName' | 'inviteTtl' | 'accessTokenTtl' | 'bodyLimit' | 'logLevel'>;
  store: Store;
  masterKey: Buffer;
  clock?: () => number;
  /** Passed to Fastify: TLS options, a logger stream for tests. */
  server?: Partial<FastifyServerOptions> & { https?: unknown };
  logStream?: NodeJS.WritableStream;
}

export function createServices(deps: Deps) {
  const authorize = authorizer(deps.store);
  const invites = inviteService(deps);
  return {
    authorize,
    invites,
    users: userService(deps, authorize),
    spaces: spaceService(deps, authorize, invites),
    accessTokens: accessTokenService(deps),
    credentials: credentialService(deps),
  };
}

export type Services = ReturnType<typeof createServices>;

/** Composition root: store -> services -> HTTP routes. */
export function buildApp(opts: AppOptions): { app: FastifyInstance; services: Services } {
  const deps: Deps = {
    store: opts.store,
    clock: opts.clock ?? systemClock,
    ids: newId,
    masterKey: opts.masterKey,
    config: opts.config,
  };
  const services = createServices(deps);

  const app = Fastify({
    ...opts.server,
    logger: loggerOptions(opts.config.logLevel, opts.logStream),
    // One access-log line per request, written in onResponse below.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: opts.config.bodyLimit,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, maxParamLength: 256 },
    return503OnClosing: true,
    // A number is not a token: no silent type coercion of request bodies.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
  } as FastifyServerOptions).withTypeProvider<TypeBoxTypeProvider>() as unknown as Api;

  app.removeContentTypeParser('text/plain');
  registerErrorHandling(app);
  registerAuth(app, services);
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      { method: request.method, url: request.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 },
      'request',
    );
  });

  const methods = methodNotAllowed(app);
  app.register(
    async (api) => {
      for (const routes of allRoutes) routes(api as Api, services);
    },
    { prefix: API_PREFIX },
  );
  app.after(() => methods.fill());
  return { app, services };
}
