import type { FastifyServerOptions } from 'fastify';

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
        headers: level === 'debug' || level === 'trace' ? { ...req.headers } : undefined,
      }),
    },
    ...(stream ? { stream } : {}),
  } as FastifyServerOptions['logger'];
}
