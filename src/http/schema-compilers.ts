import AjvCompiler from '@fastify/ajv-compiler';
import SerializerCompiler from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

type Factory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type Validator = ((data: unknown) => unknown) & { errors?: unknown };

/**
 * Fastify's own schema compilers (Ajv for requests, fast-json-stringify for responses), each
 * route's compiled on its first request instead of at start: a hundred routes' validators and
 * serializers cost about a fifth of the start-up time, and most routes of a running zone are
 * never called. Same compilers, same options, same answers; a broken schema shows on first use
 * (the API tests call every route).
 */
export function lazySchemaCompilers(): Factory {
  const buildValidator = AjvCompiler();
  const buildSerializer = SerializerCompiler();
  return {
    buildValidator: (externalSchemas, options) => {
      const compile = buildValidator(externalSchemas as never, options as never);
      return (route) => {
        let compiled: Validator | undefined;
        const validate: Validator = (data) => {
          compiled ??= compile(route as never) as Validator;
          const result = compiled(data);
          // Fastify reads a failed validation's errors off the function it was given.
          validate.errors = compiled.errors;
          return result;
        };
        return validate as never;
      };
    },
    buildSerializer: (externalSchemas, options) => {
      const compile = buildSerializer(externalSchemas as never, options as never);
      return (route) => {
        let compiled: ((data: unknown) => string) | undefined;
        return (data: unknown) => (compiled ??= compile(route as never) as (data: unknown) => string)(data);
      };
    },
  };
}
