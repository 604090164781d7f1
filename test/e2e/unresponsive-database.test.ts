import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { OnezoneClient } from '../../src/client/index.js';
import { parse } from '../../src/tokens/macaroon.js';
import { createPgDatabase, pgUnavailable, type TestDatabase } from '../helpers/db.js';
import { spawnZone, type ZoneProcess } from '../helpers/process.js';

/**
 * A real `onezone serve` on PostgreSQL reached through a proxy the test controls: the proxy
 * either stops answering (the server hangs: established connections get nothing back, new ones
 * are accepted and never answered) or goes away (connections refused). The zone must keep
 * answering: 503 from /ready and the API, and SIGTERM must still end the process.
 */

const PASSWORD = 'unresponsive-db-admin-password';
const basic = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'onezone-unresponsive-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

/**
 * A TCP proxy to PostgreSQL that can hang (`freeze`), vanish (`refuse`), or let one connection
 * send a chosen statement and then pass nothing more (`stallAfter`), as when the zone's host drops
 * off the network mid-transaction: the server runs the statement and waits for the rest.
 */
class Proxy {
  readonly sockets = new Set<net.Socket>();
  private frozen = false;
  private trap: { pattern: RegExp; sprung: () => void } | undefined;
  private readonly pairs: Array<{ client: net.Socket; upstream: net.Socket; open: boolean }> = [];
  private readonly server: net.Server;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = net.createServer((client) => this.accept(client));
  }

  listen(): Promise<number> {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', () => resolve((this.server.address() as net.AddressInfo).port)));
  }

  private accept(client: net.Socket): void {
    this.track(client);
    // Accepted by the kernel, never answered: what a hung server does to a new connection.
    if (this.frozen) return;
    const upstream = net.connect(this.target);
    this.track(upstream);
    const pair = { client, upstream, open: true };
    this.pairs.push(pair);
    client.on('data', (chunk: Buffer) => {
      if (!pair.open) return;
      upstream.write(chunk);
      if (this.trap?.pattern.test(chunk.toString('latin1'))) {
        this.trap.sprung();
        this.trap = undefined;
        this.cut(pair);
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      if (pair.open) client.write(chunk);
    });
    // Ends and closes pass only while the pair is open: a lost host tells the other side nothing.
    client.on('end', () => pair.open && upstream.end());
    upstream.on('end', () => pair.open && client.end());
    client.on('close', () => pair.open && upstream.destroy());
    upstream.on('close', () => pair.open && client.destroy());
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => this.sockets.delete(socket));
  }

  private cut(pair: { client: net.Socket; upstream: net.Socket; open: boolean }): void {
    pair.open = false;
    pair.client.pause();
    pair.upstream.pause();
  }

  /** Nothing more goes either way on open connections; new ones get no answer. */
  freeze(): void {
    this.frozen = true;
    for (const pair of this.pairs) this.cut(pair);
  }

  /** The next statement whose text matches goes to the server; then its connection passes nothing more. Resolves when it went. */
  stallAfter(pattern: RegExp): Promise<void> {
    return new Promise((sprung) => (this.trap = { pattern, sprung }));
  }

  /** The port closes and every connection is cut: connections are refused. */
  refuse(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  close(): void {
    for (const s of this.sockets) s.destroy();
    this.server.close();
  }
}

async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const start = Date.now();
  const value = await work;
  return { value, ms: Date.now() - start };
}

describe('an unresponsive or unreachable PostgreSQL (a real process)', () => {
  let skip: string | undefined;
  let database: TestDatabase | undefined;
  const proxies: Proxy[] = [];
  const zones: ZoneProcess[] = [];

  before(async () => {
    skip = await pgUnavailable();
    if (!skip) database = await createPgDatabase();
  });
  after(async () => {
    for (const z of zones) z.proc.kill('SIGKILL');
    for (const p of proxies) p.close();
    await database?.drop();
  });

  async function zoneBehindProxy(name: string, env: Record<string, string> = {}): Promise<{ zone: ZoneProcess; origin: string; proxy: Proxy }> {
    const url = new URL(database!.url);
    const proxy = new Proxy({ host: url.hostname, port: Number(url.port || 5432) });
    proxies.push(proxy);
    url.port = String(await proxy.listen());
    url.hostname = '127.0.0.1';
    const zone = await spawnZone(['--data-dir', path.join(root, name), '--http', '--port', '0', '--host', '127.0.0.1', '--db', url.toString()], {
      ONEZONE_ADMIN_PASSWORD: PASSWORD,
      ONEZONE_DB_CONNECT_TIMEOUT_MS: '1000',
      ONEZONE_DB_QUERY_TIMEOUT_MS: '1500',
      ONEZONE_REQUEST_TIMEOUT_MS: '2000',
      ONEZONE_PASSWORD_COST: '10',
      ...env,
    });
    zones.push(zone);
    const origin = new URL(zone.url).origin;
    assert.equal((await fetch(`${origin}/ready`)).status, 200);
    assert.equal((await fetch(`${zone.url}/user`, { headers: { authorization: basic } })).status, 200);
    return { zone, origin, proxy };
  }

  it('hung: API requests 503 with Retry-After, /ready 503 within its timeout, SIGTERM still exits 0', async (t) => {
    if (skip) return t.skip(skip);
    const { zone, origin, proxy } = await zoneBehindProxy('hung');
    // Several pooled connections, idle when the server stops answering.
    await Promise.all(Array.from({ length: 5 }, () => fetch(`${origin}/ready`)));
    proxy.freeze();

    // On a pooled connection: the statement timeout cannot help (the server does not answer);
    // pg's read timeout (query timeout 1.5 s + 2 s) ends it, and the connection is dropped.
    const first = await timed(fetch(`${zone.url}/user`, { headers: { authorization: basic } }));
    assert.equal(first.value.status, 503);
    assert.equal((await first.value.json()).error, 'service_unavailable');
    assert.equal(first.value.headers.get('retry-after'), '5');
    assert.ok(first.ms < 6000, `the first request took ${first.ms} ms`);

    const ready = await timed(fetch(`${origin}/ready`));
    assert.equal(ready.value.status, 503);
    assert.equal((await ready.value.json()).error, 'service_unavailable');
    assert.ok(ready.ms < 3000, `/ready took ${ready.ms} ms`);

    // The ping /ready gave up on still holds its connection, until pg's read timeout.
    const stopped = await timed(zone.stop('SIGTERM'));
    assert.equal(stopped.value, 0);
    assert.ok(stopped.ms < 5000, `exit took ${stopped.ms} ms`);
    assert.doesNotMatch(zone.stdout(), /request failed/, 'no 503 logged as a fault');
  });

  it('hung, with a query still waiting at SIGTERM: the process exits 1 at its deadline (request timeout + 5 s)', async (t) => {
    if (skip) return t.skip(skip);
    // A query timeout far beyond the deadline: only the deadline can end the wait.
    const { zone, proxy } = await zoneBehindProxy('deadline', { ONEZONE_DB_QUERY_TIMEOUT_MS: '60000' });
    proxy.freeze();
    const waiting = fetch(`${zone.url}/user`, { headers: { authorization: basic } }).catch((err: Error) => err);
    await new Promise((r) => setTimeout(r, 300));
    const stopped = await timed(zone.stop('SIGTERM'));
    assert.equal(stopped.value, 1);
    assert.ok(stopped.ms > 6000 && stopped.ms < 10_000, `exit took ${stopped.ms} ms`);
    assert.match(zone.stdout(), /shutdown did not finish in time/);
    // Its connection was cut at the request timeout.
    assert.ok((await waiting) instanceof Error);
  });

  it('lost in the middle of a join\'s transaction: its locks go at the idle-in-transaction bound, the join answers 503 with Retry-After, nothing of it is kept', async (t) => {
    if (skip) return t.skip(skip);
    // Query timeout 1.5 s: a session idle inside a transaction is ended by the server after 1.5 s;
    // the zone gives up on its statement after 3.5 s (pg's read timeout).
    const { zone, proxy } = await zoneBehindProxy('lost');
    const admin = new OnezoneClient({ baseUrl: zone.url, credentials: { basic: { login: 'admin', password: PASSWORD } } });
    const groupId = await admin.user.createGroup('lost', 'team');
    const invite = await admin.groups.createUserInvite(groupId);
    await admin.users.create({ login: 'joiner', password: 'joiner-password', name: 'joiner' });
    const join = () =>
      fetch(`${zone.url}/user/groups/join`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from('joiner:joiner-password').toString('base64')}`, 'content-type': 'application/json' },
        body: JSON.stringify({ token: invite }),
      });

    // The statement that counts the invite's use, the join's last before its commit, locks the
    // invite's row; the server runs it, and the zone hears nothing more.
    const stalled = proxy.stallAfter(/update "tokens" set "usage_count"/);
    const lost = timed(join());
    await stalled;

    // Another process's write to that row (one that leaves the invite as it is) waits for the lost
    // session, which the server ends at the bound.
    const other = new pg.Client({ connectionString: database!.url, statement_timeout: 10_000 });
    await other.connect();
    try {
      const write = await timed(other.query('update tokens set usage_count = usage_count where id = $1', [parse(invite).identifier]));
      assert.equal(write.value.rowCount, 1);
      assert.ok(write.ms < 4000, `the other write waited ${write.ms} ms`);

      const answer = await lost;
      assert.equal(answer.value.status, 503);
      assert.equal((await answer.value.json()).error, 'service_unavailable');
      assert.equal(answer.value.headers.get('retry-after'), '5');
      assert.ok(answer.ms < 6000, `the join took ${answer.ms} ms`);

      // Nothing of the lost join was kept: no membership, no use counted.
      assert.deepEqual(await admin.groups.users(groupId), [(await admin.user.get()).userId]);
      const uses = async () => (await other.query('select usage_count from tokens where id = $1', [parse(invite).identifier])).rows[0].usage_count;
      assert.equal(await uses(), 0);
      // The zone goes on: the same join now succeeds.
      assert.equal((await join()).status, 201);
      assert.equal(await uses(), 1);
    } finally {
      await other.end();
    }
    // The timeout is logged as one (no stack), not as a fault of ours.
    assert.match(zone.stdout(), /"cause":"Query read timeout".*database query timed out/);
    assert.doesNotMatch(zone.stdout(), /request failed|not queryable/);
  });

  it('refusing connections: the API answers 503 with Retry-After (not 500), /ready 503, and SIGTERM exits 0', async (t) => {
    if (skip) return t.skip(skip);
    const { zone, origin, proxy } = await zoneBehindProxy('refused');
    await proxy.refuse();

    const api = await fetch(`${zone.url}/user`, { headers: { authorization: basic } });
    assert.equal(api.status, 503);
    assert.equal((await api.json()).error, 'service_unavailable');
    assert.equal(api.headers.get('retry-after'), '5');
    assert.equal((await fetch(`${origin}/ready`)).status, 503);
    assert.equal(await zone.stop('SIGTERM'), 0);
    // Expected refusals are a warning line with the cause, not an error with a stack.
    assert.doesNotMatch(zone.stdout(), /"level":50/);
    assert.match(zone.stdout(), /"level":40.*database not reachable/);
  });
});
