import type { FastifyInstance, HTTPMethods } from 'fastify';
import { ApiError } from '../errors.js';
import { send } from './errors.js';
import { isUiPath, SECURITY_HEADERS } from './web.js';
import type {} from '../api/types.js';

const METHODS: HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE'];

/**
 * 405 with `Allow` for a known path and a method it does not have (Fastify alone says 404),
 * OPTIONS and TRACE included (no CORS: the web UI is served from the zone's own origin).
 * Call `track` before the routes are registered and `fill` after.
 */
export function methodNotAllowed(app: FastifyInstance) {
  const allowed = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    if (route.config?.methodFiller) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const set = allowed.get(route.url) ?? new Set<string>();
    for (const m of methods) if (m !== 'HEAD') set.add(m);
    allowed.set(route.url, set);
  });
  return {
    fill(): void {
      for (const [url, set] of allowed) {
        const missing = METHODS.filter((m) => !set.has(m));
        if (missing.length === 0) continue;
        const allow = [...set].join(', ');
        // The web UI's paths carry its headers on every answer, errors included (http/web.ts).
        const headers = url === '/' || isUiPath(url) ? SECURITY_HEADERS : {};
        app.route({
          method: missing,
          url,
          config: { auth: 'none', methodFiller: true },
          schema: { hide: true },
          // Answer before the body is parsed: a wrong method wins over a bad body.
          onRequest: async (_request, reply) => send(reply.headers(headers), new ApiError('methodNotAllowed', undefined, { allow })),
          handler: async () => undefined,
        });
      }
    },
  };
}

declare module 'fastify' {
  interface FastifyContextConfig {
    methodFiller?: boolean;
  }
}
