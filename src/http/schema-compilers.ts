import AjvCompiler from '@fastify/ajv-compiler';
import SerializerCompiler from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';
import { derived } from '../store/answers.js';

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
        const flat = flatStringObject((route as { schema?: unknown }).schema);
        if (flat) return nativeSerializer(flat);
        let compiled: ((data: unknown) => string) | undefined;
        return (data: unknown) => (compiled ??= compile(route as never) as (data: unknown) => string)(data);
      };
    },
  };
}

/**
 * The property names of a response schema that is an object of strings and string arrays only
 * (the id lists: `{"spaces": [...]}` and the like), else undefined. fast-json-stringify checks
 * every string of a list for characters to escape one by one; V8's own JSON.stringify does the
 * same several times faster, which matters for lists of thousands of ids.
 */
function flatStringObject(schema: unknown): string[] | undefined {
  const s = schema as { type?: unknown; properties?: Record<string, { type?: unknown; items?: { type?: unknown } }>; additionalProperties?: unknown };
  if (s?.type !== 'object' || !s.properties || (s.additionalProperties !== undefined && s.additionalProperties !== false)) return undefined;
  const keys = Object.keys(s.properties);
  const stringy = (p: { type?: unknown; items?: { type?: unknown } }) => p.type === 'string' || (p.type === 'array' && p.items?.type === 'string');
  return keys.length > 0 && keys.every((k) => stringy(s.properties![k]!)) ? keys : undefined;
}

/**
 * Serializes exactly the schema's properties (as fast-json-stringify would), with JSON.stringify.
 * A frozen list (a cached database answer, shared until the next commit) cannot change, so its
 * JSON is made once and reused.
 */
function nativeSerializer(keys: readonly string[]) {
  const names = keys.map((k) => JSON.stringify(k));
  return (data: Record<string, unknown>): string => {
    let out = '';
    for (let i = 0; i < keys.length; i++) {
      const value = data[keys[i]!];
      if (value === undefined) continue;
      out += `${out === '' ? '{' : ','}${names[i]}:${Array.isArray(value) ? derived(value, AS_JSON, () => JSON.stringify(value)) : JSON.stringify(value)}`;
    }
    return out === '' ? '{}' : `${out}}`;
  };
}

const AS_JSON = Symbol('json');
