import type { TLSSocket } from 'node:tls';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { Actor } from '../domain/actor.js';
import type { AccessTokenService } from '../domain/access-tokens.js';
import type { CredentialService } from '../domain/credentials.js';
import type { ProviderService } from '../domain/providers.js';
import { ApiError } from '../errors.js';
import type { CredentialKind, Metrics } from '../metrics.js';
import type { PasswordCheckGate } from './limits.js';
import { API_PREFIX } from './paths.js';
import type { RequestScope } from '../tokens/tokens.js';

/** Who may call a route: `none` skips authentication entirely (the four open RC2 operations). */
export type AuthRequirement = 'user' | 'provider' | 'any' | 'none';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthRequirement;
  }
  interface FastifyRequest {
    actor: Actor;
    /** The throttle's gate for a password check of `login` made by the route (undefined when throttling is off). */
    admitPasswordCheck: (login: string) => (() => void) | undefined;
    /** The login whose password a route checked (`admitPasswordCheck`): its 401 counts against that login too. */
    passwordLogin: string | undefined;
  }
}

const NOBODY: Actor = { kind: 'nobody' };
const UNAUTHENTICATED = new ApiError('unauthorized');
const MALFORMED_BEARER = new ApiError('badAccessToken', 'Malformed Bearer credentials: one token, nothing after it.');

/**
 * Credentials -> actor, before the body is read. Order as in the 2016 server: Basic, then an
 * access token (`macaroon`, `X-Auth-Token`, `Authorization: Bearer`; a user's, with any bound
 * `discharge-macaroons`, or a provider token), then a TLS client certificate of a provider.
 * Credentials that are present but wrong are a 401 even when the route would allow anyone
 * authenticated.
 *
 * Each route gets the hook its `config.auth` asks for when it is registered, so no request
 * looks its route's options up; unknown paths (404) are authenticated like `user` routes.
 */
export function registerAuth(app: FastifyInstance, services: AuthServices, metrics: Pick<Metrics, 'authFailure'>, gate?: PasswordCheckGate): void {
  app.decorateRequest('actor', null as never);
  app.decorateRequest('passwordLogin', undefined);
  app.decorateRequest('admitPasswordCheck', function (this: FastifyRequest, login: string) {
    this.passwordLogin = login;
    return gate?.(this, login);
  });
  const hooks = {
    user: authHook('user', services, metrics, gate),
    provider: authHook('provider', services, metrics, gate),
    any: authHook('any', services, metrics, gate),
    none: (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
      request.actor = NOBODY;
      done();
    },
  };
  app.addHook('onRoute', (route) => {
    const own = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    route.onRequest = [hooks[route.config?.auth ?? 'user'], ...own] as typeof route.onRequest;
  });
  app.addHook('onRequest', (request, reply, done) => {
    if (request.is404) return hooks.user(request, reply).then(() => done(), done);
    done();
  });
  // A password the route itself checked and refused (PATCH /user/password's current one) is a
  // refused credential too, though the request's own credential passed the hook.
  app.addHook('onResponse', (request, reply, done) => {
    if (reply.statusCode === 401 && request.actor !== null && request.passwordLogin !== undefined) metrics.authFailure('basic');
    done();
  });
}

function authHook(required: Exclude<AuthRequirement, 'none'>, services: AuthServices, metrics: Pick<Metrics, 'authFailure'>, gate: PasswordCheckGate | undefined) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    let actor: Actor;
    try {
      actor = await authenticate(request, services, gate);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) metrics.authFailure(credentialKind(request));
      throw err;
    }
    if (actor.kind === 'nobody') throw UNAUTHENTICATED;
    if (required !== 'any' && actor.kind !== required) {
      throw new ApiError('forbidden', required === 'user' ? 'This operation is for users only.' : 'This operation is for providers only.');
    }
    request.actor = actor;
  };
}

interface AuthServices {
  credentials: CredentialService;
  accessTokens: AccessTokenService;
  providers: ProviderService;
}

/** More bound discharges than any token of ours has third-party caveats is a malformed request. */
const MAX_DISCHARGES = 8;

async function authenticate(request: FastifyRequest, { credentials, accessTokens, providers }: AuthServices, gate: PasswordCheckGate | undefined): Promise<Actor> {
  const { authorization } = request.headers;
  if (authorization !== undefined) {
    const [scheme = '', value = ''] = authorization.trim().split(/\s+/, 2);
    if (/^basic$/i.test(scheme)) {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 1) throw new ApiError('badCredentials', 'Malformed Basic credentials.');
      const login = decoded.slice(0, colon);
      return credentials.basic(login, decoded.slice(colon + 1), gate && (() => gate(request, login)));
    }
    if (!/^bearer$/i.test(scheme) && header(request, 'macaroon') === undefined && header(request, 'x-auth-token') === undefined) {
      throw new ApiError('badCredentials', 'Unsupported authorization scheme; use Basic or Bearer.');
    }
  }
  const token = header(request, 'macaroon') ?? header(request, 'x-auth-token') ?? bearer(authorization);
  if (token === undefined && authorization !== undefined) throw MALFORMED_BEARER;
  if (token !== undefined) {
    // Made only for a token with request caveats.
    const scope = () => requestScope(request);
    return (await providers.authenticateToken(token, scope)) ?? accessTokens.authenticate(token, discharges(request), scope);
  }
  const cert = peerCertificate(request);
  if (cert !== undefined) {
    const provider = await providers.authenticateCert(cert);
    if (!provider) throw new ApiError('badCredentials', 'The client certificate is not one this zone issued to a registered provider, or it has expired.');
    return provider;
  }
  return NOBODY;
}

/**
 * What a token's request caveats are checked against (tokens/caveats.ts): the method, and the
 * first segment of the path under the API root (`spaces` for `/api/v3/onezone/spaces/…`), or
 * of the path itself outside it (`metrics`).
 */
function requestScope(request: FastifyRequest): RequestScope {
  // As the router reads it: duplicate slashes collapsed, percent-encoding decoded (a malformed one
  // stays as sent, and matches no root).
  let path = request.url.split('?', 1)[0]!.replace(/\/{2,}/g, '/');
  try {
    path = decodeURIComponent(path);
  } catch {
    // kept as sent
  }
  const segments = (path.startsWith(`${API_PREFIX}/`) ? path.slice(API_PREFIX.length) : path).split('/').filter(Boolean);
  return { method: request.method, root: segments[0] ?? '' };
}

/** Which credential a refused request carried, in the order `authenticate` looks at them. */
function credentialKind(request: FastifyRequest): CredentialKind {
  const { authorization } = request.headers;
  if (authorization !== undefined && /^\s*basic(\s|$)/i.test(authorization)) return 'basic';
  if (authorization !== undefined || header(request, 'macaroon') !== undefined || header(request, 'x-auth-token') !== undefined) return 'token';
  return 'certificate';
}

function discharges(request: FastifyRequest): string[] {
  const list = header(request, 'discharge-macaroons')?.trim().split(/\s+/).filter(Boolean) ?? [];
  if (list.length > MAX_DISCHARGES) throw new ApiError('badAccessToken', 'Too many discharge macaroons.');
  return list;
}

/** DER of the TLS client certificate, when the connection is TLS and the client sent one. */
function peerCertificate(request: FastifyRequest): Buffer | undefined {
  const socket = request.raw.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const cert = socket.getPeerCertificate();
  return cert && cert.raw ? cert.raw : undefined;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : value?.[0];
}

function bearer(authorization: string | undefined): string | undefined {
  const m = authorization === undefined ? null : /^\s*bearer\s+(\S+)\s*$/i.exec(authorization);
  return m?.[1];
}
