// The session settings every PostgreSQL connection of the zone starts with (src/store/db.ts
// `connect`): what bounds a session left behind by a process lost mid-transaction. PostgreSQL
// only. test/e2e/unresponsive-database.test.ts shows the bound freeing a lost join's locks.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { connect } from '../../src/store/db.js';
import { type TestDatabase, createPgDatabase, pgUnavailable } from '../helpers/db.js';

describe('PostgreSQL session settings', () => {
  let skip: string | undefined;
  let database: TestDatabase | undefined;
  before(async () => {
    skip = await pgUnavailable();
    if (!skip) database = await createPgDatabase();
  });
  after(() => database?.drop());

  const settings = async (opts: Parameters<typeof connect>[1]) => {
    const conn = await connect({ kind: 'postgres', url: database!.url }, { poolSize: 1, ...opts });
    try {
      const { rows } = await sql<{ name: string; setting: string }>`
        select name, setting from pg_settings
        where name in ('idle_in_transaction_session_timeout', 'statement_timeout', 'tcp_keepalives_idle', 'tcp_keepalives_interval', 'tcp_keepalives_count')
        order by name`.execute(conn.db);
      return Object.fromEntries(rows.map((r) => [r.name, r.setting]));
    } finally {
      await conn.close();
    }
  };

  it('idle in a transaction: 5 s at most, the query timeout when lower; server keepalives after 30 s idle, 3 probes 10 s apart', async (t) => {
    if (skip) return t.skip(skip);
    assert.deepEqual(await settings({}), {
      idle_in_transaction_session_timeout: '5000',
      statement_timeout: '30000',
      tcp_keepalives_count: '3',
      tcp_keepalives_idle: '30',
      tcp_keepalives_interval: '10',
    });
    const low = await settings({ queryTimeoutMs: 1500 });
    assert.equal(low.idle_in_transaction_session_timeout, '1500');
    assert.equal(low.statement_timeout, '1500');
  });
});
