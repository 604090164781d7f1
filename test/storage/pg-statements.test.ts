// The precompiled queries (db.ts `prepared`) go to PostgreSQL as named statements, planned once
// per connection (src/store/pg-statements.ts). PostgreSQL only: SQLite keeps its own prepared
// statements in the driver (test/storage/sqlite-driver.test.ts).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { type Connection, connect } from '../../src/store/db.js';
import { type Store, createStore } from '../../src/store/index.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { type TestDatabase, createPgDatabase, pgUnavailable } from '../helpers/db.js';
import { makeToken, makeUser } from './fixtures.js';

describe('named statements on PostgreSQL', () => {
  let skip: string | undefined;
  let database: TestDatabase | undefined;
  let conn: Connection;
  let store: Store;
  before(async () => {
    skip = await pgUnavailable();
    if (skip) return;
    database = await createPgDatabase();
    // One connection: the statements it has prepared are the ones pg_prepared_statements lists.
    conn = await connect({ kind: 'postgres', url: database.url }, { poolSize: 1 });
    await migrateToLatest(conn.db);
    store = createStore(conn);
  });
  after(async () => {
    await conn?.close();
    await database?.drop();
  });

  const prepared = async () =>
    (await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements order by name`.execute(conn.db)).rows;

  it('a precompiled query is prepared once per connection and then run by name; other queries are not named', async (t) => {
    if (skip) return t.skip(skip);
    const user = await makeUser(store);
    const token = await makeToken(store, { issuer: user, kind: 'access' });
    const before = await prepared();
    assert.equal((await store.tokens.byId(token))?.id, token);
    assert.equal((await store.tokens.byId(token))?.issuer_id, user);
    assert.equal(await store.tokens.byId('absent'), undefined);
    const added = (await prepared()).filter((s) => !before.some((b) => b.name === s.name));
    assert.equal(added.length, 1, 'one statement for three calls');
    assert.match(added[0]!.name, /^oz_q\d+_\d+$/);
    assert.match(added[0]!.statement, /from "tokens" where "id" = \$1/);
    // A query built by Kysely on each call (not precompiled) leaves nothing behind.
    const listed = await store.tokens.ofIssuer('user', user);
    assert.deepEqual(listed.map((r) => r.id), [token]);
    assert.equal((await prepared()).length, before.length + 1);
  });

  it('turned off (ONEZONE_DB_NAMED_STATEMENTS=off, for a pooler that cannot keep them), every query goes unnamed', async (t) => {
    if (skip) return t.skip(skip);
    const plain = await connect({ kind: 'postgres', url: database!.url }, { poolSize: 1, namedStatements: false });
    try {
      const user = await makeUser(createStore(plain));
      assert.equal((await createStore(plain).users.byId(user))?.id, user);
      const names = await sql<{ name: string }>`select name from pg_prepared_statements`.execute(plain.db);
      assert.deepEqual(names.rows, []);
    } finally {
      await plain.close();
    }
  });

  it('a migration that changes a named statement\'s columns: the statement runs again under a new name, alone outside a transaction, with its whole transaction inside one', async (t) => {
    if (skip) return t.skip(skip);
    const user = await makeUser(store);
    const token = await makeToken(store, { issuer: user, kind: 'access' });
    assert.equal((await store.tokens.byId(token))?.id, token);
    // Another process migrating the shared database: `select *` of tokens gets one more column.
    const migrate = async (statement: string) => {
      const other = new pg.Client({ connectionString: database!.url });
      await other.connect();
      try {
        await other.query(statement);
      } finally {
        await other.end();
      }
    };
    await migrate('alter table tokens add column migrated_later integer');
    const row = await store.tokens.byId(token);
    assert.equal(row?.id, token);
    assert.equal((row as Record<string, unknown>).migrated_later, null);

    // Inside a transaction the refused statement aborts it: the transaction runs again, whole.
    await migrate('alter table tokens add column migrated_again integer');
    let runs = 0;
    const read = await store.transaction(async (tx) => {
      runs++;
      assert.ok(await tx.tokens.countUse(token, 0));
      return tx.tokens.byId(token);
    });
    assert.equal(runs, 2);
    assert.equal((read as Record<string, unknown>).migrated_again, null);
    assert.equal(read?.usage_count, 1, 'the use is counted once');
  });
});
