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
const MALFORMED_BASIC = new ApiError('badCredentials', 'Malformed Basic credentials: one base64 login:password, nothing after it.');
const TWO_TOKENS = new ApiError(
  'invalidRequest',
  'The token headers (macaroon, X-Auth-Token, Authorization: Bearer) carry different tokens; send one token, in one of them.',
);
const TWO_AUTHORIZATIONS = new ApiError('invalidRequest', 'Two Authorization headers with different values; send one.');
const BASIC_SCHEME = /^\s*basic(\s|$)/i;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

/**
 * Credentials -> actor, before the body is read. Order as in the 2016 server: Basic, then an
 * access token (`macaroon`, `X-Auth-Token`, `Authorization: Bearer`; a user's, with any bound
 * `discharge-macaroons`, or a provider token), then a TLS client certificate of a provider.
 * Credentials that are present but wrong are a 401 even when the route would allow anyone
 * authenticated; two that disagree are a 400 (`sentCredentials`).
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
  const { authorization, token } = sentCredentials(request);
  if (authorization !== undefined && BASIC_SCHEME.test(authorization)) {
    const pair = basicCredentials(authorization);
    if (!pair) throw MALFORMED_BASIC;
    return credentials.basic(pair.login, pair.password, gate && (() => gate(request, pair.login)));
  }
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
 * The `Authorization` header and the access token a request carries, each sent once: whichever
 * of two different ones were taken, the client may have meant the other (a sign-out would
 * revoke the wrong token). So, as RFC 6750 §3.1 says of a token sent more than one way, these
 * are 400 `invalid_request`: token headers (`macaroon`, `X-Auth-Token`, `Authorization: Bearer`)
 * with different tokens, two `Authorization` headers that differ (Node keeps only the first in
 * `headers`, so `rawHeaders` are read). The same token in several headers is one credential.
 * Basic beside a token header is not refused: Basic decides, as in 2016; nor is another scheme
 * beside a token header (a proxy's own `Authorization`, say), which is no token: the token decides,
 * as the 2016 server skipped a method it could not use.
 */
function sentCredentials(request: FastifyRequest): { authorization?: string; token?: string } {
  const raw = request.raw.rawHeaders;
  let authorization: string | undefined;
  let token: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    if (name === 'authorization') {
      if (authorization !== undefined && value !== authorization) throw TWO_AUTHORIZATIONS;
      authorization = value;
    } else if (name === 'macaroon' || name === 'x-auth-token') {
      if (token !== undefined && value !== token) throw TWO_TOKENS;
      token = value;
    }
  }
  if (authorization === undefined || BASIC_SCHEME.test(authorization)) return { authorization, token };
  if (/^\s*bearer(\s|$)/i.test(authorization)) {
    const sent = bearer(authorization);
    if (sent === undefined) throw MALFORMED_BEARER;
    if (token !== undefined && sent !== token) throw TWO_TOKENS;
    return { authorization, token: sent };
  }
  if (token !== undefined) return { token };
  throw new ApiError('badCredentials', 'Unsupported authorization scheme; use Basic or Bearer.');
}

/**
 * The login and password of Basic credentials (RFC 7617): exactly one standard base64 (RFC 4648
 * §4, padding optional) `login:password`, nothing after it; undefined for anything else. Node's
 * decoder alone would skip stray characters and read the URL-safe alphabet.
 */
export function basicCredentials(authorization: string): { login: string; password: string } | undefined {
  const m = /^\s*basic\s+(\S+)\s*$/i.exec(authorization);
  if (!m || !BASE64.test(m[1]!)) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 1 ? undefined : { login: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
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
  if (authorization !== undefined && BASIC_SCHEME.test(authorization)) return 'basic';
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
