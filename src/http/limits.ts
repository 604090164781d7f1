import type { FastifyInstance, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ServerLimits, ThrottleConfig } from '../config.js';
import { ApiError, catalog } from '../errors.js';
import type { Metrics } from '../metrics.js';

/** Largest request head (request line, URL and headers) Node will parse; beyond it: 431. */
export const MAX_HEADER_BYTES = 16 * 1024;
/** Most keys the throttle remembers at once; the oldest window is forgotten first. */
const MAX_TRACKED = 100_000;

interface Window {
  failures: number;
  /** Milliseconds since the epoch when this window's count is forgotten. */
  resetAt: number;
}

/**
 * Fixed-window counters of failed attempts, keyed by client address (`ip:…`) and by Basic
 * login (`login:…`). Bounded in size (oldest windows evicted first) and in time (a window
 * is forgotten when it ends), so an attacker cannot make it grow without limit.
 */
export function failureCounter(config: ThrottleConfig, now: () => number = Date.now) {
  const windows = new Map<string, Window>();
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

    /** Seconds until `key` may try again, or 0 when it is not over the limit. */
    retryAfter(key: string): number {
      const w = live(key);
      return w && w.failures >= config.attempts ? Math.max(1, Math.ceil((w.resetAt - now()) / 1000)) : 0;
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
 * Everything that guards the request path, in the order it must run: draining on shutdown,
 * then the throttle. Register BEFORE authentication.
 */
export function registerLimits(app: FastifyInstance, throttle: ThrottleConfig, metrics: Pick<Metrics, 'throttled'>): void {
  registerDraining(app);
  registerThrottle(app, throttle, metrics);
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
 */
function registerThrottle(app: FastifyInstance, config: ThrottleConfig, metrics: Pick<Metrics, 'throttled'>): void {
  if (!config.enabled) return;
  const counter = failureCounter(config);

  // Callback hooks: synchronous work, so no promise per request.
  app.addHook('onRequest', (request, _reply, done) => {
    if (counter.size === 0 || !hasCredentials(request)) return done();
    const login = basicLogin(request);
    const wait = Math.max(counter.retryAfter(`ip:${request.ip}`), login === undefined ? 0 : counter.retryAfter(`login:${login}`));
    if (wait === 0) return done();
    metrics.throttled();
    done(new ApiError('tooManyRequests', undefined, { 'retry-after': String(wait) }));
  });

  // A 401 on a request that carried credentials is a failed login or token verification.
  app.addHook('onResponse', (request, reply, done) => {
    if (reply.statusCode === 401 && hasCredentials(request)) {
      counter.fail(`ip:${request.ip}`);
      const login = basicLogin(request);
      if (login !== undefined) counter.fail(`login:${login}`);
    }
    done();
  });
}

function hasCredentials(request: FastifyRequest): boolean {
  const h = request.headers;
  return h.authorization !== undefined || h.macaroon !== undefined || h['x-auth-token'] !== undefined;
}

/** The login of a Basic `Authorization` header, without looking at the password. */
function basicLogin(request: FastifyRequest): string | undefined {
  const m = /^\s*basic\s+(\S+)/i.exec(request.headers.authorization ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 ? decoded.slice(0, colon) : undefined;
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
      `HTTP/1.1 ${entry.status} ${REASONS[entry.status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
