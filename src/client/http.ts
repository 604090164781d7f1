import { Agent, type Dispatcher, request } from 'undici';

/** How the client proves who it is. */
export type Credentials =
  | { basic: { login: string; password: string } }
  | { token: string; header?: 'macaroon' | 'x-auth-token' | 'bearer' }
  | { none: true };

export interface ClientOptions {
  /** e.g. `https://localhost:8443/api/v3/onezone` */
  baseUrl: string;
  credentials?: Credentials;
  /** PEM of a CA (or the self-signed server certificate) to trust; `insecure` skips verification like `curl -k`. */
  ca?: string;
  insecure?: boolean;
  /** Provider client certificate for mutual TLS. */
  cert?: string;
  key?: string;
  dispatcher?: Dispatcher;
  /**
   * A WHATWG `fetch` to send requests with instead of undici: the web UI passes the browser's.
   * `ca`, `insecure`, `cert`, `key` and `dispatcher` do not apply to it.
   */
  fetch?: typeof globalThis.fetch;
  /**
   * Milliseconds one request may take, from sending it to the last byte of the answer; then it
   * fails with a RequestTimeoutError. Default 30 000 (the zone's own request deadline); 0: no limit.
   */
  timeoutMs?: number;
}

/** A non-2xx answer, with the zone's `{error, error_description}`. */
export class OnezoneError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly description: string,
    /** Seconds to wait before trying again, when the answer says (`Retry-After` of a 429 or 503). */
    readonly retryAfter?: number,
  ) {
    super(`${status} ${code}: ${description}`);
    this.name = 'OnezoneError';
  }
}

/**
 * An answer that is not what the API promises (an HTML page where JSON belongs, a 201 without
 * its Location): usually something in front of the zone, such as a proxy or a login portal.
 * Its code is `unexpected_answer`, which the zone itself never sends.
 */
export class UnexpectedAnswerError extends OnezoneError {
  constructor(status: number, description: string) {
    super(status, 'unexpected_answer', description);
    this.name = 'UnexpectedAnswerError';
  }
}

/**
 * What an id may look like. The zone makes 43-character base64url ids (entities, tokens,
 * providers) and accepts up to 64 characters; `..`, `.`, '' and anything with `/`, `%`, `?`, `#`
 * or spaces cannot pass, whatever the caller passes, and neither can a token (200 characters and
 * more) given where its id belongs: it would be sent in the URL, which proxies log.
 */
const ID_MAX = 64;
const ID = new RegExp(`^[A-Za-z0-9_-]{1,${ID_MAX}}$`);

/**
 * An id the SDK refuses to put in a path: it could name another resource (`..`, `a/b`), or it is
 * longer than any id (a token passed where its id belongs).
 */
export class InvalidIdError extends Error {
  /** The value given; not an own enumerable property, so that printing the error leaves it out. */
  declare readonly id: string;
  /** The value as messages show it: quoted when it could be an id's length, else only its length (a token's text stays out). */
  readonly shown: string;

  constructor(id: string) {
    const shown = id.length > ID_MAX ? `a value of ${id.length} characters (an id has at most ${ID_MAX})` : JSON.stringify(id);
    super(`not a valid id: ${shown}`);
    Object.defineProperty(this, 'id', { value: id, enumerable: false });
    this.shown = shown;
    this.name = 'InvalidIdError';
  }
}

/** The zone did not answer within `timeoutMs`. */
export class RequestTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs / 1000} s`);
    this.name = 'RequestTimeoutError';
  }
}

export interface RawResponse {
  status: number;
  statusText: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * A `.` or `..` segment, also percent-encoded or after a backslash: URL parsers resolve them,
 * so `/user/spaces/..` would be sent as `/user` (DELETE there deletes the account).
 */
const DOT_SEGMENT = /(^|[/\\])(\.|%2e){1,2}([/\\]|$)/i;

export class HttpTransport {
  /** The API root, without a trailing slash: paths are appended to it, never resolved against it. */
  readonly #api: string;
  /** The server root (`/health`, `/metrics`), three segments above the API root `…/api/v3/onezone`. */
  readonly #server: string;
  readonly #headers: Record<string, string>;
  readonly #dispatcher: Dispatcher | undefined;
  /** Whether the dispatcher is this transport's own, to close with it; a caller's may serve other clients. */
  readonly #ownDispatcher: boolean;
  readonly #fetch: typeof globalThis.fetch | undefined;
  readonly #timeoutMs: number;

  constructor(opts: ClientOptions) {
    const base = new URL(opts.baseUrl);
    // Not echoed: fetch refuses such a URL with an error that repeats it, undici drops its
    // credentials without a word (and the zone answers 401).
    if (base.username || base.password) throw new TypeError('baseUrl must not hold a user name or password: pass them as credentials: { basic: { login, password } }');
    base.search = '';
    base.hash = '';
    this.#api = base.href.replace(/\/+$/, '');
    this.#server = new URL('../../../', `${this.#api}/`).href.replace(/\/+$/, '');
    this.#headers = authHeaders(opts.credentials ?? { none: true });
    this.#fetch = opts.fetch;
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#ownDispatcher = !opts.dispatcher;
    this.#dispatcher =
      opts.dispatcher ??
      (!opts.fetch && (opts.ca || opts.insecure || opts.cert)
        ? new Agent({ connect: { ca: opts.ca, rejectUnauthorized: !opts.insecure, cert: opts.cert, key: opts.key } })
        : undefined);
  }

  /** `path` (e.g. `/user`) is appended to the API root, or to the server root with `root: 'server'`; one with a dot segment is refused. */
  async raw(method: Dispatcher.HttpMethod, path: string, body?: unknown, root: 'api' | 'server' = 'api'): Promise<RawResponse> {
    const url = this.#url(path, root);
    const headers: Record<string, string> = { ...this.#headers, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const payload = body === undefined ? undefined : JSON.stringify(body);
    // A timer cleared with the answer, not AbortSignal.timeout: that one stays pending for the
    // whole timeout after the answer came (and in some browser-like runtimes a page waits for it).
    const controller = this.#timeoutMs > 0 ? new AbortController() : undefined;
    const timer = controller && setTimeout(() => controller.abort(), this.#timeoutMs);
    const signal = controller?.signal;
    try {
      // Called unbound: a browser's fetch refuses any `this` but the window.
      const fetchFn = this.#fetch;
      if (fetchFn) {
        const res = await fetchFn(url, { method, headers, body: payload, signal });
        const resHeaders: Record<string, string> = {};
        res.headers.forEach((value, name) => (resHeaders[name] = value));
        return { status: res.status, statusText: res.statusText, headers: resHeaders, body: parseBody(await res.text()) };
      }
      const res = await request(url, { method, headers, body: payload, dispatcher: this.#dispatcher, signal });
      return { status: res.statusCode, statusText: res.statusText, headers: res.headers, body: parseBody(await res.body.text()) };
    } catch (err) {
      if (signal?.aborted) throw new RequestTimeoutError(this.#timeoutMs);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Like `raw`, but a non-2xx answer becomes an OnezoneError. */
  async call(method: Dispatcher.HttpMethod, path: string, body?: unknown, root: 'api' | 'server' = 'api'): Promise<RawResponse> {
    const res = await this.raw(method, path, body, root);
    if (res.status >= 300) {
      const err = res.body as { error?: unknown; error_description?: unknown } | undefined;
      if (typeof err === 'object' && err !== null && typeof err.error === 'string') {
        throw new OnezoneError(res.status, err.error, typeof err.error_description === 'string' ? err.error_description : '', retryAfter(res));
      }
      // Not the zone's error shape: a proxy's page or plain text says more than nothing, and its
      // Retry-After (a proxy's 429 or 503) as much as the zone's.
      const line = firstLine(res);
      const text = res.statusText;
      throw new OnezoneError(res.status, 'unknown', !line ? text : !text || line.includes(text) ? line : `${text}: ${line}`, retryAfter(res));
    }
    return res;
  }

  /** Closes the connections this client opened; a dispatcher passed in stays open, its owner closes it. */
  async close(): Promise<void> {
    if (this.#ownDispatcher) await this.#dispatcher?.close();
  }

  #url(path: string, root: 'api' | 'server'): URL {
    const rel = path.startsWith('/') ? path : `/${path}`;
    if (DOT_SEGMENT.test(rel.split(/[?#]/, 1)[0]!)) throw new TypeError(`the path has a dot segment: ${rel}`);
    return new URL(`${root === 'api' ? this.#api : this.#server}${rel}`);
  }
}

function parseBody(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The first line of text in a body that is not JSON (tags of an HTML page left out), at most 200 characters. */
function firstLine(res: RawResponse): string {
  if (typeof res.body !== 'string') return '';
  const line = res.body
    .replace(/<[^>]*>/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .find((l) => l.length > 0);
  return line === undefined ? '' : line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** Base64 of the UTF-8 bytes, without Node's Buffer (the SDK also runs in browsers). */
function base64Utf8(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function authHeaders(c: Credentials): Record<string, string> {
  if ('basic' in c) return { authorization: `Basic ${base64Utf8(`${c.basic.login}:${c.basic.password}`)}` };
  if ('token' in c) {
    if (c.header === 'macaroon') return { macaroon: c.token };
    if (c.header === 'bearer') return { authorization: `Bearer ${c.token}` };
    return { 'x-auth-token': c.token };
  }
  return {};
}

/** Whether `id` may be an id at all (a path segment naming nothing else). */
export const isId = (id: unknown): id is string => typeof id === 'string' && ID.test(id);

/**
 * An id as one path segment; anything else is refused before a request is made. The API methods
 * are all `async` so that the refusal is a rejected promise, like any other failure.
 */
export const seg = (id: string): string => {
  if (!isId(id)) throw new InvalidIdError(String(id));
  return id;
};

/** `Retry-After` in seconds; its HTTP-date form is not one the zone sends. */
function retryAfter(res: RawResponse): number | undefined {
  const value = [res.headers['retry-after']].flat()[0]?.trim();
  return value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : undefined;
}

/** The id at the end of a Location header such as `/user/spaces/<id>`. */
export function idFromLocation(res: RawResponse): string {
  const loc = res.headers.location;
  const value = Array.isArray(loc) ? loc[0] : loc;
  if (!value) throw new UnexpectedAnswerError(res.status, 'the answer lacks its Location header');
  const id = value.slice(value.lastIndexOf('/') + 1);
  if (!ID.test(id)) throw new UnexpectedAnswerError(res.status, 'the Location header names no id');
  return id;
}

/** The body of an answer that must be a JSON object or array (a proxy's HTML page is not). */
export function jsonOf(res: RawResponse): object {
  if (typeof res.body === 'object' && res.body !== null) return res.body;
  const line = firstLine(res);
  throw new UnexpectedAnswerError(res.status, `the answer is not JSON (${contentType(res)})${line ? `: ${line}` : ''}`);
}

/** The body of an answer that must be text (a JSON string, or plain text): not an object someone else sent. */
export function textOf(res: RawResponse): string {
  if (typeof res.body === 'string') return res.body;
  throw new UnexpectedAnswerError(res.status, `the answer is not text (${contentType(res)})`);
}

const contentType = (res: RawResponse): string => [res.headers['content-type']].flat()[0] ?? 'no content type';

/** GET returning the parsed body, a JSON object or array. */
export async function getJson<T extends object>(http: HttpTransport, path: string): Promise<T> {
  return jsonOf(await http.call('GET', path)) as T;
}

/** The `token` of an answer that mints one: without it the call did not do what it says. */
export function tokenOf(res: RawResponse): string {
  const token = (jsonOf(res) as { token?: unknown }).token;
  if (typeof token !== 'string' || token.length === 0) throw new UnexpectedAnswerError(res.status, 'the answer carries no token');
  return token;
}

/** POST that creates or joins something: the id from the Location header. */
export async function postCreated(http: HttpTransport, path: string, body?: unknown): Promise<string> {
  return idFromLocation(await http.call('POST', path, body));
}

/** Call whose success has no body. */
export async function send(http: HttpTransport, method: Dispatcher.HttpMethod, path: string, body?: unknown): Promise<void> {
  await http.call(method, path, body);
}
