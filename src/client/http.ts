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
}

/** A non-2xx answer, with the zone's `{error, error_description}`. */
export class OnezoneError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly description: string,
  ) {
    super(`${status} ${code}: ${description}`);
    this.name = 'OnezoneError';
  }
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export class HttpTransport {
  readonly #base: URL;
  readonly #headers: Record<string, string>;
  readonly #dispatcher: Dispatcher | undefined;
  readonly #fetch: typeof globalThis.fetch | undefined;

  constructor(opts: ClientOptions) {
    this.#base = new URL(opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`);
    this.#headers = authHeaders(opts.credentials ?? { none: true });
    this.#fetch = opts.fetch;
    this.#dispatcher =
      opts.dispatcher ??
      (!opts.fetch && (opts.ca || opts.insecure || opts.cert)
        ? new Agent({ connect: { ca: opts.ca, rejectUnauthorized: !opts.insecure, cert: opts.cert, key: opts.key } })
        : undefined);
  }

  async raw(method: Dispatcher.HttpMethod, path: string, body?: unknown): Promise<RawResponse> {
    const url = new URL(path.replace(/^\//, ''), this.#base);
    const headers: Record<string, string> = { ...this.#headers, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const payload = body === undefined ? undefined : JSON.stringify(body);
    // Called unbound: a browser's fetch refuses any `this` but the window.
    const fetchFn = this.#fetch;
    if (fetchFn) {
      const res = await fetchFn(url, { method, headers, body: payload });
      const resHeaders: Record<string, string> = {};
      res.headers.forEach((value, name) => (resHeaders[name] = value));
      return { status: res.status, headers: resHeaders, body: parseBody(await res.text()) };
    }
    const res = await request(url, { method, headers, body: payload, dispatcher: this.#dispatcher });
    return { status: res.statusCode, headers: res.headers, body: parseBody(await res.body.text()) };
  }

  /** Like `raw`, but a non-2xx answer becomes an OnezoneError. */
  async call(method: Dispatcher.HttpMethod, path: string, body?: unknown): Promise<RawResponse> {
    const res = await this.raw(method, path, body);
    if (res.status >= 300) {
      const err = (res.body ?? {}) as { error?: string; error_description?: string };
      throw new OnezoneError(res.status, err.error ?? 'unknown', err.error_description ?? '');
    }
    return res;
  }

  async close(): Promise<void> {
    await this.#dispatcher?.close();
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

/** The id at the end of a Location header such as `/user/spaces/<id>`. */
export function idFromLocation(res: RawResponse): string {
  const loc = res.headers.location;
  const value = Array.isArray(loc) ? loc[0] : loc;
  if (!value) throw new Error('response has no Location header');
  return value.slice(value.lastIndexOf('/') + 1);
}

/** Path segment escaping for ids. */
export const seg = (id: string): string => encodeURIComponent(id);

/** GET returning the parsed body. */
export async function getJson<T>(http: HttpTransport, path: string): Promise<T> {
  return (await http.call('GET', path)).body as T;
}

/** POST that creates or joins something: the id from the Location header. */
export async function postCreated(http: HttpTransport, path: string, body?: unknown): Promise<string> {
  return idFromLocation(await http.call('POST', path, body));
}

/** Call whose success has no body. */
export async function send(http: HttpTransport, method: Dispatcher.HttpMethod, path: string, body?: unknown): Promise<void> {
  await http.call(method, path, body);
}
