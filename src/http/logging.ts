import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import type { Bindings, ChildLoggerOptions, LogFn } from 'pino';

/**
 * pino, with every place a secret could reach the log censored: credential headers, and any
 * field named like a token, password or key. Bodies are never logged.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.macaroon',
  'req.headers["x-auth-token"]',
  'req.headers["discharge-macaroons"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers.macaroon',
  'headers["x-auth-token"]',
  'headers["discharge-macaroons"]',
  'headers.cookie',
  '*.token',
  '*.password',
  '*.masterKey',
  '*.key',
  'token',
  'password',
];

export function loggerOptions(level: string, stream?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      // Fastify's default request serializer, plus headers (redacted above) at debug level.
      req: (req: { method: string; url: string; headers: Record<string, unknown>; socket?: { remoteAddress?: string } }) => ({
        method: req.method,
        url: loggedUrl(req.url),
        remoteAddress: req.socket?.remoteAddress,
        headers: level === 'debug' || level === 'trace' ? censorHeaders(req.headers) : undefined,
      }),
    },
    ...(stream ? { stream } : {}),
  } as FastifyServerOptions['logger'];
}

/**
 * A request's headers for a debug line, each whose name may carry a credential censored: the
 * ones the zone reads and any a proxy or client adds under its own name (Proxy-Authorization,
 * X-Forwarded-Authorization, X-Api-Key…), which no fixed list could name in advance.
 */
function censorHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (CREDENTIAL_HEADER.test(name)) out[name] = '[redacted]';
    else if (URL_HEADER.test(name) && typeof value === 'string') out[name] = value.split(/[\s,]+/).map(loggedUrl).join(' ');
    else out[name] = value;
  }
  return out;
}
const CREDENTIAL_HEADER = /auth|token|macaroon|cookie|session|secret|key|pass|signature|credential|bearer|jwt|csrf|xsrf/i;
/** Headers whose value names a URL (Referer: the UI's page; X-Original-URI: a proxy's copy of ours). */
const URL_HEADER = /referr?er|ur[il]|location|path/i;

/**
 * A request URL as logs may show it. A token can ride in any part of it: the query string (the
 * 2016 client's `?token=`), a mistyped path (`/user/spaces/join/<token>`), the user info of an
 * absolute-form target (`http://user:pass@zone/...`). Logged are the path's segments that look
 * like a route's words or an id; any other segment (longer than an id, or with characters no id
 * has, percent escapes included) is replaced, and scheme, host, user info, query and fragment
 * are dropped.
 */
export function loggedUrl(url: string): string {
  let path = url.split(/[?#]/, 1)[0]!;
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(path);
  if (absolute) path = path.slice(absolute[0].length) || '/';
  return path
    .split('/')
    .map((segment) => (segment === '' || LOGGED_SEGMENT.test(segment) ? segment : '[redacted]'))
    .join('/');
}
/** Route words, ids (43 base64url characters) and file names; a token is hundreds of characters. */
const LOGGED_SEGMENT = /^[A-Za-z0-9_.~-]{1,64}$/;

/**
 * Fastify's `childLoggerFactory`: every request gets a logger bound to its id, but pino builds
 * a child (bindings, redaction) at once, a cost on every request although most never log at
 * the configured level. This one builds the same child on the request's first log call.
 */
export function lazyChildLogger(logger: FastifyBaseLogger, bindings: Bindings, opts: ChildLoggerOptions): FastifyBaseLogger {
  return new LazyChild(logger, bindings, opts) as unknown as FastifyBaseLogger;
}

class LazyChild {
  #child: FastifyBaseLogger | undefined;
  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly opts: ChildLoggerOptions,
  ) {}

  private get real(): FastifyBaseLogger {
    return (this.#child ??= this.parent.child(this.bindings, this.opts));
  }

  get level(): string {
    return this.real.level;
  }
  set level(level: string) {
    this.real.level = level;
  }
  fatal(...args: Parameters<LogFn>): void {
    this.real.fatal(...args);
  }
  error(...args: Parameters<LogFn>): void {
    this.real.error(...args);
  }
  warn(...args: Parameters<LogFn>): void {
    this.real.warn(...args);
  }
  info(...args: Parameters<LogFn>): void {
    this.real.info(...args);
  }
  debug(...args: Parameters<LogFn>): void {
    this.real.debug(...args);
  }
  trace(...args: Parameters<LogFn>): void {
    this.real.trace(...args);
  }
  silent(...args: Parameters<LogFn>): void {
    this.real.silent(...args);
  }
  child(bindings: Bindings, opts?: ChildLoggerOptions): FastifyBaseLogger {
    return this.real.child(bindings, opts);
  }
}
