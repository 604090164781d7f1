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
        url: req.url.split('?')[0],
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
  for (const [name, value] of Object.entries(headers)) out[name] = CREDENTIAL_HEADER.test(name) ? '[redacted]' : value;
  return out;
}
const CREDENTIAL_HEADER = /auth|token|macaroon|cookie|session|secret|key|pass|signature|credential/i;

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
