import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { Agent } from 'undici';
import { loadConfig } from '../../src/config.js';
import { failureCounter } from '../../src/http/limits.js';
import { startZone } from '../helpers/zone.js';
import { assertErrorShape, rawHttp, send } from './support.js';

const basic = (login: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}` });
/** A client whose connections come from another loopback address (Linux routes all of 127/8 to lo). */
const from = (address: string) => new Agent({ localAddress: address });
const THROTTLED = { ONEZONE_THROTTLE: 'on', ONEZONE_THROTTLE_ATTEMPTS: '5', ONEZONE_THROTTLE_WINDOW: '60' };

describe('throttling of failed credentials', () => {
  it('per client address: the 6th failed Basic login within the window is 429 with Retry-After, for any credentials', async () => {
    const z = await startZone({ env: THROTTLED });
    const alice = await z.user('alice');
    const client = from('127.0.0.2');
    for (let i = 0; i < 5; i++) {
      const a = await send(`${z.baseUrl}/user`, { headers: basic(`nobody-${i}`, 'wrong'), dispatcher: client });
      assert.equal(a.status, 401);
    }
    const blocked = await send(`${z.baseUrl}/user`, { headers: basic(alice.login, alice.password), dispatcher: client });
    assert.equal(blocked.status, 429);
    assertErrorShape(blocked, 'throttled');
    assert.equal(JSON.parse(blocked.text).error, 'too_many_requests');
    const retry = Number(blocked.headers['retry-after']);
    assert.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
    // Token credentials from the same address are refused too, before they are checked.
    assert.equal((await send(`${z.baseUrl}/user`, { headers: { 'x-auth-token': alice.token }, dispatcher: client })).status, 429);
    // Requests without credentials are not credential guesses: open routes still answer.
    assert.notEqual((await send(`${z.baseUrl}/user`, { dispatcher: client })).status, 429);
    // Other addresses are not affected.
    assert.equal((await send(`${z.baseUrl}/user`, { headers: { 'x-auth-token': alice.token }, dispatcher: from('127.0.0.3') })).status, 200);
    await client.close();
  });

  it('per account: failed logins for one login from many addresses lock that login only', async () => {
    const z = await startZone({ env: THROTTLED });
    const alice = await z.user('alice');
    const bob = await z.user('bob');
    for (let i = 0; i < 5; i++) {
      const a = await send(`${z.baseUrl}/user`, { headers: basic(alice.login, `guess-${i}`), dispatcher: from(`127.0.1.${i + 1}`) });
      assert.equal(a.status, 401);
    }
    const fresh = from('127.0.1.100');
    const locked = await send(`${z.baseUrl}/user`, { headers: basic(alice.login, alice.password), dispatcher: fresh });
    assert.equal(locked.status, 429);
    assert.ok(Number(locked.headers['retry-after']) >= 1);
    assert.equal((await send(`${z.baseUrl}/user`, { headers: basic(bob.login, bob.password), dispatcher: fresh })).status, 200);
    // Alice's access token is not a Basic login: it still works.
    assert.equal((await send(`${z.baseUrl}/user`, { headers: { macaroon: alice.token }, dispatcher: fresh })).status, 200);
  });

  it('a login longer than any account may have (64 characters) counts against the address only: it is never kept as a key', async () => {
    const z = await startZone({ env: THROTTLED });
    const alice = await z.user('alice');
    const huge = 'x'.repeat(10 * 1024);
    // From many addresses: no address reaches the limit, and the login is not counted.
    for (let i = 0; i < 6; i++) {
      const a = await send(`${z.baseUrl}/user`, { headers: basic(huge, `guess-${i}`), dispatcher: from(`127.0.3.${i + 1}`) });
      assert.equal(a.status, 401);
    }
    // From one address: it is held as for any other failure.
    const client = from('127.0.3.100');
    for (let i = 0; i < 5; i++) assert.equal((await send(`${z.baseUrl}/user`, { headers: basic(`${huge}${i}`, 'x'), dispatcher: client })).status, 401);
    assert.equal((await send(`${z.baseUrl}/user`, { headers: { 'x-auth-token': alice.token }, dispatcher: client })).status, 429);
    // The longest login an account can have is still locked by its own failures.
    const longest = 'l'.repeat(64);
    await z.admin.users.create({ login: longest, password: 'longest-password', name: 'Longest' });
    for (let i = 0; i < 5; i++) {
      assert.equal((await send(`${z.baseUrl}/user`, { headers: basic(longest, `guess-${i}`), dispatcher: from(`127.0.4.${i + 1}`) })).status, 401);
    }
    assert.equal((await send(`${z.baseUrl}/user`, { headers: basic(longest, 'longest-password'), dispatcher: from('127.0.4.100') })).status, 429);
  });

  it('failed token verifications count too, in every token header', async () => {
    const z = await startZone({ env: THROTTLED });
    const alice = await z.user('alice');
    const client = from('127.0.0.4');
    const bad = alice.token.slice(0, -4) + 'AAAA';
    const attempts: Record<string, string>[] = [{ macaroon: bad }, { 'x-auth-token': bad }, { authorization: `Bearer ${bad}` }, { 'x-auth-token': 'garbage' }, { macaroon: '' }];
    for (const headers of attempts) {
      assert.equal((await send(`${z.baseUrl}/user`, { headers, dispatcher: client })).status, 401);
    }
    assert.equal((await send(`${z.baseUrl}/user`, { headers: { 'x-auth-token': alice.token }, dispatcher: client })).status, 429);
  });

  it('guesses sent all at once are held to the limit too: no more password checks than attempts allowed', async () => {
    const z = await startZone({ env: THROTTLED });
    const alice = await z.user('alice');
    const client = from('127.0.0.6');
    const before = z.zone.services.credentials.kdfRuns();
    // Every guess is in flight before the first 401 is sent (a check takes the KDF's time).
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => send(`${z.baseUrl}/user`, { headers: basic(i % 2 ? alice.login : `nobody-${i}`, `guess-${i}`), dispatcher: client })),
    );
    const statuses = answers.map((a) => a.status);
    assert.deepEqual(new Set(statuses), new Set([401, 429]));
    assert.ok(statuses.filter((s) => s === 401).length <= 5, `${statuses.filter((s) => s === 401).length} guesses were checked`);
    assert.ok(z.zone.services.credentials.kdfRuns() - before <= 5, 'no more password checks than attempts');
    for (const a of answers.filter((x) => x.status === 429)) assert.ok(Number(a.headers['retry-after']) >= 1);
    // And afterwards the address stays locked, the right password included.
    assert.equal((await send(`${z.baseUrl}/user`, { headers: basic(alice.login, alice.password), dispatcher: client })).status, 429);
    // Many requests with one right password, all at once, from a fresh address: one check, no 429.
    const bob = await z.user('bob');
    const fresh = from('127.0.0.7');
    const ok = await Promise.all(Array.from({ length: 30 }, () => send(`${z.baseUrl}/user`, { headers: basic(bob.login, bob.password), dispatcher: fresh })));
    assert.deepEqual(new Set(ok.map((a) => a.status)), new Set([200]));
    await client.close();
    await fresh.close();
  });

  it('wrong current passwords of PATCH /user/password count as failed logins: the address is throttled', async () => {
    const z = await startZone({ env: THROTTLED });
    const alice = await z.user('alice');
    const client = from('127.0.0.8');
    const attempt = (oldPassword: string) =>
      send(`${z.baseUrl}/user/password`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ oldPassword, newPassword: 'whatever-new-one' }),
        dispatcher: client,
      });
    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push((await attempt(`guess-${i}`)).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
    // All at once from another address: no more password checks than attempts allowed.
    const other = from('127.0.0.9');
    const before = z.zone.services.credentials.kdfRuns();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        send(`${z.baseUrl}/user/password`, {
          method: 'PATCH',
          headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ oldPassword: `burst-${i}`, newPassword: 'whatever-new-one' }),
          dispatcher: other,
        }),
      ),
    );
    assert.ok(z.zone.services.credentials.kdfRuns() - before <= 5, `${z.zone.services.credentials.kdfRuns() - before} checks`);
    await client.close();
    await other.close();
  });

  it('wrong current passwords count against the login too, from any address: guessing from many is held like Basic', async () => {
    const z = await startZone({ env: THROTTLED });
    const carol = await z.user('carol');
    const guess = (address: string, i: number) => {
      const dispatcher = from(address);
      return send(`${z.baseUrl}/user/password`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${carol.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ oldPassword: `guess-${i}`, newPassword: 'whatever-new-one' }),
        dispatcher,
      }).finally(() => dispatcher.close());
    };
    // Five failures, each from another address: no address is locked, the login is.
    for (let i = 0; i < 5; i++) assert.equal((await guess(`127.0.1.${i + 1}`, i)).status, 401);
    assert.equal((await guess('127.0.1.9', 9)).status, 429);
    const fresh = from('127.0.1.10');
    assert.equal((await send(`${z.baseUrl}/user`, { headers: basic(carol.login, carol.password), dispatcher: fresh })).status, 429);
    await fresh.close();
  });

  it('behind a trusted proxy (--trust-proxy) each forwarded client is throttled alone; a forwarded address from anyone else is ignored', async () => {
    const z = await startZone({ env: { ...THROTTLED, ONEZONE_TRUST_PROXY: '127.0.2.1' } });
    const alice = await z.user('alice');
    const proxy = from('127.0.2.1');
    const forwarded = (client: string) => ({ 'x-forwarded-for': client });
    for (let i = 0; i < 5; i++) {
      const a = await send(`${z.baseUrl}/user`, { headers: { ...basic('nobody', `x${i}`), ...forwarded('203.0.113.7') }, dispatcher: proxy });
      assert.equal(a.status, 401);
    }
    const again = await send(`${z.baseUrl}/user`, { headers: { 'x-auth-token': alice.token, ...forwarded('203.0.113.7') }, dispatcher: proxy });
    assert.equal(again.status, 429);
    // Another client behind the same proxy is not held back by the first one's failures.
    const other = await send(`${z.baseUrl}/user`, { headers: { 'x-auth-token': alice.token, ...forwarded('203.0.113.8') }, dispatcher: proxy });
    assert.equal(other.status, 200);
    // An untrusted peer cannot pick its address: it is throttled by its own.
    const direct = from('127.0.2.2');
    for (let i = 0; i < 5; i++) {
      await send(`${z.baseUrl}/user`, { headers: { ...basic(`stranger-${i}`, 'y'), ...forwarded(`198.51.100.${i}`) }, dispatcher: direct });
    }
    assert.equal((await send(`${z.baseUrl}/user`, { headers: { 'x-auth-token': alice.token, ...forwarded('198.51.100.99') }, dispatcher: direct })).status, 429);
    await proxy.close();
    await direct.close();
  });

  it('--trust-proxy / ONEZONE_TRUST_PROXY: proxy addresses, CIDR ranges or a hop count; nothing else', () => {
    assert.equal(loadConfig([], {}).trustProxy, false);
    assert.equal(loadConfig(['--trust-proxy', '10.0.0.1, 192.168.0.0/16,::1'], {}).trustProxy, '10.0.0.1,192.168.0.0/16,::1');
    assert.equal(loadConfig([], { ONEZONE_TRUST_PROXY: '2' }).trustProxy, 2);
    for (const bad of ['true', '*', '10.0.0.1/33', '10.0.0', 'proxy.example.org', '0']) {
      assert.throws(() => loadConfig(['--trust-proxy', bad], {}), /trust-proxy/, bad);
    }
  });

  it('successful traffic is never throttled, however much of it', async () => {
    const z = await startZone({ env: THROTTLED });
    const alice = await z.user('alice');
    const client = from('127.0.0.5');
    // Failures below the limit do not hold back successes either.
    for (let i = 0; i < 4; i++) await send(`${z.baseUrl}/user`, { headers: basic('nobody', 'x'), dispatcher: client });
    for (let round = 0; round < 10; round++) {
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          send(`${z.baseUrl}/user`, { headers: i % 2 ? basic(alice.login, alice.password) : { 'x-auth-token': alice.token }, dispatcher: client }),
        ),
      );
      assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
    }
  });

  it('is off by default in the test helper, and ONEZONE_THROTTLE=off / --no-throttle turn it off', async () => {
    const z = await startZone();
    for (let i = 0; i < 30; i++) assert.equal((await send(`${z.baseUrl}/user`, { headers: basic('nobody', `x${i}`) })).status, 401);
    assert.equal(loadConfig(['--no-throttle'], {}).throttle.enabled, false);
    assert.equal(loadConfig([], { ONEZONE_THROTTLE: 'off' }).throttle.enabled, false);
    assert.equal(loadConfig([], {}).throttle.enabled, true);
    assert.throws(() => loadConfig([], { ONEZONE_THROTTLE: 'maybe' }), /on or off/);
  });

  it('the counter forgets a window when it ends and stays bounded in size', () => {
    let now = 0;
    const c = failureCounter({ enabled: true, attempts: 2, windowSeconds: 10 }, () => now);
    c.fail('ip:a');
    c.fail('ip:a');
    assert.equal(c.retryAfter('ip:a'), 10);
    now = 9_500;
    assert.equal(c.retryAfter('ip:a'), 1);
    now = 10_000;
    assert.equal(c.retryAfter('ip:a'), 0);
    for (let i = 0; i < 150_000; i++) c.fail(`ip:${i}`);
    assert.ok(c.size <= 100_000, `size ${c.size}`);
  });
});

describe('size limits and the connection cap', () => {
  it('body over 64 KiB: 413; request head over 16 KiB (header or URL): 431; overlong id: 404 or 414; all in the catalog shape', async () => {
    const z = await startZone();
    const alice = await z.user('alice');
    const big = await send(`${z.baseUrl}/user/spaces`, {
      method: 'POST',
      headers: { 'x-auth-token': alice.token, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(70 * 1024) }),
    });
    assert.equal(big.status, 413);
    assertErrorShape(big, 'body');
    const port = Number(new URL(z.baseUrl).port);
    const header = await rawHttp(port, `GET /api/v3/onezone/user HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`);
    assert.match(header, /^HTTP\/1\.1 431 /);
    assert.match(header, /"error":"invalid_request"/);
    assert.match(header, /\r\nCache-Control: no-store\r\n/);
    const url = await rawHttp(port, `GET /api/v3/onezone/spaces/${'a'.repeat(17 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.match(url, /^HTTP\/1\.1 431 /);
    const long = await send(`${z.baseUrl}/spaces/${'a'.repeat(1000)}`, { headers: { 'x-auth-token': alice.token } });
    assert.ok(long.status === 404 || long.status === 414, String(long.status));
    assertErrorShape(long, 'long id');
    const garbage = await rawHttp(port, 'NOT HTTP AT ALL\r\n\r\n');
    assert.match(garbage, /^HTTP\/1\.1 400 [\s\S]*"error":"invalid_request"/);
  });

  it('connections beyond ONEZONE_MAX_CONNECTIONS are closed at once; the server serves again when they go', async () => {
    const z = await startZone({ env: { ONEZONE_MAX_CONNECTIONS: '5' } });
    const port = Number(new URL(z.baseUrl).port);
    const open = await Promise.all(
      Array.from({ length: 5 }, () => new Promise<net.Socket>((resolve) => { const s = net.connect(port, '127.0.0.1', () => resolve(s)); })),
    );
    // Let the server accept them before the extra one arrives.
    await new Promise((r) => setTimeout(r, 100));
    const refused = await rawHttp(port, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n', 3000);
    assert.equal(refused, '', 'the 6th connection got no answer');
    for (const s of open) s.destroy();
    await new Promise((r) => setTimeout(r, 100));
    assert.match(await rawHttp(port, 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 200 /);
  });
});
