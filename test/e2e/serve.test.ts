import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { OnezoneClient } from '../../src/client/index.js';
import { createPgDatabase, pgUnavailable } from '../helpers/db.js';
import { ROOT, type ZoneProcess, ensureBuilt, spawnZone } from '../helpers/process.js';

describe('onezone serve (a real process)', async () => {
  const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'onezone-e2e-')), 'zone');
  after(() => fs.rmSync(path.dirname(dataDir), { recursive: true, force: true }));

  it('first start: creates the data dir, serves HTTPS with a self-signed certificate, prints the URL, stops on SIGTERM with 0', async () => {
    const zone = await spawnZone(['--data-dir', dataDir, '--port', '0', '--host', '127.0.0.1'], { ONEZONE_ADMIN_PASSWORD: 'e2e-admin-pass' });
    assert.match(zone.url, /^https:\/\/127\.0\.0\.1:\d+\/api\/v3\/onezone$/);
    for (const f of ['master.key', 'onezone.sqlite', 'tls/server.key', 'tls/server.crt']) assert.ok(fs.existsSync(path.join(dataDir, f)), f);
    assert.equal(fs.statSync(path.join(dataDir, 'master.key')).mode & 0o777, 0o600);
    assert.equal(Buffer.from(fs.readFileSync(path.join(dataDir, 'master.key'), 'utf8').trim(), 'base64url').length, 32);
    assert.deepEqual(fs.readdirSync(dataDir).filter((f) => f.endsWith('.tmp')), [], 'no temp file left');
    assert.equal(fs.statSync(path.join(dataDir, 'tls/server.key')).mode & 0o777, 0o600);

    const cert = fs.readFileSync(path.join(dataDir, 'tls/server.crt'), 'utf8');
    const admin = new OnezoneClient({ baseUrl: zone.url, ca: cert, credentials: { basic: { login: 'admin', password: 'e2e-admin-pass' } } });
    assert.equal((await admin.user.get()).login, 'admin');
    const insecure = new OnezoneClient({ baseUrl: zone.url, insecure: true, credentials: { basic: { login: 'admin', password: 'e2e-admin-pass' } } });
    await insecure.users.create({ login: 'alice', password: 'alice-password', name: 'Alice' });
    await Promise.all([admin.close(), insecure.close()]);
    assert.equal(await zone.stop('SIGTERM'), 0);
  });

  it('second start on the same data dir keeps everything; SIGINT also stops it with 0', async () => {
    const zone = await spawnZone(['--data-dir', dataDir, '--port', '0', '--host', '127.0.0.1']);
    const alice = new OnezoneClient({ baseUrl: zone.url, insecure: true, credentials: { basic: { login: 'alice', password: 'alice-password' } } });
    assert.equal((await alice.user.get()).name, 'Alice');
    await alice.close();
    assert.equal(await zone.stop('SIGINT'), 0);
  });

  it('a TLS key lost since the last start is made anew with a certificate of its own (the old one would not start)', async () => {
    for (const name of ['server', 'zone-ca']) fs.rmSync(path.join(dataDir, 'tls', `${name}.key`));
    const zone = await spawnZone(['--data-dir', dataDir, '--port', '0', '--host', '127.0.0.1']);
    // Logged before the zone listens.
    assert.match(zone.stdout() + zone.stderr(), /zone-ca\.key was missing: a new zone CA was made/);
    for (const name of ['server', 'zone-ca']) {
      const key = createPrivateKey(fs.readFileSync(path.join(dataDir, 'tls', `${name}.key`), 'utf8'));
      assert.ok(new X509Certificate(fs.readFileSync(path.join(dataDir, 'tls', `${name}.crt`), 'utf8')).checkPrivateKey(key), name);
    }
    const alice = new OnezoneClient({ baseUrl: zone.url, ca: fs.readFileSync(path.join(dataDir, 'tls/server.crt'), 'utf8'), credentials: { basic: { login: 'alice', password: 'alice-password' } } });
    assert.equal((await alice.user.get()).name, 'Alice');
    await alice.close();
    assert.equal(await zone.stop('SIGTERM'), 0);
  });

  it('without ONEZONE_ADMIN_PASSWORD, prints a generated admin password once, and it works', async () => {
    const fresh = path.join(path.dirname(dataDir), 'fresh');
    const zone = await spawnZone(['--data-dir', fresh, '--port', '0', '--host', '127.0.0.1', '--http']);
    const m = /shown only this once\):\n\s+(\S+)/.exec(zone.stderr());
    assert.ok(m, 'the password was printed');
    const admin = new OnezoneClient({ baseUrl: zone.url, credentials: { basic: { login: 'admin', password: m[1]! } } });
    assert.equal((await admin.user.get()).login, 'admin');
    await admin.close();
    assert.equal(await zone.stop(), 0);
    const again = await spawnZone(['--data-dir', fresh, '--port', '0', '--host', '127.0.0.1', '--http']);
    assert.doesNotMatch(again.stderr(), /shown only this once/);
    assert.equal(await again.stop(), 0);
  });

  it('the installed command checkpoints its WAL on a thread of its own, and leaves no WAL behind when stopped', async () => {
    const dir = path.join(path.dirname(dataDir), 'checkpoints');
    const zone = await spawnZone(['--data-dir', dir, '--port', '0', '--host', '127.0.0.1', '--http'], { ONEZONE_ADMIN_PASSWORD: 'e2e-admin-pass' });
    const admin = new OnezoneClient({ baseUrl: zone.url, credentials: { basic: { login: 'admin', password: 'e2e-admin-pass' } } });
    const series = (text: string, name: string) => Number(new RegExp(`^onezone_${name} (\\d+)$`, 'm').exec(text)?.[1]);
    for (let i = 0; i < 20; i++) await admin.user.createSpace(`space ${i}`);
    let text = await admin.zone.metrics();
    for (let i = 0; i < 100 && !(series(text, 'sqlite_checkpoints_total') >= 1); i++) {
      await new Promise((r) => setTimeout(r, 50));
      text = await admin.zone.metrics();
    }
    assert.ok(series(text, 'sqlite_checkpoints_total') >= 1, 'the checkpoint thread never checkpointed');
    assert.equal(series(text, 'sqlite_writer_checkpoints_total'), 0);
    await admin.close();
    assert.equal(await zone.stop('SIGTERM'), 0);
    assert.equal(fs.existsSync(path.join(dir, 'onezone.sqlite-wal')), false);
  });

  it('a bad flag is refused with exit code 2 and a message', async () => {
    await assert.rejects(spawnZone(['--port', 'eighty']), /exited with 2[\s\S]*port must be a whole number/);
  });

  it('a master.key that holds no valid key (empty, short, not base64url) stops the start: exit code 2, one line, the file left as it was', async () => {
    const dir = path.join(path.dirname(dataDir), 'bad-key');
    fs.mkdirSync(dir, { mode: 0o700 });
    const contents = ['', '\n', 'abc\n', randomBytes(16).toString('base64url'), `${randomBytes(32).toString('base64url')}!`, `${randomBytes(32).toString('base64')} x`];
    for (const content of contents) {
      fs.writeFileSync(path.join(dir, 'master.key'), content, { mode: 0o600 });
      const run = await serveToExit(['--data-dir', dir, '--http', '--port', '0', '--host', '127.0.0.1']);
      assertOperatorError(run, /master\.key holds no valid master key \(at least 32 bytes, base64url-encoded\)/);
      assert.equal(fs.readFileSync(path.join(dir, 'master.key'), 'utf8'), content);
      assert.equal(fs.existsSync(path.join(dir, 'onezone.sqlite')), false, 'no database opened');
    }
  });

  it('an unknown log level is refused before anything is created, naming the accepted ones; the admin password is then generated and shown on the first real start', async () => {
    const dir = path.join(path.dirname(dataDir), 'log-level');
    const args = ['--data-dir', dir, '--http', '--port', '0', '--host', '127.0.0.1'];
    const run = await serveToExit(args, { ONEZONE_LOG_LEVEL: 'verbose' });
    assertOperatorError(run, /ONEZONE_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got 'verbose'/);
    assert.equal(fs.existsSync(dir), false);
    const zone = await spawnKept(args);
    assert.match(zone.stderr(), /Created user 'admin' with a generated password/);
    assert.equal(await zone.stop(), 0);
  });

  it('a data dir others may read is narrowed to 0700 (with a warning); the database and its -wal, -shm and lock files are 0600', async () => {
    const dir = path.join(path.dirname(dataDir), 'open-dir');
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.chmodSync(dir, 0o755);
    const zone = await spawnKept(['--data-dir', dir, '--http', '--port', '0', '--host', '127.0.0.1'], { ONEZONE_ADMIN_PASSWORD: 'e2e-admin-pass' });
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    assert.match(zone.stdout(), /"level":40.*the data dir .*open-dir was accessible to other users \(mode 0755\); changed to 0700/);
    // The WAL and its index exist while the zone runs.
    for (const f of ['onezone.sqlite', 'onezone.sqlite-wal', 'onezone.sqlite-shm', 'onezone.sqlite.lock']) {
      assert.equal(fs.statSync(path.join(dir, f)).mode & 0o777, 0o600, f);
    }
    assert.equal(await zone.stop(), 0);
  });

  it('--db sqlite:PATH: the files are made 0600 (also ones an earlier start left 0644), the directory is left as it is', async () => {
    const shared = path.join(path.dirname(dataDir), 'shared');
    fs.mkdirSync(shared, { mode: 0o755 });
    fs.chmodSync(shared, 0o755);
    const file = path.join(shared, 'zone.db');
    const args = ['--data-dir', path.join(path.dirname(dataDir), 'sqlite-path'), '--db', `sqlite:${file}`, '--http', '--port', '0', '--host', '127.0.0.1'];
    const first = await spawnKept(args, { ONEZONE_ADMIN_PASSWORD: 'e2e-admin-pass' });
    for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}.lock`]) assert.equal(fs.statSync(f).mode & 0o777, 0o600, f);
    assert.equal(await first.stop(), 0);
    for (const f of [file, `${file}.lock`]) fs.chmodSync(f, 0o644);
    const again = await spawnKept(args);
    for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}.lock`]) assert.equal(fs.statSync(f).mode & 0o777, 0o600, f);
    assert.equal(fs.statSync(shared).mode & 0o777, 0o755);
    assert.equal(await again.stop(), 0);
  });

  describe('operator errors: one line naming the problem, exit code 2, no stack trace', () => {
    const base = (name: string) => ['--data-dir', path.join(path.dirname(dataDir), name), '--http', '--port', '0', '--host', '127.0.0.1'];
    const env = { ONEZONE_ADMIN_PASSWORD: 'e2e-admin-pass' };

    it('PostgreSQL refusing connections; the URL\'s password is not printed', async () => {
      const port = await closedPort();
      const run = await serveToExit([...base('pg-refused'), '--db', `postgres://onezone:pg-secret-pass@127.0.0.1:${port}/zone`], env);
      assertOperatorError(run, new RegExp(`cannot use the PostgreSQL database zone at 127\\.0\\.0\\.1:${port}: connection refused`));
      assert.doesNotMatch(run.stdout + run.stderr, /pg-secret-pass/);
    });

    it('PostgreSQL accepting connections and never answering: refused after the connect timeout', async () => {
      const silent = net.createServer(() => {});
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const port = (silent.address() as net.AddressInfo).port;
      try {
        const run = await serveToExit([...base('pg-silent'), '--db', `postgres://onezone:pg-secret-pass@127.0.0.1:${port}/zone`], { ...env, ONEZONE_DB_CONNECT_TIMEOUT_MS: '1000' });
        assertOperatorError(run, /cannot use the PostgreSQL database zone at 127\.0\.0\.1:\d+: no answer within 1 s/);
        assert.doesNotMatch(run.stdout + run.stderr, /pg-secret-pass/);
        assert.ok(run.ms < 8000, `took ${run.ms} ms`);
      } finally {
        silent.close();
      }
    });

    it('a PostgreSQL database that does not exist', async (t) => {
      const skip = await pgUnavailable();
      if (skip) return t.skip(skip);
      const db = await createPgDatabase();
      await db.drop();
      const run = await serveToExit([...base('pg-missing'), '--db', db.url], env);
      assertOperatorError(run, /database "onezone_t_\w+" does not exist on the PostgreSQL server .*: create it with createdb -T template0/);
    });

    it('the port in use', async () => {
      const blocker = net.createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const port = (blocker.address() as net.AddressInfo).port;
      try {
        const run = await serveToExit([...base('port-in-use'), '--port', String(port)], env);
        assertOperatorError(run, new RegExp(`cannot listen on 127\\.0\\.0\\.1 port ${port}: the port is in use by another process`));
      } finally {
        blocker.close();
      }
    });

    it('a host that is no address', async () => {
      assertOperatorError(await serveToExit([...base('bad-host'), '--host', '999.1.1.1'], env), /cannot listen on 999\.1\.1\.1 port 0: no such host/);
    });

    it('a data dir this user may not create', async () => {
      const parent = path.join(path.dirname(dataDir), 'locked');
      fs.mkdirSync(parent, { mode: 0o555 });
      fs.chmodSync(path.dirname(dataDir), 0o755);
      try {
        const run = await serveToExit(['--data-dir', path.join(parent, 'zone'), '--http', '--port', '0', '--host', '127.0.0.1'], env, anotherUser());
        assertOperatorError(run, /EACCES: permission denied, mkdir '.*locked\/zone'/);
      } finally {
        fs.chmodSync(parent, 0o755);
      }
    });

    it('a data dir where no directory can be made: under a file, or under /proc (where Node\'s recursive mkdir never returned)', async () => {
      const file = path.join(path.dirname(dataDir), 'a-file');
      fs.writeFileSync(file, '');
      assertOperatorError(await serveToExit(['--data-dir', path.join(file, 'zone'), '--http', '--port', '0', '--host', '127.0.0.1'], env), /ENOTDIR: not a directory, mkdir '.*a-file\/zone'/);
      if (fs.existsSync('/proc/self')) {
        const dir = `/proc/onezone-${process.pid}/zone`;
        assertOperatorError(await serveToExit(['--data-dir', dir, '--http', '--port', '0', '--host', '127.0.0.1'], env), /ENOENT: no such file or directory, mkdir '\/proc\/onezone-\d+'/);
      }
    });

    it('a read-only data dir', async () => {
      const dir = path.join(path.dirname(dataDir), 'read-only');
      const zone = await spawnKept(['--data-dir', dir, '--http', '--port', '0', '--host', '127.0.0.1'], env);
      assert.equal(await zone.stop(), 0);
      // The files stay writable (by anyone, so also by the other user a root test runs as); the directory does not.
      for (const f of fs.readdirSync(dir)) if (fs.statSync(path.join(dir, f)).isFile()) fs.chmodSync(path.join(dir, f), 0o666);
      fs.chmodSync(dir, 0o555);
      fs.chmodSync(path.dirname(dataDir), 0o755);
      try {
        const run = await serveToExit(['--data-dir', dir, '--http', '--port', '0', '--host', '127.0.0.1'], { ...env, ONEZONE_MASTER_KEY: randomBytes(32).toString('base64url') }, anotherUser());
        assertOperatorError(run, /cannot open the SQLite database .*read-only\/onezone\.sqlite for writing \(SQLITE_READONLY\w*\)/);
      } finally {
        fs.chmodSync(dir, 0o755);
      }
    });
  });
});

const kept: ZoneProcess[] = [];
after(() => {
  for (const z of kept) z.proc.kill('SIGKILL');
});

/** spawnZone, and the process killed at the end should a test fail before stopping it. */
async function spawnKept(...args: Parameters<typeof spawnZone>): Promise<ZoneProcess> {
  const zone = await spawnZone(...args);
  kept.push(zone);
  return zone;
}

interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `onezone serve ARGS` until it exits (killed after 20 s): for starts that must fail. */
async function serveToExit(args: string[], env: Record<string, string> = {}, user: { uid?: number; gid?: number } = {}): Promise<Exited> {
  ensureBuilt();
  const start = Date.now();
  const proc = spawn(process.execPath, [path.join(ROOT, 'dist', 'onezone.mjs'), 'serve', ...args], {
    env: { ...process.env, ONEZONE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...user,
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((resolve) => proc.once('close', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr, ms: Date.now() - start };
}

function assertOperatorError(run: Exited, message: RegExp): void {
  assert.equal(run.code, 2, `exit code (stderr: ${run.stderr})`);
  assert.match(run.stderr, /^onezone serve: [^\n]+\n$/, 'one line on stderr');
  assert.match(run.stderr, message);
}

/** Root may write anywhere: the test then runs the zone as nobody, so that permissions apply. */
function anotherUser(): { uid?: number; gid?: number } {
  return process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
