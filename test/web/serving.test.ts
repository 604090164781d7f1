import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ensureBuilt, ROOT } from '../helpers/process.js';
import { startZone } from '../helpers/zone.js';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request with the path sent exactly as written (no URL normalisation of `..`). */
function raw(origin: string, method: string, rawPath: string, headers: Record<string, string> = {}): Promise<Answer> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, method, path: rawPath, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function assertSecurityHeaders(a: Answer, what: string): void {
  const csp = String(a.headers['content-security-policy']);
  for (const directive of ["default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"]) {
    assert.ok(csp.includes(directive), `${what}: CSP has ${directive}: ${csp}`);
  }
  assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'), `${what}: no inline script or eval`);
  assert.equal(a.headers['x-content-type-options'], 'nosniff', what);
  assert.equal(a.headers['referrer-policy'], 'no-referrer', what);
  assert.equal(a.headers['x-frame-options'], 'DENY', what);
}

function assertNotFound(a: Answer, what: string): void {
  assert.equal(a.status, 404, `${what}: ${a.status} ${a.body}`);
  assert.match(String(a.headers['content-type']), /^application\/json/, what);
  const body = JSON.parse(a.body) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['error', 'error_description'], what);
  assert.equal(body.error, 'not_found', what);
  assertSecurityHeaders(a, what);
}

describe('the web UI is served at /ui/', async () => {
  ensureBuilt();
  const z = await startZone();
  const origin = new URL(z.baseUrl).origin;
  const built = fs.readdirSync(path.join(ROOT, 'dist', 'web'));
  const script = built.find((f) => /^app-[A-Z0-9]+\.js$/.test(f))!;
  const style = built.find((f) => /^style-[A-Z0-9]+\.css$/.test(f))!;

  it('/ui/ answers the page, without credentials, with the security headers and no-cache', async () => {
    const page = await raw(origin, 'GET', '/ui/');
    assert.equal(page.status, 200);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(page.headers['cache-control'], 'no-cache');
    assertSecurityHeaders(page, '/ui/');
    assert.ok(page.body.includes(`<script src="${script}" defer></script>`), page.body);
    assert.ok(page.body.includes(`<link rel="stylesheet" href="${style}">`), page.body);
    assert.ok(!/<script>|<script [^>]*>[^<]/.test(page.body), 'no inline script');
    assert.equal((await raw(origin, 'GET', '/ui/index.html')).body, page.body);
    // Credentials are not looked at: even refused ones get the page.
    assert.equal((await raw(origin, 'GET', '/ui/', { 'x-auth-token': 'forged' })).status, 200);

    const head = await raw(origin, 'HEAD', '/ui/');
    assert.equal(head.status, 200);
    assert.equal(head.body, '');

    const again = await raw(origin, 'GET', '/ui/', { 'if-none-match': String(page.headers.etag) });
    assert.equal(again.status, 304);
    assert.equal(again.body, '');
  });

  it('/ and /ui redirect to /ui/', async () => {
    for (const p of ['/', '/ui']) {
      const a = await raw(origin, 'GET', p);
      assert.equal(a.status, 302, p);
      assert.equal(new URL(String(a.headers.location), `${origin}${p}`).pathname, '/ui/', p);
    }
  });

  it('a file name with a slash after it redirects to the file (the page would load, its assets not)', async () => {
    for (const [p, file] of [['/ui/index.html/', '/ui/index.html'], [`/ui/${script}//`, `/ui/${script}`]]) {
      const a = await raw(origin, 'GET', p!);
      assert.equal(a.status, 302, p);
      assert.equal(new URL(String(a.headers.location), `${origin}${p}`).pathname, file, p);
      assertSecurityHeaders(a, p!);
    }
    assert.equal((await raw(origin, 'GET', '/ui/')).status, 200);
  });

  it('a path with empty segments redirects to the one without (from /ui//, the page loaded and its API calls went to /ui/api)', async () => {
    const cases = [
      ['/ui//', '/ui/'],
      ['//ui', '/ui/'],
      ['//ui/', '/ui/'],
      ['//', '/ui/'],
      ['///ui///', '/ui/'],
      ['/ui//index.html', '/ui/index.html'],
      [`//ui/${script}`, `/ui/${script}`],
    ];
    for (const [p, target] of cases) {
      const a = await raw(origin, 'GET', p!);
      assert.equal(a.status, 302, p);
      const location = String(a.headers.location);
      assert.ok(!location.startsWith('/'), `${p}: relative, not ${location}`);
      assert.equal(new URL(location, `${origin}${p}`).pathname, target, p);
      // Behind a proxy that mounts the zone under a prefix, it stays under the prefix.
      assert.equal(new URL(location, `${origin}/zone${p}`).pathname, `/zone${target}`, p);
      assertSecurityHeaders(a, p!);
    }
  });

  it('assets have their content types and a year of caching; the bundle holds no Node code', async () => {
    const js = await raw(origin, 'GET', `/ui/${script}`);
    assert.equal(js.status, 200);
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
    assertSecurityHeaders(js, script);
    assert.equal(js.body, fs.readFileSync(path.join(ROOT, 'dist', 'web', script), 'utf8'));
    for (const marker of ['undici', 'node:', 'require(', 'Buffer']) assert.ok(!js.body.includes(marker), `bundle has no ${marker}`);

    const css = await raw(origin, 'GET', `/ui/${style}`);
    assert.equal(css.status, 200);
    assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
    assert.equal(css.headers['cache-control'], 'public, max-age=31536000, immutable');

    const icon = await raw(origin, 'GET', '/ui/favicon.svg');
    assert.equal(icon.status, 200);
    assert.equal(icon.headers['content-type'], 'image/svg+xml');
    assert.equal(icon.headers['cache-control'], 'no-cache');
  });

  it('paths that leave the web directory are 404, plain or encoded', async () => {
    for (const p of [
      '/ui/../package.json',
      '/ui/../../package.json',
      '/ui/%2e%2e/package.json',
      '/ui/..%2fpackage.json',
      '/ui/%2e%2e%2f%2e%2e%2fpackage.json',
      '/ui/%2E%2E%2Fonezone.mjs',
      '/ui/..\\package.json',
      '/ui/%2e%2e%5cpackage.json',
      '/ui/./index.html',
      '/ui/%00',
      '/ui/../web/index.html',
      '/ui/%2fetc%2fpasswd',
      // Malformed percent-encoding: answered by the router's error handler, with the UI's headers too.
      '/ui/%zz',
      '/ui/%',
    ]) {
      const a = await raw(origin, 'GET', p);
      assertNotFound(a, p);
      assert.ok(!a.body.includes('onezone-ts') && !a.body.includes('root:'), `${p} leaks nothing`);
    }
  });

  it('an unknown asset is a 404 in the catalog shape; other methods are 405', async () => {
    assertNotFound(await raw(origin, 'GET', '/ui/nope.js'), '/ui/nope.js');
    assertNotFound(await raw(origin, 'GET', '/ui/app.js'), '/ui/app.js');
    assertNotFound(await raw(origin, 'GET', '/ui/spaces/x'), '/ui/spaces/x');
    const post = await raw(origin, 'POST', `/ui/${script}`);
    assert.equal(post.status, 405);
    assert.equal(JSON.parse(post.body).error, 'method_not_allowed');
    // Every answer on the UI's paths carries its headers, a refused method's included.
    for (const [method, p] of [['POST', `/ui/${script}`], ['PUT', '/ui/'], ['DELETE', '/ui'], ['POST', '/'], ['OPTIONS', '/']]) {
      const a = await raw(origin, method!, p!);
      assert.equal(a.status, 405, `${method} ${p}`);
      assert.match(String(a.headers.allow), /GET/, `${method} ${p}`);
      assertSecurityHeaders(a, `${method} ${p}`);
    }
  });
});
