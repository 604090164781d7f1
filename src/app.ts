import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import { healthRoutes } from './api/health.js';
import { metricsRoutes } from './api/metrics.js';
import { allRoutes } from './api/index.js';
import type { Api } from './api/types.js';
import type { Config } from './config.js';
import { accessTokenService } from './domain/access-tokens.js';
import { auditService } from './domain/audit.js';
import { tokenService } from './domain/tokens.js';
import { authorizer } from './domain/authorize.js';
import { credentialService } from './domain/credentials.js';
import type { KeyAndCert } from './crypto/certs.js';
import { type Deps, newId, systemClock } from './domain/deps.js';
import { inviteService } from './domain/invites.js';
import { metricsService } from './domain/metrics.js';
import { groupService } from './domain/groups.js';
import { spaceService } from './domain/spaces.js';
import { spaceMemberService } from './domain/space-members.js';
import { groupSpaceService } from './domain/group-spaces.js';
import { onezonePrivilegeService } from './domain/onezone-privileges.js';
import { userService } from './domain/users.js';
import { providerService } from './domain/providers.js';
import { supportService } from './domain/support.js';
import { providerLoginService } from './domain/provider-login.js';
import { registerAuth } from './http/auth.js';
import { registerBodyChecks, registerOptionalBodies } from './http/bodies.js';
import { errorMessageKeyword, registerErrorHandling, routerErrorHandler } from './http/errors.js';
import { lazyChildLogger, loggedUrl, loggerOptions } from './http/logging.js';
import { registerLimits } from './http/limits.js';
import { registerMetrics } from './http/metrics.js';
import { methodNotAllowed } from './http/methods.js';
import { registerOpenApi } from './http/openapi.js';
import { isUiPath, registerWeb, SECURITY_HEADERS } from './http/web.js';
import { lazySchemaCompilers } from './http/schema-compilers.js';
import { API_PREFIX } from './http/paths.js';
import { type Metrics, createMetrics } from './metrics.js';
import type { Connection } from './store/db.js';
import type { Store } from './store/index.js';

export interface AppOptions {
  config: Pick<Config, 'zoneName' | 'inviteTtl' | 'accessTokenTtl' | 'bodyLimit' | 'logLevel' | 'throttle' | 'passwordCost'> & Partial<Pick<Config, 'trustProxy'>>;
  store: Store;
  masterKey: Buffer;
  /** Signs provider certificates and recognises them on mutual TLS. */
  zoneCa: KeyAndCert;
  clock?: () => number;
  /** Passed to Fastify: TLS options, a logger stream for tests. */
  server?: Partial<FastifyServerOptions> & { https?: unknown };
  logStream?: NodeJS.WritableStream;
  /** The SQLite driver's counters, exposed as metrics (src/store/db.ts `Connection`). */
  sqliteStats?: Connection['sqliteStats'];
  /** The PostgreSQL pool's connection counts, exposed as metrics (src/store/db.ts `Connection`). */
  poolStats?: Connection['poolStats'];
}

export function createServices(deps: Deps, zoneCa: KeyAndCert, metrics: Metrics) {
  const authorize = authorizer(deps.store);
  const invites = inviteService(deps);
  return {
    authorize,
    invites,
    users: userService(deps, authorize),
    spaces: spaceService(deps, authorize, invites),
    spaceMembers: spaceMemberService(deps, authorize),
    groupSpaces: groupSpaceService(deps, authorize, invites),
    onezonePrivileges: onezonePrivilegeService(deps, authorize),
    groups: groupService(deps, authorize, invites),
    accessTokens: accessTokenService(deps),
    tokens: tokenService(deps),
    credentials: credentialService(deps),
    providers: providerService(deps, authorize, zoneCa),
    support: supportService(deps, authorize, invites),
    providerLogin: providerLoginService(deps),
    audit: auditService(deps, authorize),
    metrics: metricsService(authorize, metrics.expose),
  };
}

export type Services = ReturnType<typeof createServices>;

/** Composition root: store -> services -> HTTP routes. */
export function buildApp(opts: AppOptions): { app: FastifyInstance; services: Services; openApiDocument: () => Promise<unknown> } {
  const metrics = createMetrics({ sqliteStats: opts.sqliteStats, poolStats: opts.poolStats });
  const deps: Deps = {
    store: opts.store,
    clock: opts.clock ?? systemClock,
    ids: newId,
    masterKey: opts.masterKey,
    config: opts.config,
    metrics,
  };
  const services = createServices(deps, opts.zoneCa, metrics);

  const app = Fastify({
    ...opts.server,
    logger: loggerOptions(opts.config.logLevel, opts.logStream),
    // One access-log line per request, written in onResponse below.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyChildLogger,
    bodyLimit: opts.config.bodyLimit,
    // The client's address (the throttle's key, the access log) from the proxies trusted, if any.
    trustProxy: opts.config.trustProxy ?? false,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, maxParamLength: 256 },
    // http/limits.ts answers requests that arrive while closing, in the catalog's shape.
    return503OnClosing: false,
    // The router's own errors (malformed percent-encoding) come before every hook: they carry the
    // answers' no-store here, and the UI's headers too under /ui/.
    frameworkErrors: (err, request, reply) => {
      reply.header('cache-control', 'no-store');
      if (isUiPath(request.url)) reply.headers(SECURITY_HEADERS);
      routerErrorHandler(err, request, reply);
      // No hook runs for these: their access-log line is written here.
      request.log.info({ method: request.method, url: loggedUrl(request.url), status: reply.statusCode }, 'request');
    },
    // A number is not a token: no silent type coercion of request bodies. Errors carry their
    // schema (`verbose`), for a schema's own wording of a refusal (http/errors.ts).
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, verbose: true }, plugins: [errorMessageKeyword] },
    schemaController: { compilersFactory: lazySchemaCompilers() },
  } as FastifyServerOptions).withTypeProvider<TypeBoxTypeProvider>() as unknown as Api;

  app.removeContentTypeParser('text/plain');
  registerErrorHandling(app);
  registerBodyChecks(app);
  registerOptionalBodies(app);
  // Answers are personal (accounts, memberships, tokens): no browser or proxy cache may keep them.
  // The web UI's files say otherwise for themselves (http/web.ts).
  app.addHook('onRequest', (_request, reply, done) => {
    reply.header('cache-control', 'no-store');
    done();
  });
  const passwordChecks = registerLimits(app, opts.config.throttle, metrics);
  registerAuth(app, services, metrics, passwordChecks);
  registerMetrics(app, metrics);
  // At debug level each request is logged with its headers; credential headers are censored.
  if (opts.config.logLevel === 'debug' || opts.config.logLevel === 'trace') {
    app.addHook('onRequest', async (request) => request.log.debug({ req: request.raw }, 'incoming request'));
  }
  // The access log is an info line; below that level the hook is not registered at all (it
  // would cost every request an async hook call for nothing).
  if (['trace', 'debug', 'info'].includes(opts.config.logLevel)) {
    app.addHook('onResponse', async (request, reply) => {
      request.log.info(
        { method: request.method, url: loggedUrl(request.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 },
        'request',
      );
    });
  }

  const openApiDocument = registerOpenApi(app, API_PREFIX);
  const methods = methodNotAllowed(app);
  healthRoutes(app, opts.store);
  metricsRoutes(app, services.metrics);
  registerWeb(app);
  app.register(
    async (api) => {
      for (const routes of allRoutes) routes(api as Api, services);
      api.get('/openapi.json', { config: { auth: 'none' }, schema: { hide: true } }, openApiDocument);
    },
    { prefix: API_PREFIX },
  );
  app.after(() => methods.fill());
  return { app, services, openApiDocument };
}
