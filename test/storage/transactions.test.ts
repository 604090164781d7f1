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
