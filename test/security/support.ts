import assert from 'node:assert/strict';
import net from 'node:net';
import { type Dispatcher, request } from 'undici';
import type { TestZone } from '../helpers/zone.js';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One raw request; the body is sent as given (a string is not re-encoded). */
export async function send(
  url: string,
  opts: { method?: string; headers?: Record<string, string | string[]>; body?: string | Buffer; dispatcher?: Dispatcher } = {},
): Promise<Answer> {
  const res = await request(url, {
    method: (opts.method ?? 'GET') as Dispatcher.HttpMethod,
    headers: opts.headers,
    body: opts.body,
    dispatcher: opts.dispatcher,
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

/**
 * Every error answer carries the catalog's `{error, error_description}` and nothing else. The one
 * other non-2xx answer is not an error: the redirects of `/` and `/ui` to the web UI's `/ui/`.
 */
export function assertErrorShape(a: Answer, context: string): void {
  if (a.status < 300 || a.status === 304) return;
  if (a.status === 302) {
    assert.equal(a.headers.location, 'ui/', `${context}: a redirect, to the web UI`);
    assert.equal(a.text, '', `${context}: a redirect has no body`);
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(a.text);
  } catch {
    assert.fail(`${context}: ${a.status} without a JSON body: ${a.text.slice(0, 200)}`);
  }
  assert.deepEqual(Object.keys(body as object).sort(), ['error', 'error_description'], `${context}: ${a.text.slice(0, 200)}`);
}

/** A raw HTTP/1.1 exchange over a socket, for requests undici refuses to build. */
export function rawHttp(port: number, payload: string | Buffer, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let out = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(out);
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (d) => (out += d.toString('latin1')));
    socket.on('end', done);
    socket.on('close', done);
    socket.on('error', done);
    socket.write(payload);
  });
}

export interface RouteInfo {
  method: string;
  /** Full path with `:param` segments, as registered. */
  path: string;
}

/**
 * Every (method, path) the running app answers, from its own router (so routes added later
 * are included automatically). Methods include the 405 fillers; HEAD is left out.
 */
export function registeredRoutes(z: TestZone): RouteInfo[] {
  const tree = z.zone.app.printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const routes: RouteInfo[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    const full = (depth > 0 ? stack[depth - 1]! : '') + m[2]!;
    stack.push(full);
    for (const method of (m[3] ?? '').split(', ').filter((x) => x && x !== 'HEAD')) routes.push({ method, path: full });
  }
  assert.ok(routes.length > 20, `router listing parsed: ${tree.slice(0, 300)}`);
  return routes;
}

export interface Operation {
  method: string;
  /** Path under the API prefix, with `{param}` segments (OpenAPI form). */
  path: string;
  operationId: string;
}

/** The documented operations of the running app, from its generated OpenAPI document. */
export async function documentedOperations(z: TestZone, dispatcher?: Dispatcher): Promise<Operation[]> {
  const doc = JSON.parse((await send(`${z.baseUrl}/openapi.json`, { dispatcher })).text) as { paths: Record<string, Record<string, { operationId: string }>> };
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, operationId: op.operationId })),
  );
}

/**
 * The forms in which a secret could leak: as is, JSON-escaped, base64/base64url and
 * percent-encoded. Returns the secrets (by index) that occur in `haystack`.
 */
export function leakedSecrets(haystack: string, secrets: readonly string[]): string[] {
  const found: string[] = [];
  for (const [i, s] of secrets.entries()) {
    if (s.length < 8) continue;
    const forms = [s, JSON.stringify(s).slice(1, -1), Buffer.from(s).toString('base64'), Buffer.from(s).toString('base64url'), encodeURIComponent(s)];
    // A cut token is still a leak; its tail (the signature) is what no other token shares.
    if (forms.some((f) => haystack.includes(f.length > 48 ? f.slice(-32) : f))) found.push(`secret #${i} (${s.length} chars)`);
  }
  return found;
}
