// The zone's SQLite driver (src/store/sqlite-driver.ts): group commit, the reader connection and
// the cache of marked reads, against a real database file.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { type Connection, connect, UnusableDatabaseError } from '../../src/store/db.js';
import { type CheckpointOptions, Checkpointer } from '../../src/store/sqlite-checkpointer.js';
import { type Store, createStore } from '../../src/store/index.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { makeSpace, makeUser } from './fixtures.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('SQLite driver of a zone file', () => {
  let dir: string;
  let file: string;
  let conn: Connection;
  let store: Store;
  /** Another connection to the same file, as any other reader of it would see it. */
  let outside: Database.Database;
  const seen = (table: string, id: string) => outside.prepare(`select 1 from ${table} where id = ?`).get(id) !== undefined;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onezone-driver-'));
    file = path.join(dir, 'onezone.db');
    conn = await connect({ kind: 'sqlite', file });
    await migrateToLatest(conn.db);
    store = createStore(conn);
    outside = new Database(file, { readonly: true });
  });
  after(async () => {
    outside.close();
    await conn.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('commits concurrent transactions together, each acknowledged only once committed', async () => {
    const before = { ...conn.sqliteStats!() };
    const ids = await Promise.all(
      Array.from({ length: 40 }, () =>
        store.transaction(async (tx) => {
          const id = await makeUser(tx);
          return id;
        }).then((id) => {
          // At the moment the transaction resolves, its row is committed for every connection.
          assert.equal(seen('users', id), true, 'acknowledged before it was committed');
          return id;
        }),
      ),
    );
    assert.equal(new Set(ids).size, 40);
    const after = conn.sqliteStats!();
    assert.equal(after.writes - before.writes, 40);
    const commits = after.commits - before.commits;
    assert.ok(commits >= 1 && commits < 40, `40 concurrent transactions took ${commits} commits`);
  });

  it('a long stream of writes is cut into bounded batches, each write acknowledged after its commit', async () => {
    const before = { ...conn.sqliteStats!() };
    const ids = await Promise.all(
      Array.from({ length: 600 }, () =>
        makeSpace(store).then((id) => {
          assert.equal(seen('spaces', id), true, 'acknowledged before it was committed');
          return id;
        }),
      ),
    );
    assert.equal(new Set(ids).size, 600);
    const after = conn.sqliteStats!();
    assert.equal(after.writes - before.writes, 600);
    // At most 256 writes per commit: 600 writes need at least three.
    assert.ok(after.commits - before.commits >= 3, `${after.commits - before.commits} commits`);
  });

  it('a transaction that fails rolls back its own writes only, not the rest of its batch', async () => {
    const boom = new Error('boom');
    let doomed = '';
    const results = await Promise.allSettled([
      store.transaction((tx) => makeUser(tx)),
      store.transaction(async (tx) => {
        doomed = await makeSpace(tx);
        throw boom;
      }),
      store.transaction(async (tx) => {
        const u = await makeUser(tx);
        await makeUser(tx, u); // a duplicate id: the statement fails, the transaction rolls back
      }),
      store.transaction((tx) => makeSpace(tx)),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'rejected', 'fulfilled'],
    );
    assert.equal((results[1] as PromiseRejectedResult).reason, boom);
    assert.equal(seen('users', (results[0] as PromiseFulfilledResult<string>).value), true);
    assert.equal(seen('spaces', (results[3] as PromiseFulfilledResult<string>).value), true);
    assert.equal(seen('spaces', doomed), false);
    assert.equal(await store.spaces.exists(doomed), false);
  });

  it("a transaction's precompiled queries read its own writes, and its rollback takes them back", async () => {
    const owner = await makeUser(store);
    const id = `token-${Date.now()}`;
    const row = { id, kind: 'invite', type: 'space_invite_user_token', issuer_type: 'user', issuer_id: owner, created_at: 1 } as const;
    const boom = new Error('boom');
    await assert.rejects(
      store.transaction(async (tx) => {
        await tx.tokens.insert(row);
        assert.equal((await tx.tokens.byId(id))?.id, id, 'seen inside its transaction');
        assert.equal(await tx.tokens.countUse(id, 2), true);
        assert.equal((await tx.tokens.byId(id))?.usage_count, 1);
        assert.equal(await store.tokens.byId(id), undefined, 'not outside it');
        throw boom;
      }),
      boom,
    );
    assert.equal(await store.tokens.byId(id), undefined);
    assert.equal(seen('tokens', id), false);
    await store.transaction((tx) => tx.tokens.insert(row));
    assert.equal((await store.tokens.byId(id))?.usage_count, 0);
  });

  it('reads outside a transaction neither see nor wait for one that is still running', async () => {
    const gate = deferred();
    const written = deferred();
    let id = '';
    const tx = store.transaction(async (t) => {
      id = await makeUser(t);
      written.resolve();
      await gate.promise;
    });
    await written.promise;
    // The transaction holds the writer and has written; a read answers at once, without it.
    assert.equal(await store.users.byId(id), undefined);
    assert.equal(await store.users.exists(id), false);
    gate.resolve();
    await tx;
    assert.equal((await store.users.byId(id))?.id, id);
  });

  it('a failed commit fails every transaction of its batch and leaves nothing behind', async () => {
    const before = conn.sqliteStats!().failedCommits;
    let good = '';
    const results = await Promise.allSettled([
      store.transaction(async (tx) => {
        good = await makeUser(tx);
      }),
      conn.db.transaction().execute(async (trx) => {
        // Foreign keys checked at COMMIT, then a row that breaks one: the commit itself fails.
        await sql`pragma defer_foreign_keys = on`.execute(trx);
        await sql`insert into space_users (space_id, user_id, privileges) values ('no-such-space', 'no-such-user', 1)`.execute(trx);
      }),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected'],
    );
    assert.equal(conn.sqliteStats!().failedCommits, before + 1);
    assert.equal(seen('users', good), false);
    assert.equal(await store.users.byId(good), undefined);
    // The writer goes on with a new batch.
    const next = await store.transaction((tx) => makeUser(tx));
    assert.equal(seen('users', next), true);
  });

  it('a failure that rolls back the whole batch (disk full) ends a transaction that catches it: nothing it does afterwards runs or is kept', async () => {
    const row = (id: string, name: string) =>
      sql`insert into users (id, login, name, password_hash, alias, email_list, default_space_id, created_at) values (${id}, ${id}, ${name}, null, '', '[]', null, 1)`;
    const [before, after] = ['full-before', 'full-after'];
    let caught: unknown;
    const pages = outside.pragma('page_count', { simple: true }) as number;
    const ended = conn.db.transaction().execute(async (trx) => {
      // A few pages left: the next big row fills the file, and SQLite rolls back everything.
      await sql.raw(`pragma max_page_count = ${pages + 3}`).execute(trx);
      await row(before, 'x').execute(trx);
      try {
        await row('full-big', 'x'.repeat(200_000)).execute(trx);
      } catch (err) {
        caught = err;
      }
      await row(after, 'x').execute(trx);
    });
    const outcome = await ended.then(() => 'committed', (err: Error) => err.message);
    await conn.db.transaction().execute((trx) => sql.raw('pragma max_page_count = 1073741823').execute(trx));
    assert.equal((caught as { code?: string }).code, 'SQLITE_FULL');
    assert.equal(seen('users', before), false);
    assert.equal(seen('users', after), false, 'a statement after the failure was committed on its own');
    assert.match(outcome, /rolled back with its batch/);
    // The writer goes on with a new batch.
    const next = await store.transaction((tx) => makeUser(tx));
    assert.equal(seen('users', next), true);
  });

  it('a single write outside a transaction is acknowledged once committed', async () => {
    const id = await makeSpace(store);
    assert.equal(seen('spaces', id), true);
  });

  it('a cached read is answered again until the next commit, then read afresh', async () => {
    const id = await makeUser(store);
    const first = await store.users.byId(id);
    const hits = conn.sqliteStats!().cacheHits;
    const second = await store.users.byId(id);
    assert.equal(conn.sqliteStats!().cacheHits, hits + 1);
    assert.equal(second, first, 'the same answer, shared');
    assert.throws(() => {
      (second as { name: string }).name = 'changed';
    }, TypeError);
    await store.users.update(id, { name: 'renamed' });
    assert.equal((await store.users.byId(id))?.name, 'renamed');
    // Any commit, of any table, ends every cached answer.
    const cached = await store.users.byId(id);
    await makeSpace(store);
    const misses = conn.sqliteStats!().cacheMisses;
    assert.deepEqual(await store.users.byId(id), cached);
    assert.equal(conn.sqliteStats!().cacheMisses, misses + 1);
  });

  it('keeps at most 10,000 answers: the oldest answer of the same query makes room, another query gets none', async () => {
    await makeSpace(store); // a commit: no answer is kept from before
    const stats = () => conn.sqliteStats!();
    const absent = Array.from({ length: 10_000 }, (_, i) => `absent-${i}`);
    for (const id of absent) assert.equal(await store.users.byId(id), undefined);
    const read = async (fn: () => Promise<unknown>) => {
      const { cacheHits, cacheMisses } = stats();
      await fn();
      return stats().cacheHits > cacheHits ? 'hit' : stats().cacheMisses > cacheMisses ? 'miss' : 'none';
    };
    assert.equal(await read(() => store.users.byId(absent[9_999]!)), 'hit', 'all 10,000 kept');
    assert.equal(await read(() => store.users.byId('one-more')), 'miss');
    assert.equal(await read(() => store.users.byId('one-more')), 'hit', 'kept, in place of the oldest');
    assert.equal(await read(() => store.users.byId(absent[0]!)), 'miss', 'the oldest went');
    assert.equal(await read(() => store.users.byId(absent[2]!)), 'hit');
    // Another query has no answer to give up: its answer is not kept while the cache is full.
    assert.equal(await read(() => store.users.byLogin('nobody')), 'miss');
    assert.equal(await read(() => store.users.byLogin('nobody')), 'miss');
    // A commit empties it.
    await makeSpace(store);
    assert.equal(await read(() => store.users.byId(absent[9_999]!)), 'miss');
    assert.equal(await read(() => store.users.byLogin('nobody')), 'miss');
    assert.equal(await read(() => store.users.byLogin('nobody')), 'hit');
  });

  it('a second connection to the same file is refused while the first is open', async () => {
    await assert.rejects(connect({ kind: 'sqlite', file }), (err) => err instanceof UnusableDatabaseError && /in use by another process/.test(err.message));
  });
});

it('SQLite file: closing commits what is pending, and the file can be opened again', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onezone-driver-'));
  const file = path.join(dir, 'onezone.db');
  try {
    const first = await connect({ kind: 'sqlite', file });
    await migrateToLatest(first.db);
    const id = await makeUser(createStore(first));
    await first.close();
    const second = await connect({ kind: 'sqlite', file });
    assert.equal((await createStore(second).users.byId(id))?.id, id);
    await second.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('SQLite file: WAL checkpoints', () => {
  const wal = (file: string) => (fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  /** A fresh file with a table of 4 KiB rows: each row written is at least one WAL page. */
  async function open(checkpoints?: CheckpointOptions) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onezone-wal-'));
    const file = path.join(dir, 'onezone.db');
    // The thread starts at the first commit here, not a second later as in a zone.
    const conn = await connect({ kind: 'sqlite', file }, { checkpoints: { startDelayMs: 0, ...checkpoints } });
    await sql`create table pages (body blob not null)`.execute(conn.db);
    const write = (n: number) => Promise.all(Array.from({ length: n }, () => sql`insert into pages values (randomblob(4000))`.execute(conn.db)));
    const rows = async () => Number((await sql<{ n: number }>`select count(*) as n from pages`.execute(conn.db)).rows[0]!.n);
    const done = async () => {
      await conn.close();
      fs.rmSync(dir, { recursive: true, force: true });
    };
    return { file, conn, write, rows, done };
  }

  it('the checkpoint thread copies committed pages into the database file; the writer does not', async () => {
    const z = await open();
    try {
      const size = fs.statSync(z.file).size;
      await z.write(300);
      // The WAL holds the pages; the database file takes them at the thread's checkpoint.
      for (let i = 0; i < 200 && z.conn.sqliteStats!().checkpoints === 0; i++) await sleep(10);
      const stats = z.conn.sqliteStats!();
      assert.ok(stats.checkpoints >= 1, 'no checkpoint by the thread');
      assert.equal(stats.writerCheckpoints, 0);
      assert.ok(fs.statSync(z.file).size >= size + 300 * 4000, 'the database file did not take the pages');
      assert.equal(await z.rows(), 300);
    } finally {
      await z.done();
    }
  });

  it('once the WAL outgrows its bound it is checkpointed whole, and the WAL starts over', async () => {
    // The thread looks every millisecond; any WAL it finds is past this bound.
    const z = await open({ intervalMs: 1, maxWalPages: 1 });
    try {
      for (let i = 0; i < 500 && z.conn.sqliteStats!().writerCheckpoints === 0; i++) {
        await z.write(20);
        await sleep(2);
      }
      assert.ok(z.conn.sqliteStats!().writerCheckpoints >= 1, 'no full checkpoint');
      // Restarted WALs are reused from their start: 100 more rows do not make the file grow by 100 pages.
      const before = wal(z.file);
      for (let i = 0; i < 5; i++) {
        await z.write(20);
        await sleep(20);
      }
      assert.ok(wal(z.file) < before + 100 * 4096, `the WAL grew from ${before} to ${wal(z.file)} bytes`);
    } finally {
      await z.done();
    }
  });

  it('past the bound, writes wait while the thread checkpoints the whole WAL; the writer does not checkpoint', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onezone-wal-'));
    const file = path.join(dir, 'onezone.db');
    const db = new Database(file);
    let writerRan = 0;
    const checkpointer = new Checkpointer(
      file,
      {
        checkpoint: () => {
          writerRan++;
          return (db.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>)[0];
        },
        autoCheckpoint: () => assert.fail('the thread runs'),
      },
      // Every WAL is past a bound of 0 pages; the thread's own checkpoints are a minute apart, and
      // it may take its time to answer (a loaded machine) before the writer would step in.
      { startDelayMs: 0, intervalMs: 60_000, maxWalPages: 0, pauseTimeoutMs: 60_000 },
    );
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('wal_autocheckpoint = 0');
      db.exec('create table pages (body blob not null)');
      checkpointer.committed(); // the thread starts; until it has, the writer checkpoints itself
      assert.equal(writerRan, 1);
      assert.equal(checkpointer.paused, undefined);
      await sleep(20);
      const size = fs.statSync(file).size;
      db.exec('begin');
      for (let i = 0; i < 100; i++) db.prepare('insert into pages values (randomblob(4000))').run();
      db.exec('commit');
      checkpointer.committed();
      const paused = checkpointer.paused;
      assert.ok(paused, 'writes wait');
      await paused;
      assert.equal(checkpointer.paused, undefined);
      assert.equal(writerRan, 1, 'the thread checkpointed, not the writer');
      assert.equal(checkpointer.writerCheckpoints, 2);
      assert.ok(fs.statSync(file).size >= size + 100 * 4000, 'the database file took every page');
    } finally {
      await checkpointer.close();
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a checkpoint thread that falls behind does not let the WAL grow without end', async () => {
    // The thread's first look is a minute away: only the writer can keep the WAL bounded.
    const z = await open({ intervalMs: 60_000, maxCommitsBehind: 4 });
    try {
      for (let i = 0; i < 100; i++) await z.write(10);
      const stats = z.conn.sqliteStats!();
      assert.equal(stats.checkpoints, 0);
      assert.ok(stats.writerCheckpoints >= 12, `${stats.writerCheckpoints} writer checkpoints in 100 commits`);
      // 1,000 rows (4 MB, about 1,200 WAL frames) went through a WAL that never held more than a
      // few checkpoints' worth of them: 48 frames between two of them here. The WAL starts over
      // only when no other connection reads it, so one checkpoint in a while may not restart it
      // (the thread's connection reads the schema when it opens, at any moment of this loop; a
      // loaded CI machine once held it through two checkpoints: 144 frames); a bound of 300 frames
      // leaves room for that and still fails a writer that does not checkpoint.
      assert.ok(wal(z.file) < 300 * 4096, `WAL of ${wal(z.file)} bytes`);
      assert.equal(await z.rows(), 1000);
    } finally {
      await z.done();
    }
  });

  it('when the checkpoint thread cannot run, SQLite checkpoints on commit as it does by default', async () => {
    const z = await open({ driver: path.join(os.tmpdir(), 'no-such-sqlite-driver.js') });
    try {
      const size = fs.statSync(z.file).size;
      // SQLite's own checkpoint runs in a commit once the WAL holds 1,000 pages; the thread's
      // failure is known once it has tried to start (after the first commit).
      let rows = 0;
      for (let i = 0; i < 200 && fs.statSync(z.file).size < size + 1000 * 4000; i++) {
        await z.write(20);
        rows += 20;
        await sleep(5);
      }
      assert.equal(z.conn.sqliteStats!().checkpoints, 0);
      assert.ok(fs.statSync(z.file).size > size + 1000 * 4000, 'no checkpoint copied the pages into the database file');
      assert.equal(await z.rows(), rows);
    } finally {
      await z.done();
    }
  });

  it('closing stops the thread and leaves no WAL behind', async () => {
    const z = await open();
    await z.write(50);
    await z.conn.close();
    assert.equal(fs.existsSync(`${z.file}-wal`), false);
    const again = new Database(z.file, { readonly: true });
    try {
      assert.equal(again.prepare('select count(*) from pages').pluck().get(), 50);
    } finally {
      again.close();
      fs.rmSync(path.dirname(z.file), { recursive: true, force: true });
    }
  });
});
