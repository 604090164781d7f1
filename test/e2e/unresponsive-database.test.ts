import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
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

/** A TCP proxy to PostgreSQL that can hang (`freeze`) or vanish (`refuse`). */
class Proxy {
  readonly sockets = new Set<net.Socket>();
  private frozen = false;
  private readonly pairs: Array<[net.Socket, net.Socket]> = [];
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
    client.pipe(upstream).pipe(client);
    this.pairs.push([client, upstream]);
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => this.sockets.delete(socket));
  }

  /** Nothing more goes either way on open connections; new ones get no answer. */
  freeze(): void {
    this.frozen = true;
    for (const [client, upstream] of this.pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
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
