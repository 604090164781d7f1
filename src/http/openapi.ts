import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

/**
 * The OpenAPI 3.1 document, generated from the route schemas (the same ones that validate
 * requests and serialize responses). Served at `<prefix>/openapi.json`; a copy is committed as
 * docs/openapi.json (`npm run openapi`).
 */
export function registerOpenApi(app: FastifyInstance, prefix: string): void {
  app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Onezone',
        version: '3.0.0-RC2',
        description:
          'The Onezone 3.0.0-RC2 REST API as served by onezone-ts, with its extensions (tag Extensions). ' +
          'Errors are always {"error", "error_description"}. See docs/compatibility.md for every difference from the RC2 swagger.',
      },
      servers: [{ url: prefix }],
      components: {
        securitySchemes: {
          macaroon: { type: 'apiKey', in: 'header', name: 'macaroon' },
          xAuthToken: { type: 'apiKey', in: 'header', name: 'X-Auth-Token' },
          bearer: { type: 'http', scheme: 'bearer' },
          basic: { type: 'http', scheme: 'basic' },
          // OpenAPI 3.1 `mutualTLS`; the 3.0-based option types lack it.
          providerCertificate: { type: 'mutualTLS', description: 'Provider client certificate signed by the zone CA.' } as never,
        },
      },
      security: [{ macaroon: [] }, { xAuthToken: [] }, { bearer: [] }, { basic: [] }],
      tags: [
        { name: 'User', description: 'User related operations' },
        { name: 'Space', description: 'Space related operations' },
        { name: 'Group', description: 'Group related operations' },
        { name: 'Provider', description: 'Provider related operations' },
        { name: 'Privileges', description: 'Operations on Onezone privileges' },
        { name: 'Extensions', description: 'Operations onezone-ts adds beside the RC2 API' },
      ],
    },
    // Paths in the document are relative to the server URL above.
    transform: ({ schema, url, route }) => ({
      schema: route.config?.auth === 'none' ? { ...schema, security: [] } : schema,
      url: url.startsWith(prefix) ? url.slice(prefix.length) || '/' : url,
    }),
  });
}

export function openApiDocument(app: FastifyInstance): unknown {
  return (app as FastifyInstance & { swagger(): unknown }).swagger();
}
