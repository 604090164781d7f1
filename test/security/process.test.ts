import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { Agent } from 'undici';
import { OnezoneClient } from '../../src/client/index.js';
import { spawnZone } from '../helpers/process.js';
import { type Answer, assertErrorShape, send } from './support.js';

const PASSWORD = 'process-admin-password';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'onezone-sec-proc-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
const args = (name: string) => ['--data-dir', path.join(root, name), '--http', '--port', '0', '--host', '127.0.0.1'];
const basicHeader = (login: string, password: string) => `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;

describe('graceful shutdown (a real process)', () => {
  it('SIGTERM under load: requests in flight finish with 2xx, later ones are refused cleanly (503 or no connection), no 500, exit 0', async () => {
    const zone = await spawnZone(args('shutdown'), { ONEZONE_ADMIN_PASSWORD: PASSWORD, ONEZONE_THROTTLE: 'off' });
    const origin = new URL(zone.url).origin;
    assert.equal((await send(`${origin}/health`)).status, 200);
    assert.equal((await send(`${origin}/ready`)).status, 200);
    const admin = new OnezoneClient({ baseUrl: zone.url, credentials: { basic: { login: 'admin', password: PASSWORD } } });
    await admin.users.create({ login: 'loader', password: 'loader-password', name: 'Loader' });
    const token = await new OnezoneClient({ baseUrl: zone.url, credentials: { basic: { login: 'loader', password: 'loader-password' } } }).user.clientToken();
    const agent = new Agent({ connections: 20 });
    // Open the connections first, so that the requests below reach the server before the signal.
    await Promise.all(Array.from({ length: 20 }, () => send(`${origin}/health`, { dispatcher: agent })));

    // Basic logins run the KDF, so these are still being worked on when the signal arrives.
    const inflight = Array.from({ length: 12 }, (_, i) =>
      send(`${zone.url}/user/spaces`, {
        method: 'POST',
        headers: { authorization: basicHeader('loader', 'loader-password'), 'content-type': 'application/json' },
        body: JSON.stringify({ name: `inflight-${i}` }),
        dispatcher: agent,
      }),
    );
    const later: Promise<Answer | Error>[] = [];
    let sending = true;
    const loop = (async () => {
      for (let i = 0; sending && i < 2000; i++) {
        later.push(send(`${zone.url}/user`, { headers: { 'x-auth-token': token }, dispatcher: agent }).catch((e: Error) => e));
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    await new Promise((r) => setTimeout(r, 60));
    const exited = zone.stop('SIGTERM');
    const finished = await Promise.all(inflight);
    for (const a of finished) assert.equal(a.status, 201, `in-flight request finished: ${a.status} ${a.text}`);
    assert.equal(await exited, 0);
    sending = false;
    await loop;
    const outcomes = await Promise.all(later);
    let refused = 0;
    for (const o of outcomes) {
      if (o instanceof Error) {
        refused++;
        continue;
      }
      assert.ok(o.status === 200 || o.status === 503, `status ${o.status}`);
      if (o.status === 503) {
        assertErrorShape(o, 'draining');
        assert.equal(JSON.parse(o.text).error, 'service_unavailable');
        refused++;
      }
    }
    assert.ok(refused > 0, 'requests after the signal were refused');
    assert.equal(zone.stderr().includes('internal_error'), false);
    await agent.close().catch(() => undefined);
    await admin.close();
  });
});

describe('slow clients (a real process)', () => {
  it('slowloris: clients that never finish their headers are cut at the headers deadline and do not hold the server', async () => {
    const zone = await spawnZone(args('slowloris'), {
      ONEZONE_ADMIN_PASSWORD: PASSWORD,
      ONEZONE_HEADERS_TIMEOUT_MS: '1000',
      ONEZONE_REQUEST_TIMEOUT_MS: '2000',
      ONEZONE_MAX_CONNECTIONS: '60',
    });
    const { port, origin } = new URL(zone.url);
    const started = Date.now();
    const slow = Array.from(
      { length: 50 },
      () =>
        new Promise<{ ms: number; answer: string }>((resolve) => {
          const socket = net.connect(Number(port), '127.0.0.1');
          let answer = '';
          const drip = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 200);
          const give = setTimeout(() => socket.destroy(), 10_000);
          socket.on('connect', () => socket.write('GET /api/v3/onezone/user HTTP/1.1\r\nHost: x\r\n'));
          socket.on('data', (d) => (answer += d.toString()));
          socket.on('error', () => undefined);
          socket.on('close', () => {
            clearInterval(drip);
            clearTimeout(give);
            resolve({ ms: Date.now() - started, answer });
          });
        }),
    );
    // While they drip, normal requests are served.
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < 5; i++) assert.equal((await send(`${origin}/health`)).status, 200);
    const cut = await Promise.all(slow);
    for (const c of cut) {
      assert.ok(c.ms < 8000, `slow client cut after ${c.ms} ms`);
      if (c.answer) assert.match(c.answer, /^HTTP\/1\.1 408 [\s\S]*"error":"invalid_request"/);
    }
    assert.equal((await send(`${origin}/health`)).status, 200);
    assert.equal(await zone.stop('SIGTERM'), 0);
  });
});
