import assert from 'node:assert/strict';
import { it as plainIt } from 'node:test';
import { connect, UnusableDatabaseError } from '../../src/store/db.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { forEachDialect, pgUnavailable, PG_ADMIN_URL } from '../helpers/db.js';
import { makeSpace, makeUser } from './fixtures.js';
import pg from 'pg';
import { randomBytes } from 'node:crypto';

forEachDialect('store.transaction', (it) => {
  it('commits every write of the callback and returns its value', async ({ store }) => {
    const [user, space] = await store.transaction(async (tx) => {
      const u = await makeUser(tx);
      const s = await makeSpace(tx);
      await tx.spaces.addUser(s, u, 1);
      return [u, s] as const;
    });
    assert.deepEqual(await store.spaces.users(space), [user]);
  });

  it('rolls every write back when the callback throws, and rethrows the error', async ({ store }) => {
    let space = '';
    const boom = new Error('boom');
    await assert.rejects(
      store.transaction(async (tx) => {
        space = await makeSpace(tx);
        await tx.spaces.rename(space, 'x');
        throw boom;
      }),
      (err) => err === boom,
    );
    assert.equal(await store.spaces.exists(space), false);
  });

  it('rolls back when a statement violates a constraint', async ({ store }) => {
    const user = await makeUser(store);
    let space = '';
    await assert.rejects(
      store.transaction(async (tx) => {
        space = await makeSpace(tx);
        await makeUser(tx, user);
      }),
    );
    assert.equal(await store.spaces.exists(space), false);
  });

  it('a transaction sees its own uncommitted writes', async ({ store }) => {
    await store.transaction(async (tx) => {
      const s = await makeSpace(tx);
      assert.equal(await tx.spaces.exists(s), true);
    });
  });

  it('migrating again is a no-op', async ({ conn, store }) => {
    const space = await makeSpace(store);
    await migrateToLatest(conn.db);
    assert.equal(await store.spaces.exists(space), true);
  });

  it('two transactions locking two rows in opposite orders both commit: the deadlock victim runs again (PostgreSQL)', async ({ store }, t) => {
    if (store.dialect !== 'postgres') return t.skip('SQLite runs one transaction at a time: no lock cycle');
    const [a, b] = [await makeSpace(store), await makeSpace(store)];
    let runs = 0;
    let arrived = 0;
    let meet!: () => void;
    const bothLocked = new Promise<void>((resolve) => (meet = resolve));
    const crossing = (first: string, second: string) =>
      store.transaction(async (tx) => {
        runs++;
        await tx.spaces.lock(first);
        if (++arrived === 2) meet();
        await bothLocked;
        await tx.spaces.lock(second);
        await tx.spaces.rename(first, `renamed ${first}`);
        return first;
      });
    assert.deepEqual(await Promise.all([crossing(a, b), crossing(b, a)]), [a, b]);
    assert.equal(runs, 3, 'one of the two ran again');
    assert.equal((await store.spaces.byId(a))?.name, `renamed ${a}`);
    assert.equal((await store.spaces.byId(b))?.name, `renamed ${b}`);
  });

  it('health.ping answers', async ({ store }) => {
    await store.health.ping();
  });
});

plainIt('PostgreSQL with a linguistic collation is refused (ids would sort differently)', async (t) => {
  const skip = await pgUnavailable();
  if (skip) return t.skip(skip);
  const name = `onezone_t_${randomBytes(8).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    try {
      await admin.query(`create database ${name} template template0 locale_provider icu icu_locale 'en-US' locale 'C.UTF-8'`);
    } catch {
      return t.skip('this server has no ICU collations');
    }
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${name}`;
    await assert.rejects(connect({ kind: 'postgres', url: url.toString() }), UnusableDatabaseError);
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
});
