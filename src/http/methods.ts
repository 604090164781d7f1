import type { FastifyInstance, HTTPMethods } from 'fastify';
import { ApiError } from '../errors.js';
import { send } from './errors.js';
import { isUiPath, SECURITY_HEADERS } from './web.js';
import type {} from '../api/types.js';

const METHODS: HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE'];

/**
 * 405 with `Allow` for a known path and a method it does not have (Fastify alone says 404),
 * OPTIONS and TRACE included (no CORS: the web UI is served from the zone's own origin), and
 * HEAD where there is no HEAD route (a GET that mints a token has none: HEAD must not write).
 * Call `track` before the routes are registered and `fill` after.
 */
export function methodNotAllowed(app: FastifyInstance) {
  const allowed = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    if (route.config?.methodFiller) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const set = allowed.get(route.url) ?? new Set<string>();
    for (const m of methods) set.add(m);
    allowed.set(route.url, set);
  });
  return {
    fill(): void {
      for (const [url, set] of allowed) {
        const missing = METHODS.filter((m) => !set.has(m));
        // Fastify gives the filler a HEAD route when it refuses GET; a GET without one (it mints)
        // gets a HEAD filler of its own, alone as Fastify's HEAD routes are, which the OpenAPI
        // generator leaves out (http/openapi.ts).
        const headless = set.has('GET') && !set.has('HEAD');
        const allow = [...set].filter((m) => m !== 'HEAD').join(', ');
        // The web UI's paths carry its headers on every answer, errors included (http/web.ts).
        const headers = url === '/' || isUiPath(url) ? SECURITY_HEADERS : {};
        const refuse = (method: HTTPMethods | HTTPMethods[]) =>
          app.route({
            method,
            url,
            config: { auth: 'none', methodFiller: true },
            schema: { hide: true },
            // Answer before the body is parsed: a wrong method wins over a bad body.
            onRequest: async (_request, reply) => send(reply.headers(headers), new ApiError('methodNotAllowed', undefined, { allow })),
            handler: async () => undefined,
          });
        if (missing.length > 0) refuse(missing);
        if (headless) refuse('HEAD');
      }
    },
  };
}

declare module 'fastify' {
  interface FastifyContextConfig {
    methodFiller?: boolean;
  }
}
