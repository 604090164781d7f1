import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { ApiError, invalidField } from '../errors.js';

/**
 * Request bodies are JSON in UTF-8, sent as they are. Fastify reads any body as UTF-8 and ignores
 * `Content-Encoding`, so a compressed body or one in another charset would be misread (or read
 * as garbage that happens to parse): both are refused with 415 before the body is read.
 */
export function registerBodyChecks(app: FastifyInstance): void {
  // A callback hook: most requests carry neither header, and an async hook costs a promise.
  app.addHook('preParsing', (request, _reply, payload, done) => {
    const encoding = request.headers['content-encoding'];
    if (encoding !== undefined && !/^\s*identity\s*$/i.test(encoding)) {
      return done(new ApiError('unsupportedMediaType', 'Compressed request bodies are not accepted; send the JSON as it is (no Content-Encoding).'));
    }
    const charset = CHARSET.exec(request.headers['content-type'] ?? '')?.[1];
    if (charset !== undefined && !/^"?utf-?8"?$/i.test(charset)) {
      return done(new ApiError('unsupportedMediaType', 'The request body must be JSON in UTF-8.'));
    }
    done(null, payload);
  });
}

const CHARSET = /;\s*charset\s*=\s*("[^"]*"|[^;\s]*)/i;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set for routes whose body schema is optional as a whole (`Type.Optional(…)`). */
    optionalBody?: boolean;
  }
}

/**
 * A route whose whole body is optional (the invite-minting POSTs, which later Onezone clients send
 * without a body) takes no body, or an empty one, as `{}`: every option left at its default. A
 * route that takes no body takes an empty one as none. Everywhere else an empty JSON body stays an
 * error. Register before the routes.
 */
export function registerOptionalBodies(app: FastifyInstance): void {
  // Fastify's own JSON parser (prototype-poisoning checks included), with one exception.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') {
      if (request.routeOptions.config.optionalBody) return done(null, {});
      // An operation without a body (a DELETE, say) sent with the header and nothing else, as the
      // 2016 client sent every request: no body, as without the header.
      if (request.routeOptions.schema?.body === undefined) return done(null, undefined);
    }
    // JSON text cannot hold a raw NUL: only the escape makes one, and most bodies have none.
    if (!(body as string).includes('\\u0000')) return json(request, body as string, done);
    json(request, body as string, (err, value) => {
      const at = err ? undefined : nulAt(value);
      if (at === undefined) return done(err, value);
      done(invalidField(at, 'must not contain NUL characters'));
    });
  });
  app.addHook('onRoute', (route) => {
    const body = route.schema?.body as { '~optional'?: boolean } | undefined;
    if (body?.['~optional'] !== true) return;
    route.config = { ...route.config, optionalBody: true };
    const own = route.preValidation === undefined ? [] : Array.isArray(route.preValidation) ? route.preValidation : [route.preValidation];
    const noBodyIsEmpty = (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
      // Only an absent body: a JSON `null` is a body, and not an object.
      if (request.body === undefined) request.body = {};
      done();
    };
    route.preValidation = [noBodyIsEmpty, ...own] as typeof route.preValidation;
  });
}

/**
 * The path (`name`, `emailList.1`) of the first string in a parsed body that holds a NUL, or
 * undefined. PostgreSQL cannot store one and SQLite can: refused before any route runs, both
 * databases answer alike (a 400 naming the field). Keys are not checked: none is stored; nor a
 * body that is a string, which no route accepts. Iterative: only the size bounds the nesting.
 */
function nulAt(body: unknown): string | undefined {
  const pending: [unknown, string][] = [[body, '']];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, path] = next;
    if (typeof value === 'string') {
      if (path && value.includes('\0')) return path;
    } else if (typeof value === 'object' && value !== null) {
      const entries = Object.entries(value);
      // Reversed onto the stack, so that the first string in document order is the one named.
      for (let i = entries.length - 1; i >= 0; i--) pending.push([entries[i]![1], path ? `${path}.${entries[i]![0]}` : entries[i]![0]]);
    }
  }
  return undefined;
}
