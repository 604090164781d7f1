import type { FastifyInstance } from 'fastify';
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
