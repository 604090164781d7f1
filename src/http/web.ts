import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import { send } from './errors.js';

/**
 * The web UI (web/, built by scripts/build.mjs into dist/web/) at `/ui/`, and `/` redirecting
 * there. Public static content: the API calls the UI makes authenticate themselves.
 *
 * Only the files the build wrote are served, looked up by exact name in a table read once, so no
 * request path (`..`, encoded or not) can reach another file. Assets carry a content hash in their
 * names and are cached for a year; the page itself is revalidated on every load.
 */
export function registerWeb(app: FastifyInstance, dir: string = defaultWebDir()): void {
  let files: Promise<Map<string, WebFile>> | undefined;
  const route = { config: { auth: 'none' as const }, schema: { hide: true } };

  const serve = async (request: FastifyRequest, reply: FastifyReply, name: string) => {
    reply.headers(SECURITY_HEADERS);
    const p = request.url.split('?')[0]!;
    const canonical = canonicalUiPath(p);
    if (canonical !== p) return reply.redirect(relativeTo(p, canonical));
    const table = await (files ??= readWebDir(dir));
    // Not built yet (a zone run from the sources): look again next time.
    if (table.size === 0) files = undefined;
    const file = table.get(name);
    if (!file) return send(reply, new ApiError('notFound', 'No such file.'));
    reply.header('cache-control', file.cacheControl).header('etag', file.etag).type(file.type);
    if (request.headers['if-none-match']?.split(/\s*,\s*/).includes(file.etag)) return reply.code(304).send();
    return reply.send(file.body);
  };

  app.get('/', route, async (request, reply) => reply.headers(SECURITY_HEADERS).redirect(relativeTo(request.url.split('?')[0]!, '/ui/')));
  // With `ignoreTrailingSlash` this route also answers `/ui/`, which the wildcard does not.
  app.get('/ui', route, (request, reply) => serve(request, reply, 'index.html'));
  app.get('/ui/*', route, (request, reply) => serve(request, reply, (request.params as { '*': string })['*']));
}

/**
 * The URL a UI path is served at. The router also matches the forms below, but the page's
 * relative URLs (its assets, the API at `../api/v3/onezone`) resolve only from the canonical one:
 * `/ui` is `/ui/`; a file's name with a slash after it (`/ui/index.html/`) is the file's; and
 * empty segments (`/ui//`, `//ui`: the router ignores duplicate slashes, a browser keeps them)
 * are dropped.
 */
function canonicalUiPath(p: string): string {
  const collapsed = p.replace(/\/{2,}/g, '/');
  if (collapsed === '/ui' || collapsed === '/ui/') return '/ui/';
  return collapsed.replace(/\/+$/, '');
}

/**
 * A relative redirect from path `from` to the zone's path `to`: up to the zone's root, then down.
 * Relative, so that a zone behind a proxy under a path prefix redirects within it.
 */
function relativeTo(from: string, to: string): string {
  const depth = from.split('/').length - 2;
  return `${'../'.repeat(depth)}${to.slice(1)}`;
}

/** Whether a request's path is the UI's (`/ui` or under `/ui/`, empty segments aside), whatever else is wrong with it. */
export function isUiPath(url: string): boolean {
  const p = url.split('?')[0]!.replace(/\/{2,}/g, '/');
  return p === '/ui' || p.startsWith('/ui/');
}

/** Every response under `/ui/`, errors included. The page loads only its own script and style. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

/** esbuild's `[name]-[hash]` names: the hash changes whenever the content does. */
const HASHED = /-[A-Z0-9]{8}\.(js|css)$/;

interface WebFile {
  body: Buffer;
  type: string;
  etag: string;
  cacheControl: string;
}

async function readWebDir(dir: string): Promise<Map<string, WebFile>> {
  const files = new Map<string, WebFile>();
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const type = CONTENT_TYPES[path.extname(entry.name)];
    if (!entry.isFile() || type === undefined) continue;
    const body = await fs.readFile(path.join(dir, entry.name));
    files.set(entry.name, {
      body,
      type,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      cacheControl: HASHED.test(entry.name) ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
  }
  return files;
}

/**
 * dist/web beside the running code: the bundle (dist/onezone.mjs), tsc's output (dist/http/) or,
 * under tsx, the sources (src/http/, whose build is in ../../dist/web).
 */
function defaultWebDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'web'), path.join(here, '..', 'web'), path.join(here, '..', '..', 'dist', 'web')];
  return candidates.find((c) => existsSync(path.join(c, 'index.html'))) ?? candidates[0]!;
}
