import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { request } from 'undici';
import { startZone } from '../helpers/zone.js';

/** A provider-side service on loopback: each path answers in its own way. */
async function providerServer(): Promise<{ base: string; hits: string[] }> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url?.split('?')[0] === '/gui') return res.end('gui');
    if (req.url === '/redirect') return res.writeHead(302, { location: '/gui' }).end();
    if (req.url === '/big') return res.end('gui'.padEnd(4096, 'x'));
    if (req.url === '/slow') return void setTimeout(() => res.end('gui'), 5000);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

describe('provider test operations', async () => {
  const z = await startZone();
  const { base, hits } = await providerServer();
  const open = z.client();
  const post = async (body: unknown) => {
    const res = await request(`${z.baseUrl}/provider/test/check_my_ports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
  };

  it('GET /provider/test/check_my_ip: the caller address as a JSON string', async () => {
    const res = await request(`${z.baseUrl}/provider/test/check_my_ip`);
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.equal(await res.body.text(), '"127.0.0.1"');
  });

  it('check_my_ports, 2016 object form: ok when 200 and the body is the service name', async () => {
    const result = await open.provider.checkMyPorts({ gui: `${base}/gui`, rest: `${base}/gui?rest`, undefined: `${base}/gui?any` });
    assert.deepEqual(result, { [`${base}/gui`]: 'ok', [`${base}/gui?rest`]: 'error', [`${base}/gui?any`]: 'ok' });
  });

  it('check_my_ports, swagger array form: [[url, status]] in order', async () => {
    const closed = 'http://127.0.0.1:1/';
    const result = await open.provider.checkMyPorts([`${base}/gui`, `${base}/missing`, closed]);
    assert.deepEqual(result, [
      [`${base}/gui`, 'ok'],
      [`${base}/missing`, 'error'],
      [closed, 'error'],
    ]);
  });

  it('follows no redirects, reads at most 1 KiB, gives up after 2 s', async () => {
    const before = hits.length;
    const result = await open.provider.checkMyPorts({ gui: `${base}/redirect`, undefined: `${base}/big`, x: `${base}/slow` });
    assert.deepEqual(result, { [`${base}/redirect`]: 'error', [`${base}/big`]: 'error', [`${base}/slow`]: 'error' });
    assert.deepEqual(hits.slice(before).sort(), ['/big', '/redirect', '/slow'], 'the redirect target was not fetched');
  });

  it("refuses anything but the caller's own address, and other schemes, with 400 and no request made", async () => {
    const before = hits.length;
    for (const url of [
      'http://10.255.255.1/',
      'http://[::1]:80/',
      'http://example.invalid/',
      'http://localhost.:1/',
      'file:///etc/passwd',
      'ftp://127.0.0.1/',
      `http://user:pw@127.0.0.1:1/`,
      'not a url',
    ]) {
      const res = await post([url]);
      assert.equal(res.status, 400, url);
      assert.equal(res.json.error, 'invalid_request');
    }
    const mixed = await post([`${base}/gui`, 'http://169.254.169.254/latest/meta-data']);
    assert.equal(mixed.status, 400, 'one foreign URL refuses the whole request');
    assert.equal(hits.length, before);
  });

  it('a hostname is fine when it resolves to the caller only', async () => {
    const port = new URL(base).port;
    const res = await post({ gui: `http://localhost:${port}/gui` });
    // localhost may also resolve to ::1, which is not this (IPv4) caller: then it is refused.
    assert.ok(res.status === 200 || res.status === 400);
    if (res.status === 200) assert.deepEqual(res.json, { [`http://localhost:${port}/gui`]: 'ok' });
  });

  it('at most 16 URLs, at least one, and nothing but strings', async () => {
    assert.equal((await post(Array.from({ length: 17 }, () => `${base}/gui`))).status, 400);
    assert.equal((await post([])).status, 400);
    assert.equal((await post({})).status, 400);
    const number = await post([80]);
    assert.equal(number.status, 400);
    // The list form was chosen: its item is what is wrong, not "must be a JSON object".
    assert.match(String(number.json.error_description), /^invalid '0' value: /);
    assert.equal((await post({ gui: 80 })).status, 400);
    assert.equal((await post('http://127.0.0.1/')).status, 400);
  });
});
