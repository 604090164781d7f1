import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { OnezoneClient, OnezoneError } from '../../src/client/index.js';
import { loadConfig } from '../../src/config.js';
import { accessTokenService } from '../../src/domain/access-tokens.js';
import { ADMINS_GROUP } from '../../src/domain/authorize.js';
import { newId, systemClock } from '../../src/domain/deps.js';
import { connect, type Connection } from '../../src/store/db.js';
import { createStore, type Store } from '../../src/store/index.js';
import { parse } from '../../src/tokens/macaroon.js';
import { createPgDatabase, PG_ADMIN_URL, pgUnavailable, type TestDatabase } from '../helpers/db.js';

/**
 * Several real `onezone serve` processes on one PostgreSQL database behave as one zone.
 * Processes run from source (node --import tsx src/main.ts), so the test never sees a stale build.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const ADMIN_PASSWORD = 'admin-password-for-scale-out';
const MASTER_KEY = randomBytes(32).toString('base64url');

interface Server {
  proc: ChildProcess;
  /** API root, e.g. http://127.0.0.1:PORT/api/v3/onezone */
  baseUrl: string;
  origin: string;
  output: () => string;
  exited: Promise<number | null>;
}

const running = new Set<ChildProcess>();
after(() => {
  for (const p of running) p.kill('SIGKILL');
});

interface Launched {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** Resolves with the address once printed; rejects if the process exits first. */
  listening: Promise<Server>;
}

/** Spawns `onezone serve` on a free port, in its own data dir unless one is given. */
function launch(args: string[], opts: { dataDir?: string; env?: Record<string, string> } = {}): Launched {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'onezone-e2e-'));
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/main.ts', 'serve', '--http', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn', ...args],
    {
      cwd: ROOT,
      env: { ...process.env, ONEZONE_ADMIN_PASSWORD: ADMIN_PASSWORD, ONEZONE_MASTER_KEY: MASTER_KEY, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  running.add(proc);
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) =>
    proc.on('exit', (code) => {
      running.delete(proc);
      if (!opts.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
      resolve(code);
    }),
  );
  const output = () => out;
  const listening = new Promise<Server>((resolve, reject) => {
    const onData = () => {
      const m = /onezone listening on (http:\/\/[^/\s]+)(\/api\/v3\/onezone)/.exec(out);
      if (!m) return;
      proc.stdout!.off('data', onData);
      resolve({ proc, origin: m[1]!, baseUrl: m[1]! + m[2]!, output, exited });
    };
    proc.stdout!.on('data', onData);
    exited.then((code) => reject(new Error(`serve exited with ${code} before listening:\n${out}`)));
  });
  listening.catch(() => undefined);
  return { proc, output, exited, listening };
}

/** Starts `onezone serve` and resolves once it printed its address. */
function serve(args: string[]): Promise<Server> {
  return launch(args).listening;
}

function client(server: Server, token: string): OnezoneClient {
  return new OnezoneClient({ baseUrl: server.baseUrl, credentials: { token } });
}

/** HTTP status of a call: 200 for any success (a join's 201), the error status, or 0 when the connection failed. */
async function status(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (err) {
    if (err instanceof OnezoneError) return err.status;
    return 0;
  }
}

/** Runs `tasks` with at most `width` in flight. */
async function pool<T>(width: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]!();
      }
    }),
  );
  return results;
}

/** Users made straight in the database, each with a real access token (no password KDF per user). */
function makeUsers(store: Store, n: number): Promise<{ id: string; token: string }[]> {
  const tokens = accessTokenService({
    store,
    clock: systemClock,
    ids: newId,
    masterKey: Buffer.from(MASTER_KEY, 'base64url'),
    config: loadConfig([], {}),
  });
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const id = newId();
      const login = `load-${i}-${id.slice(0, 10)}`;
      await store.users.insert({ id, login, name: login, password_hash: null, alias: '', email_list: '[]', default_space_id: null, created_at: systemClock() });
      return { id, token: await tokens.mint({ kind: 'user', userId: id, login }) };
    }),
  );
}

describe('scale-out on PostgreSQL (real processes)', { concurrency: false }, () => {
  let db: TestDatabase;
  let conn: Connection;
  let store: Store;
  let a: Server;
  let b: Server;
  let skip: string | undefined;

  const users = (n: number) => makeUsers(store, n);

  before(async () => {
    skip = await pgUnavailable();
    if (skip) return;
    db = await createPgDatabase();
    // Both start at once on the empty database: migrations and bootstrap must happen exactly once.
    [a, b] = await Promise.all([serve(['--db', db.url]), serve(['--db', db.url])]);
    conn = await connect({ kind: 'postgres', url: db.url }, { poolSize: 4 });
    store = createStore(conn);
  });

  after(async () => {
    for (const s of [a, b]) if (s && s.proc.exitCode === null) s.proc.kill('SIGTERM');
    await Promise.all([a?.exited, b?.exited]);
    await conn?.close();
    await db?.drop();
  });

  it('both answer /health and /ready; one admin account exists', async (t) => {
    if (skip) return t.skip(skip);
    for (const s of [a, b]) {
      assert.deepEqual(await (await fetch(`${s.origin}/health`)).json(), { status: 'ok' });
      assert.deepEqual(await (await fetch(`${s.origin}/ready`)).json(), { status: 'ok' });
    }
    const admin = await store.users.byLogin('admin');
    assert.deepEqual(await store.groups.users(ADMINS_GROUP), [admin?.id]);
  });

  it('200 concurrent joins over both processes with one invite limited to 50: exactly 50 succeed', async (t) => {
    if (skip) return t.skip(skip);
    const [owner] = await users(1);
    const spaceId = await client(a, owner!.token).user.createSpace('crowd');
    const invite = await client(a, owner!.token).spaces.createUserInvite(spaceId, { usageLimit: 50 });
    const joiners = await users(200);
    const statuses = await Promise.all(
      joiners.map((u, i) => status(client(i % 2 === 0 ? a : b, u.token).user.joinSpace(invite))),
    );
    const count = (s: number) => statuses.filter((x) => x === s).length;
    t.diagnostic(`201: ${count(200)}, 400: ${count(400)}, other: ${statuses.length - count(200) - count(400)}`);
    assert.equal(count(200), 50, 'exactly 50 joins succeed');
    assert.equal(count(400), 150, 'the other 150 are refused as used up');
    const members = await client(b, owner!.token).spaces.users(spaceId);
    assert.equal(members.length, 51, 'the owner and exactly 50 new members');
    const row = await store.tokens.byId(parse(invite).identifier);
    assert.equal(row?.usage_count, 50, 'the token reports 50 uses');
  });

  it('a user removed from a space on A is refused on B by the very next request', async (t) => {
    if (skip) return t.skip(skip);
    const [owner, member] = await users(2);
    const spaceId = await client(a, owner!.token).user.createSpace('s');
    await client(b, member!.token).user.joinSpace(await client(a, owner!.token).spaces.userInviteToken(spaceId));
    for (let round = 0; round < 5; round++) {
      assert.equal((await client(b, member!.token).user.space(spaceId)).spaceId, spaceId);
      assert.equal(await status(client(b, member!.token).spaces.get(spaceId)), 200);
      await client(a, owner!.token).spaces.removeUser(spaceId, member!.id);
      assert.equal(await status(client(b, member!.token).spaces.get(spaceId)), 403, 'refused on B right after A answered');
      assert.equal(await status(client(b, member!.token).user.space(spaceId)), 404);
      await client(b, member!.token).user.joinSpace(await client(a, owner!.token).spaces.userInviteToken(spaceId));
    }
  });

  it('a deleted token fails on B right after A answered', async (t) => {
    if (skip) return t.skip(skip);
    // An access token is deleted with its account.
    const [leaver] = await users(1);
    assert.equal(await status(client(b, leaver!.token).user.get()), 200);
    await client(a, leaver!.token).user.remove();
    assert.equal(await status(client(b, leaver!.token).user.get()), 401);
    // Invite tokens are deleted with their space.
    const [owner, joiner] = await users(2);
    const spaceId = await client(a, owner!.token).user.createSpace('doomed');
    const invite = await client(a, owner!.token).spaces.userInviteToken(spaceId);
    await client(a, owner!.token).spaces.remove(spaceId);
    assert.equal(await status(client(b, joiner!.token).user.joinSpace(invite)), 400);
    assert.equal(await store.tokens.byId(parse(invite).identifier), undefined);
    // A token deleted or revoked by its owner (extension /user/tokens) on A fails on B at once.
    const keeper = await client(a, owner!.token).user.createSpace('kept');
    for (const [how, act] of [
      ['deleted', (id: string) => client(a, owner!.token).tokens.remove(id)],
      ['revoked', (id: string) => client(a, owner!.token).tokens.setRevoked(id, true)],
    ] as const) {
      const token = await client(a, owner!.token).spaces.userInviteToken(keeper);
      await act(parse(token).identifier);
      assert.equal(await status(client(b, joiner!.token).user.joinSpace(token)), 400, `an invite ${how} on A`);
      const second = await client(a, joiner!.token).user.clientToken();
      assert.equal(await status(client(b, second).user.get()), 200);
      await (how === 'deleted'
        ? client(a, joiner!.token).tokens.remove(parse(second).identifier)
        : client(a, joiner!.token).tokens.setRevoked(parse(second).identifier, true));
      assert.equal(await status(client(b, second).user.get()), 401, `an access token ${how} on A`);
    }
  });

  it('killing one of two processes under a load of joins: the other keeps serving, every 201 is kept', async (t) => {
    if (skip) return t.skip(skip);
    const [owner] = await users(1);
    const spaceId = await client(b, owner!.token).user.createSpace('survivor');
    const invite = await client(b, owner!.token).spaces.createUserInvite(spaceId, { usageLimit: 'infinity' });
    const joiners = await users(300);
    let done = 0;
    const killAt = 100;
    const results = await pool(
      20,
      joiners.map((u, i) => async () => {
        const target = i % 2 === 0 ? a : b;
        const s = await status(client(target, u.token).user.joinSpace(invite));
        if (++done === killAt) a.proc.kill('SIGKILL');
        return { user: u.id, server: target === a ? 'A' : 'B', status: s };
      }),
    );
    await a.exited;
    const acknowledged = results.filter((r) => r.status === 200);
    const onB = results.filter((r) => r.server === 'B');
    const failedOnA = results.filter((r) => r.server === 'A' && r.status !== 200).length;
    t.diagnostic(`acknowledged ${acknowledged.length} (A ${acknowledged.length - onB.filter((r) => r.status === 200).length}, B ${onB.filter((r) => r.status === 200).length}); failed on A after the kill ${failedOnA}`);
    assert.ok(failedOnA > 0, 'A was killed in the middle of the load');
    assert.ok(onB.every((r) => r.status === 200), 'B answered every join sent to it, before and after the kill');
    const members = new Set(await client(b, owner!.token).spaces.users(spaceId));
    const lost = acknowledged.filter((r) => !members.has(r.user));
    assert.deepEqual(lost, [], 'every acknowledged join is present');
    // And B goes on serving new work.
    const later = await users(10);
    for (const u of later) assert.equal(await status(client(b, u.token).user.joinSpace(invite)), 200);
  });
  it('/ready answers 503 while the database refuses connections and 200 once it is back; /health stays 200', async (t) => {
    if (skip) return t.skip(skip);
    const name = new URL(db.url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    try {
      await admin.query(`alter database ${name} allow_connections false`);
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
      const res = await fetch(`${b.origin}/ready`);
      assert.equal(res.status, 503);
      assert.equal(((await res.json()) as { error: string }).error, 'service_unavailable');
      assert.equal((await fetch(`${b.origin}/health`)).status, 200);
    } finally {
      await admin.query(`alter database ${name} allow_connections true`);
      await admin.end();
    }
    await until('/ready to recover', async () => (await fetch(`${b.origin}/ready`)).status === 200);
    // The test's own connections were terminated too: reopen.
    await conn.close();
    conn = await connect({ kind: 'postgres', url: db.url }, { poolSize: 4 });
    store = createStore(conn);
  });
});

/** Pids of the direct children of `pid` (the workers of a cluster primary). */
/** The zone worker processes of a primary (not other children, such as tsx's esbuild service). */
function children(pid: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const parent = fs.readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ')[1];
        return parent === String(pid) && fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('main.ts');
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('serve --workers N on PostgreSQL', { concurrency: false }, () => {
  let db: TestDatabase;
  let conn: Connection;
  let store: Store;
  let primary: Server;
  let skip: string | undefined;

  before(async () => {
    skip = await pgUnavailable();
    if (skip) return;
    db = await createPgDatabase();
    primary = await serve(['--db', db.url, '--workers', '2']);
    conn = await connect({ kind: 'postgres', url: db.url }, { poolSize: 2 });
    store = createStore(conn);
  });

  after(async () => {
    if (primary && primary.proc.exitCode === null) primary.proc.kill('SIGKILL');
    await conn?.close();
    await db?.drop();
  });

  it('announces one address for its workers; usage limits are exact across them', async (t) => {
    if (skip) return t.skip(skip);
    assert.match(primary.output(), /\(2 workers\)/);
    assert.equal(children(primary.proc.pid!).length, 2);
    const admin = new OnezoneClient({ baseUrl: primary.baseUrl, credentials: { basic: { login: 'admin', password: ADMIN_PASSWORD } } });
    const owner = await admin.user.clientToken();
    const spaceId = await client(primary, owner).user.createSpace('cluster');
    const invite = await client(primary, owner).spaces.createUserInvite(spaceId, { usageLimit: 20 });
    const own = (await makeUsers(store, 60)).map((u) => u.token);
    const statuses = await Promise.all(own.map((tok) => status(client(primary, tok).user.joinSpace(invite))));
    t.diagnostic(`201: ${statuses.filter((x) => x === 200).length}, 400: ${statuses.filter((x) => x === 400).length}`);
    assert.equal(statuses.filter((x) => x === 200).length, 20);
    assert.equal((await store.tokens.byId(parse(invite).identifier))?.usage_count, 20);
    await admin.close();
  });

  it('replaces a worker that dies; SIGTERM stops the workers and then the primary with code 0', async (t) => {
    if (skip) return t.skip(skip);
    const [victim, survivor] = children(primary.proc.pid!);
    process.kill(victim!, 'SIGKILL');
    await until('a replacement worker', () => {
      const now = children(primary.proc.pid!);
      return now.length === 2 && !now.includes(victim!) && now.includes(survivor!);
    });
    await until('the replacement to listen', async () => (await fetch(`${primary.origin}/ready`)).status === 200);
    assert.match(primary.output(), /exited \(signal SIGKILL\); starting a replacement/);
    for (let i = 0; i < 10; i++) assert.equal((await fetch(`${primary.origin}/health`)).status, 200);

    const workers = children(primary.proc.pid!);
    primary.proc.kill('SIGTERM');
    assert.equal(await primary.exited, 0);
    for (const w of workers) assert.throws(() => process.kill(w, 0), 'worker is gone');
  });
});

describe('SQLite allows one process per database', () => {
  it('serve --workers 2 on SQLite is refused with exit code 2', async () => {
    const run = launch(['--workers', '2']);
    assert.equal(await run.exited, 2);
    assert.match(run.output(), /--workers needs PostgreSQL/);
  });

  it('a second serve on the same SQLite database is refused with exit code 2; the first keeps serving', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onezone-e2e-'));
    try {
      const first = await launch([], { dataDir }).listening;
      const second = launch([], { dataDir });
      assert.equal(await second.exited, 2);
      assert.match(second.output(), /in use by another process; SQLite allows one onezone process per database/);
      assert.equal((await fetch(`${first.origin}/ready`)).status, 200);
      first.proc.kill('SIGTERM');
      assert.equal(await first.exited, 0);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
