import type { FastifyReply } from 'fastify';
import { derived } from '../store/answers.js';

/**
 * A response body made once per shared answer. Cached database answers are frozen and shared
 * until the next commit (store/sqlite-driver.ts), so a body made from one cannot change while it
 * lives: it is serialized by the route's own schema on first use and kept as bytes, keyed by
 * that answer (and `variant`, what else the body holds), and goes when the answer does. A body
 * from anything not frozen is made afresh. The bytes skip the serializer, the UTF-8 encoding and
 * the length count that a string body costs on every request (a 1,000-space list is 46 KB).
 */
export function sharedJson<T>(reply: FastifyReply, source: object, variant: string, payload: () => T): T {
  if (!Object.isFrozen(source)) return payload();
  const bodies = derived(source, BODIES, () => new Map<string, Buffer>());
  let body = bodies.get(variant);
  if (body === undefined) {
    body = Buffer.from(reply.serialize(payload()) as string);
    // A shared answer is read by few callers (one user's own rows): a handful of variants at most.
    if (bodies.size < MAX_VARIANTS) bodies.set(variant, body);
  }
  reply.type(JSON_TYPE);
  // Typed as the payload it stands for: Fastify sends a Buffer as it is, without serializing it.
  return body as T;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const MAX_VARIANTS = 8;
const BODIES = Symbol('bodies');
