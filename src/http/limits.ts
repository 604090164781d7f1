import { hash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ServerLimits, ThrottleConfig } from '../config.js';
import { ApiError, catalog } from '../errors.js';
import type { Metrics } from '../metrics.js';
import { basicCredentials } from './auth.js';

/** Largest request head (request line, URL and headers) Node will parse; beyond it: 431. */
export const MAX_HEADER_BYTES = 16 * 1024;
/** Most keys the throttle remembers at once; the oldest window is forgotten first. */
const MAX_TRACKED = 100_000;
/** The longest login an account can have (domain/users.ts `LOGIN`). */
const MAX_LOGIN = 64;
/** How often ended windows are forgotten, at most. */
const SWEEP_MS = 60_000;

interface Window {
  failures: number;
  /** Milliseconds since the epoch when this window's count is forgotten. */
  resetAt: number;
}

/**
 * Fixed-window counters of failed attempts, keyed by client address (`ip:…`) and by Basic
 * login (`login:…`, `loginKey`). Bounded in size (oldest windows evicted first), in key length
 * (an address, or a login no longer than an account's), and in time (`sweep` forgets the windows
 * that ended), so an attacker cannot make it grow without limit.
 */
export function failureCounter(config: ThrottleConfig, now: () => number = Date.now) {
  const windows = new Map<string, Window>();
  /** Password checks running now, per key: each may still fail, so each counts as an attempt. */
  const pending = new Map<string, number>();
  const windowMs = config.windowSeconds * 1000;

  const live = (key: string): Window | undefined => {
    const w = windows.get(key);
    if (w && w.resetAt <= now()) {
      windows.delete(key);
      return undefined;
    }
    return w;
  };

  return {
    get size(): number {
      return windows.size;
    },

    /**
     * Forgets every window that has ended, also those whose key never comes back. Windows sit in
     * the order they began and all last as long, so the ended ones are at the front.
     */
    sweep(): void {
      const t = now();
      for (const [key, w] of windows) {
        if (w.resetAt > t) break;
        windows.delete(key);
      }
    },

    /**
     * Seconds until `key` may try again, or 0 when it is not over the limit. `withPending`: the
     * checks still running count as failures (a running check ends within a second or so).
     */
    retryAfter(key: string, withPending = false): number {
      const w = live(key);
      const attempts = (w?.failures ?? 0) + (withPending ? (pending.get(key) ?? 0) : 0);
      if (attempts < config.attempts) return 0;
      return w && w.failures >= config.attempts ? Math.max(1, Math.ceil((w.resetAt - now()) / 1000)) : 1;
    },

    /** A password check of `key` begins; `end` when it is over, whatever its outcome. */
    begin(key: string): void {
      pending.set(key, (pending.get(key) ?? 0) + 1);
    },

    end(key: string): void {
      const left = (pending.get(key) ?? 1) - 1;
      if (left > 0) pending.set(key, left);
      else pending.delete(key);
    },

    fail(key: string): void {
      const w = live(key);
      if (w) {
        w.failures++;
        return;
      }
      if (windows.size >= MAX_TRACKED) windows.delete(windows.keys().next().value!);
      windows.set(key, { failures: 1, resetAt: now() + windowMs });
    },
  };
}

/**
 * Admits one password check (the KDF) of `login` from `request`'s address, or throws 429 when
 * failures and the checks already running reach the limit. Returns the function that ends it.
 */
export type PasswordCheckGate = (request: FastifyRequest, login: string) => () => void;

/**
 * Everything that guards the request path, in the order it must run: draining on shutdown,
 * then the throttle. Register BEFORE authentication, which gets the returned gate for its
 * password checks (undefined when throttling is off).
 */
export function registerLimits(app: FastifyInstance, throttle: ThrottleConfig, metrics: Pick<Metrics, 'throttled'>): PasswordCheckGate | undefined {
  registerDraining(app);
  return registerThrottle(app, throttle, metrics);
}

/**
 * Once `close()` has begun, requests that still arrive on open keep-alive connections are
 * refused with 503 in the catalog's shape (Fastify's own 503 is not) and `Connection: close`;
 * requests already being handled finish normally.
 */
function registerDraining(app: FastifyInstance): void {
  let draining = false;
  app.addHook('preClose', async () => {
    draining = true;
  });
  // A callback hook: most requests only read one boolean, and an async hook costs a promise.
  app.addHook('onRequest', (_request, reply, done) => {
    if (!draining) return done();
    reply.header('connection', 'close');
    done(new ApiError('unavailable', 'The server is shutting down.'));
  });
}

/**
 * The abuse limiter: a client address or a login with too many failed credential checks in
 * the current window gets 429 `too_many_requests` with `Retry-After` for every credentialed
 * request, before any password or token is looked at. Register it BEFORE authentication.
 * A request without failures in memory costs one `size` check.
 *
 * Failures are known only when their 401 goes out, so requests sent all at once would all pass
 * that check: password checks (the returned gate, asked only when a password is not already
 * proven) also count those still running, and refuse the ones beyond the limit.
 */
function registerThrottle(app: FastifyInstance, config: ThrottleConfig, metrics: Pick<Metrics, 'throttled'>): PasswordCheckGate | undefined {
  if (!config.enabled) return undefined;
  const counter = failureCounter(config);
  const sweeper = setInterval(() => counter.sweep(), Math.min(SWEEP_MS, config.windowSeconds * 1000)).unref();
  app.addHook('onClose', async () => clearInterval(sweeper));

  // Callback hooks: synchronous work, so no promise per request.
  app.addHook('onRequest', (request, _reply, done) => {
    if (counter.size === 0 || !hasCredentials(request)) return done();
    const login = loginKey(basicLogin(request));
    const wait = Math.max(counter.retryAfter(`ip:${request.ip}`), login === undefined ? 0 : counter.retryAfter(login));
    if (wait === 0) return done();
    metrics.throttled();
    done(new ApiError('tooManyRequests', undefined, { 'retry-after': String(wait) }));
  });

  // A 401 on a request that carried credentials is a failed login or token verification.
  app.addHook('onResponse', (request, reply, done) => {
    if (reply.statusCode === 401 && hasCredentials(request)) {
      counter.fail(`ip:${request.ip}`);
      // The login of Basic credentials, or the one whose password the route checked (PATCH /user/password).
      const login = loginKey(basicLogin(request) ?? request.passwordLogin);
      if (login !== undefined) counter.fail(login);
    }
    done();
  });

  return (request, login) => {
    const account = loginKey(login);
    const keys = account === undefined ? [`ip:${request.ip}`] : [`ip:${request.ip}`, account];
    const wait = Math.max(...keys.map((key) => counter.retryAfter(key, true)));
    if (wait > 0) {
      metrics.throttled();
      throw new ApiError('tooManyRequests', undefined, { 'retry-after': String(wait) });
    }
    for (const key of keys) counter.begin(key);
    return () => {
      for (const key of keys) counter.end(key);
    };
  };
}

function hasCredentials(request: FastifyRequest): boolean {
  const h = request.headers;
  return h.authorization !== undefined || h.macaroon !== undefined || h['x-auth-token'] !== undefined;
}

/** The login of a Basic `Authorization` header, as authentication reads it. */
function basicLogin(request: FastifyRequest): string | undefined {
  const { authorization } = request.headers;
  return authorization === undefined ? undefined : basicCredentials(authorization)?.login;
}

/**
 * The throttle's key for a login: a SHA-256 of it, so every key has the same small size (the login
 * itself is a slice of the decoded header and would keep all of it, password included, alive).
 * Undefined for a login longer than any account's: it names no account, so its failures count
 * against the client address alone.
 */
export function loginKey(login: string | undefined): string | undefined {
  return login === undefined || login.length > MAX_LOGIN ? undefined : `login:${hash('sha256', login, 'base64url')}`;
}

/**
 * Node/Fastify server options that keep one client from holding the server: request head
 * size, a deadline for the headers (slowloris) and for the whole request, idle keep-alive
 * and socket timeouts. `nodeServer` goes to `http(s).createServer`; the rest to Fastify.
 */
export function serverLimitOptions(limits: ServerLimits) {
  const requestTimeout = limits.requestTimeoutMs;
  const nodeServer = {
    maxHeaderSize: MAX_HEADER_BYTES,
    // Node refuses a headers deadline later than the request deadline.
    headersTimeout: Math.min(limits.headersTimeoutMs, requestTimeout),
    requestTimeout,
    // How often those deadlines are enforced (Node's default is 30 s).
    connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
  };
  const fastify: Partial<FastifyServerOptions> = {
    requestTimeout,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionTimeout: requestTimeout * 2,
    clientErrorHandler,
  };
  return { nodeServer, fastify };
}

/** After the server exists: the connection cap (further connections are closed at once). */
export function applyConnectionCap(server: Server, limits: ServerLimits): void {
  server.maxConnections = limits.maxConnections;
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/** Malformed or oversized requests and timeouts, answered in the catalog's shape; then the socket is closed. */
function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const entry =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? catalog.headersTooLarge
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? catalog.requestTimeout
        : catalog.invalidRequest;
  const body = JSON.stringify({ error: entry.error, error_description: entry.description });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${entry.status} ${REASONS[entry.status]}\r\nContent-Type: application/json; charset=utf-8\r\nCache-Control: no-store\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
