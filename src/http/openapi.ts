import type { FastifyInstance, RouteOptions } from 'fastify';

/**
 * The OpenAPI 3.1 document, generated from the route schemas (the same ones that validate
 * requests and serialize responses). Served at `<prefix>/openapi.json`; a copy is committed as
 * docs/openapi.json (`npm run openapi`).
 *
 * Start-up only records the routes: the generator (@fastify/swagger and what it loads) is
 * loaded and run on the first request for the document, on a throwaway Fastify instance that
 * holds the same routes without compiling their schemas. Returns the document's getter.
 */
export function registerOpenApi(app: FastifyInstance, prefix: string): () => Promise<unknown> {
  const routes: RouteOptions[] = [];
  // Registered as a plugin that shares the root's scope (Fastify's `skip-override`), where the
  // generator's own plugin used to be, so that it sees the routes in the same order.
  const recorder = async (instance: FastifyInstance) => {
    instance.addHook('onRoute', (route) => {
      if (route.method !== 'HEAD') routes.push(route);
    });
  };
  Object.assign(recorder, { [Symbol.for('skip-override')]: true });
  app.register(recorder);
  let document: Promise<unknown> | undefined;
  return () => (document ??= generate(routes, prefix));
}

async function generate(routes: readonly RouteOptions[], prefix: string): Promise<unknown> {
  const [{ default: Fastify }, { default: swagger }] = await Promise.all([import('fastify'), import('@fastify/swagger')]);
  const doc = Fastify();
  // Only the schemas' text is read: nothing is validated or serialized here.
  doc.setValidatorCompiler(() => () => true);
  doc.setSerializerCompiler(() => (data) => JSON.stringify(data));
  await doc.register(swagger, swaggerOptions(prefix));
  for (const { method, url, schema, config } of routes) {
    doc.route({ method, url, schema, config, handler: async () => undefined });
  }
  await doc.ready();
  try {
    return (doc as FastifyInstance & { swagger(): unknown }).swagger();
  } finally {
    await doc.close();
  }
}

function swaggerOptions(prefix: string): Parameters<typeof import('@fastify/swagger').default>[1] {
  return {
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
  };
}
