/**
 * The closed error catalog. Every non-2xx response is rendered from one of these
 * entries by `http/errors.ts`; services throw `ApiError`s built here and nothing else.
 * `error` is the wire code of the RC2 `Error` model, `status` its HTTP status.
 */
export const catalog = {
  invalidRequest: { status: 400, error: 'invalid_request', description: 'The request is invalid.' },
  malformedJson: { status: 400, error: 'invalid_request', description: 'The request body is not valid JSON.' },
  invalidToken: { status: 400, error: 'invalid_token', description: 'Provided token could not be validated.' },
  wouldIntroduceCycle: { status: 400, error: 'would_introduce_cycle', description: 'The group cannot join: it would become its own ancestor.' },
  unauthorized: { status: 401, error: 'unauthorized', description: 'Authentication required.' },
  badCredentials: { status: 401, error: 'unauthorized', description: 'Provided credentials are not valid.' },
  badAccessToken: { status: 401, error: 'invalid_token', description: 'Provided access token could not be validated.' },
  forbidden: { status: 403, error: 'forbidden', description: 'You are not allowed to perform this operation.' },
  notFound: { status: 404, error: 'not_found', description: 'The resource was not found.' },
  methodNotAllowed: { status: 405, error: 'method_not_allowed', description: 'The method is not allowed on this resource.' },
  notAcceptable: { status: 406, error: 'not_acceptable', description: 'Only application/json responses are available.' },
  conflict: { status: 409, error: 'conflict', description: 'The resource already exists.' },
  requestTimeout: { status: 408, error: 'invalid_request', description: 'The request took too long to arrive.' },
  payloadTooLarge: { status: 413, error: 'payload_too_large', description: 'The request body is too large.' },
  unsupportedMediaType: { status: 415, error: 'unsupported_media_type', description: 'The request body must be application/json.' },
  tooManyRequests: { status: 429, error: 'too_many_requests', description: 'Too many requests; retry later.' },
  headersTooLarge: { status: 431, error: 'invalid_request', description: 'The request headers are too large.' },
  internal: { status: 500, error: 'internal_error', description: 'Internal server error.' },
  unavailable: { status: 503, error: 'service_unavailable', description: 'The service is not available right now.' },
} as const satisfies Record<string, { status: number; error: string; description: string }>;

export type ErrorKind = keyof typeof catalog;

const CHALLENGE = 'Bearer realm="onezone"';
const INVALID_TOKEN_CHALLENGE = 'Bearer realm="onezone", error="invalid_token"';

export class ApiError extends Error {
  readonly kind: ErrorKind;
  readonly status: number;
  readonly code: string;
  /** Extra response headers (Allow, Retry-After, WWW-Authenticate). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(kind: ErrorKind, description?: string, headers: Record<string, string> = {}) {
    const entry = catalog[kind];
    super(description ?? entry.description);
    this.kind = kind;
    this.status = entry.status;
    this.code = entry.error;
    // Every 401 names a scheme to authenticate with (RFC 9110), and a refused token says so
    // (RFC 6750). Not Basic: a browser answers a Basic challenge to the web UI's own requests
    // with its login dialog.
    this.headers = entry.status === 401 ? { 'www-authenticate': kind === 'badAccessToken' ? INVALID_TOKEN_CHALLENGE : CHALLENGE, ...headers } : headers;
  }
}

export const fail = (kind: ErrorKind, description?: string): never => {
  throw new ApiError(kind, description);
};

/** 400 for a body field: names the field, never echoes its value (it may be a token or a password). */
export const invalidField = (field: string, why: string): ApiError =>
  new ApiError('invalidRequest', `invalid '${field}' value: ${why}`);

export const missingField = (field: string): ApiError =>
  new ApiError('invalidRequest', `missing required key: '${field}'`);
