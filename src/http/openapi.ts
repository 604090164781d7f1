import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify';
import { ErrorBody } from '../api/schemas.js';
import type { AuthRequirement } from './auth.js';
import { operationDoc } from './operation-docs.js';

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
          'Errors are always {"error", "error_description"} (schema Error): each operation lists the error statuses it answers, ' +
          'and `default` stands for the few any request can meet (405, 408, 431, 500, 503). ' +
          'See docs/compatibility.md for every difference from the RC2 swagger.',
      },
      servers: [{ url: prefix }],
      components: {
        securitySchemes: {
          macaroon: {
            type: 'apiKey',
            in: 'header',
            name: 'macaroon',
            description: "An access token: a user's (`GET /user/client_token`, with any bound `discharge-macaroons`) or, where providers are allowed, a provider's (`GET /provider/token`).",
          },
          xAuthToken: { type: 'apiKey', in: 'header', name: 'X-Auth-Token', description: 'The same tokens as `macaroon`.' },
          bearer: { type: 'http', scheme: 'bearer', description: 'The same tokens as `macaroon`.' },
          basic: { type: 'http', scheme: 'basic', description: "A user's login and password." },
          // OpenAPI 3.1 `mutualTLS`; the 3.0-based option types lack it.
          providerCertificate: { type: 'mutualTLS', description: 'Provider client certificate signed by the zone CA.' } as never,
        },
        schemas: { Error: JSON.parse(JSON.stringify(ErrorBody)) },
        responses: errorResponses(),
      },
      security: SECURITY.user,
      tags: [
        { name: 'User', description: 'User related operations' },
        { name: 'Space', description: 'Space related operations' },
        { name: 'Group', description: 'Group related operations' },
        { name: 'Provider', description: 'Provider related operations' },
        { name: 'Privileges', description: 'Operations on Onezone privileges' },
        { name: 'Extensions', description: 'Operations onezone-ts adds beside the RC2 API' },
      ],
    },
    // Paths in the document are relative to the server URL above. The error statuses go through
    // the operation as `x-errors`; transformObject turns them into responses. Summaries and
    // success descriptions come from http/operation-docs.ts where the route gives none.
    transform: ({ schema, url, route }) => {
      const auth = route.config?.auth ?? 'user';
      const summary = schema?.summary ?? operationDoc(schema?.operationId)?.summary;
      return {
        schema: {
          ...schema,
          ...(summary !== undefined && { summary }),
          ...(auth !== 'user' && { security: SECURITY[auth] }),
          [X_ERRORS]: errorStatuses(schema, auth),
        },
        url: url.startsWith(prefix) ? url.slice(prefix.length) || '/' : url,
      };
    },
    transformObject: (document) => {
      const { openapiObject } = document as { openapiObject: { paths: Record<string, object> } };
      for (const operations of Object.values(openapiObject.paths)) {
        for (const op of Object.values(operations as Record<string, Operation>)) {
          const success = operationDoc(op.operationId)?.success;
          for (const [status, response] of Object.entries(op.responses)) {
            // The generator's placeholder: the route's response schema has no description.
            if (success !== undefined && status.startsWith('2') && response.description === PLACEHOLDER) response.description = success;
          }
          for (const status of op[X_ERRORS]) op.responses[status] = { $ref: `#/components/responses/${ERRORS[status].name}` };
          op.responses.default = { $ref: '#/components/responses/Error' };
          delete (op as Partial<Operation>)[X_ERRORS];
        }
      }
      return openapiObject;
    },
  };
}

/** The credentials each kind of route takes (http/auth.ts): one scheme per alternative. */
type Requirement = Record<string, string[]>;
const USER_CREDENTIALS: Requirement[] = [{ macaroon: [] }, { xAuthToken: [] }, { bearer: [] }, { basic: [] }];
const SECURITY: Record<AuthRequirement, Requirement[]> = {
  user: USER_CREDENTIALS,
  // Basic authenticates users only; a provider's token goes in any of the token headers.
  provider: [{ providerCertificate: [] }, { macaroon: [] }, { xAuthToken: [] }, { bearer: [] }],
  any: [...USER_CREDENTIALS, { providerCertificate: [] }],
  none: [],
};

const X_ERRORS = 'x-errors';
type Operation = { operationId?: string; responses: Record<string, { description?: string; $ref?: string }>; [X_ERRORS]: ErrorStatus[] };
/** What @fastify/swagger writes for a response whose schema has no description. */
const PLACEHOLDER = 'Default Response';

/** The shared error responses, by status; `default` (components.responses.Error) stands for the rest. */
const ERRORS = {
  400: {
    name: 'BadRequest',
    description:
      'The request is invalid: malformed JSON, or a body field or parameter that fails validation (`invalid_request`, naming the field, never echoing its value), ' +
      'a token that cannot be used (`invalid_token`), or a join that would make a group its own ancestor (`would_introduce_cycle`).',
  },
  401: {
    name: 'Unauthorized',
    description: 'No credentials, or credentials that are not valid (`unauthorized`, `invalid_token`).',
    headers: { 'WWW-Authenticate': { description: '`Bearer realm="onezone"`, with `error="invalid_token"` for a refused token.', schema: { type: 'string' } } },
  },
  403: {
    name: 'Forbidden',
    description: 'The caller may not do this: a privilege is missing, or the operation is for users only or for providers only (`forbidden`).',
  },
  404: { name: 'NotFound', description: 'Something the request names does not exist, or is not where the path says (`not_found`).' },
  409: { name: 'Conflict', description: 'The resource already exists (`conflict`).' },
  413: { name: 'PayloadTooLarge', description: 'The request body is larger than the zone accepts (`payload_too_large`).' },
  415: {
    name: 'UnsupportedMediaType',
    description: 'The request body is not JSON in UTF-8, or is compressed (`unsupported_media_type`).',
  },
  429: {
    name: 'TooManyRequests',
    description: 'Too many failed credential checks from this address or for this login (`too_many_requests`).',
    headers: { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } } },
  },
} satisfies Record<number, { name: string; description: string; headers?: ResponseHeaders }>;
type ErrorStatus = keyof typeof ERRORS;

type ResponseHeaders = Record<string, { description: string; schema: { type: 'string' | 'integer' } }>;

function errorResponses() {
  const error = (description: string, headers?: ResponseHeaders) => ({
    description,
    ...(headers && { headers }),
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  });
  const responses: Record<string, ReturnType<typeof error>> = {};
  for (const { name, description, ...rest } of Object.values(ERRORS)) responses[name] = error(description, 'headers' in rest ? rest.headers : undefined);
  responses.Error = error(
    'Any other failure: 405 `method_not_allowed` (`Allow` lists the methods the path has), 408 or 431 `invalid_request` ' +
      '(the request took too long to arrive, or its headers are too large), 500 `internal_error`, 503 `service_unavailable` (the zone is shutting down).',
    { Allow: { description: 'With 405: the methods the path has.', schema: { type: 'string' } } },
  );
  return responses;
}

/**
 * The error statuses an operation answers, from the route's shape: anything with input can be
 * invalid, anything authenticated can be refused, anything with path ids can be missing. A route
 * lists any others in `schema.errors`.
 */
function errorStatuses(schema: FastifySchema | undefined, auth: AuthRequirement): ErrorStatus[] {
  const statuses = new Set<ErrorStatus>(schema?.errors);
  const body = schema?.body !== undefined;
  if (body || schema?.params !== undefined || schema?.querystring !== undefined) statuses.add(400);
  if (auth !== 'none') for (const s of [401, 403, 429] as const) statuses.add(s);
  if (schema?.params !== undefined) statuses.add(404);
  if (body) for (const s of [413, 415] as const) statuses.add(s);
  return [...statuses].sort((a, b) => a - b);
}
