import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { Services } from '../app.js';
import type { UserActor } from '../domain/actor.js';
import type { Actor } from '../domain/actor.js';

export type Api = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export type Routes = (app: Api, services: Services) => void;

/** The auth hook guarantees a user on routes whose `config.auth` is `user`. */
export const asUser = (actor: Actor): UserActor => actor as UserActor;

declare module 'fastify' {
  /** OpenAPI metadata carried by each route's schema. */
  interface FastifySchema {
    operationId?: string;
    tags?: readonly string[];
    summary?: string;
    description?: string;
    hide?: boolean;
    /**
     * Error statuses the route answers beyond those its shape implies (body, path parameters,
     * authentication: see http/openapi.ts). Documentation only.
     */
    errors?: readonly (400 | 404 | 409)[];
  }
}
