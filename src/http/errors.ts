import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import { ApiError, type ErrorKind, missingField } from '../errors.js';
import { isDatabaseTimeout, isDatabaseUnavailable } from '../store/db.js';
import { isMissingReference, isUnstorableText } from '../store/dialect.js';

/**
 * The one place where errors become responses: `{"error": CODE, "error_description": TEXT}`.
 * Framework errors are translated to catalog entries; anything unexpected is a 500 that says
 * nothing about its cause (the cause goes to the log).
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const apiError = toApiError(err);
    // Refusals the zone means (draining at shutdown, a database that is down) are expected: a
    // line with the reason, no stack. Anything else at 500 is a fault worth its stack.
    if (err instanceof ApiError && err.kind === 'unavailable') request.log.info({ reason: err.message }, 'request refused');
    // A slow or blocked statement is the operator's to find: which route, at error level.
    else if (isDatabaseTimeout(err)) request.log.error({ cause: err.message, route: request.routeOptions.url }, 'database query timed out');
    else if (apiError.kind === 'unavailable') request.log.warn({ cause: err.message }, 'database not reachable');
    else if (apiError.status >= 500) request.log.error({ err }, 'request failed');
    // Answered as a 404, but worth a line: a foreign key that no race explains would be a bug.
    else if (isMissingReference(err)) request.log.warn({ err }, 'a write raced the deletion of a row it refers to');
    send(reply, apiError);
  });
  app.setNotFoundHandler((_request: FastifyRequest, reply: FastifyReply) => {
    send(reply, new ApiError('notFound', 'No such resource.'));
  });
}

/**
 * Fastify's `frameworkErrors` option: errors the router raises before any route or hook runs
 * (malformed percent-encoding, overlong parameters). Without it they are answered in Fastify's
 * own shape, echoing the path.
 */
export function routerErrorHandler(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  send(reply, toApiError(err));
}

export function send(reply: FastifyReply, err: ApiError): FastifyReply {
  return reply
    .code(err.status)
    .headers(err.headers)
    .type('application/json; charset=utf-8')
    .send(JSON.stringify({ error: err.code, error_description: err.message }));
}

/** Seconds a client should wait before retrying while the database is unreachable. */
const RETRY_AFTER_S = 5;

const frameworkErrors: Record<string, ErrorKind> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupportedMediaType',
  FST_ERR_CTP_INVALID_TYPE: 'unsupportedMediaType',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payloadTooLarge',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformedJson',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalidRequest',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformedJson',
  FST_ERR_BAD_URL: 'notFound',
  // A path parameter longer than any id can be: nothing there.
  FST_ERR_MAX_PARAM_LENGTH: 'notFound',
};

function toApiError(err: FastifyError): ApiError {
  if (err instanceof ApiError) return err;
  if (isUnstorableText(err)) return new ApiError('invalidRequest', 'Text must not contain NUL characters.');
  // A write racing the deletion of a row it refers to (the space, the group, the caller).
  if (isMissingReference(err)) return new ApiError('notFound', 'Something this request refers to was removed while it ran; nothing was changed.');
  if (err.validation) return validationError(err);
  const kind = frameworkErrors[err.code];
  if (kind === 'malformedJson' && err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return new ApiError(kind, 'The request body is empty; a JSON object is expected.');
  }
  if (kind) return new ApiError(kind);
  // secure-json-parse rejects __proto__/constructor keys with a 400 SyntaxError.
  if (err.statusCode === 400 || err instanceof SyntaxError) return new ApiError('malformedJson');
  if (err.statusCode === 413) return new ApiError('payloadTooLarge');
  if (err.statusCode === 415) return new ApiError('unsupportedMediaType');
  // Not the framework's (a client's aborted upload carries a status): the database's connection.
  if (err.statusCode === undefined && isDatabaseTimeout(err)) {
    return new ApiError('unavailable', 'The database did not answer in time; retry later.', { 'retry-after': String(RETRY_AFTER_S) });
  }
  if (err.statusCode === undefined && isDatabaseUnavailable(err)) {
    return new ApiError('unavailable', 'The database is not reachable; retry later.', { 'retry-after': String(RETRY_AFTER_S) });
  }
  return new ApiError('internal');
}

/**
 * An Ajv plugin (app.ts): a schema may word its own refusal in `errorMessage`, read from the
 * error's schema (Ajv's `verbose`). A union's branches each say only what they wanted (`must be
 * integer` for `"abc"`, where a digit string was as good).
 */
export const errorMessageKeyword = <A extends { addKeyword(definition: { keyword: string; schemaType: string }): A }>(ajv: A): A =>
  ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });

const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** Names the offending field, never its value (it may be a token or a password). */
function validationError(err: FastifyError): ApiError {
  const where = err.validationContext ?? 'body';
  // Every path parameter is an id (api/schemas.ts `Id`): a value no id can have names nothing.
  if (where === 'params') return new ApiError('notFound');
  // A body that may take several shapes (an object or a list) failed each: the deepest failure is
  // the one in the shape the client chose (`[80]` is a list whose item is wrong, not a bad object).
  const all = err.validation!;
  const first = all.some((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
    ? all.reduce((deepest, e) => (e.instancePath.length > deepest.instancePath.length ? e : deepest))
    : all[0]!;
  if (first.keyword === 'required') {
    return missingField(String((first.params as { missingProperty?: string }).missingProperty));
  }
  const field = first.instancePath.split('/').filter(Boolean).join('.');
  if (first.keyword === 'additionalProperties') {
    const key = String((first.params as { additionalProperty?: string }).additionalProperty);
    // Echoed when it reads as a field name (a typo to spot); anything else may be a value sent as a key.
    if (!FIELD_NAME.test(key)) return new ApiError('invalidRequest', `unknown key${field ? ` in '${field}'` : ''} (not shown: not a field name)`);
    return new ApiError('invalidRequest', `unknown key: '${field ? `${field}.` : ''}${key}'`);
  }
  if (!field) {
    return new ApiError('invalidRequest', where === 'body' ? 'The request body must be a JSON object.' : `Invalid ${where}.`);
  }
  const own = all.filter((e) => e.instancePath === first.instancePath).map(schemaMessage).find((m) => m !== undefined);
  return new ApiError('invalidRequest', `invalid '${field}' value: ${own ?? first.message ?? 'not allowed'}`);
}

/** The `errorMessage` of the schema that refused (see `errorMessageKeyword`), if it has one. */
function schemaMessage(e: FastifySchemaValidationError): string | undefined {
  const message = (e as { parentSchema?: { errorMessage?: unknown } }).parentSchema?.errorMessage;
  return typeof message === 'string' ? message : undefined;
}
