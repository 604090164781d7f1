import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { ApiError } from '../errors.js';

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
 * without a body) takes no body, or an empty one, as `{}`: every option left at its default.
 * Everywhere else an empty JSON body stays an error. Register before the routes.
 */
export function registerOptionalBodies(app: FastifyInstance): void {
  // Fastify's own JSON parser (prototype-poisoning checks included), with one exception.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '' && request.routeOptions.config.optionalBody) return done(null, {});
    json(request, body as string, done);
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
