import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type TestContext, after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { DbConfig } from '../../src/config.js';
import { type Connection, connect } from '../../src/store/db.js';
import { type Store, createStore } from '../../src/store/index.js';
import { migrateToLatest } from '../../src/store/migrate.js';

/**
 * Test databases. PostgreSQL is the server at ONEZONE_TEST_PG (a maintenance database URL,
 * default postgres://postgres@127.0.0.1:5432/postgres); every test database is a fresh
 * `onezone_t_<random>` on it, dropped when done.
 */
export const PG_ADMIN_URL = process.env.ONEZONE_TEST_PG || 'postgres://postgres@127.0.0.1:5432/postgres';

/** The admin URL without credentials, for messages. */
export const PG_WHERE = (() => {
  const u = new URL(PG_ADMIN_URL);
  return `${u.hostname}:${u.port || 5432}`;
})();

let reachable: Promise<boolean> | undefined;

/** Whether the test PostgreSQL answers (asked once per process). */
export function pgReachable(): Promise<boolean> {
  reachable ??= withAdmin(async () => true).catch(() => false);
  return reachable;
}

/**
 * Why PostgreSQL legs must be skipped here, or undefined when PostgreSQL answers. Under CI=true an
 * unreachable PostgreSQL is a failure, not a skip.
 */
export async function pgUnavailable(): Promise<string | undefined> {
  if (await pgReachable()) return undefined;
  const message = `PostgreSQL not reachable at ${PG_WHERE}`;
  if (process.env.CI === 'true') throw new Error(`${message} (required under CI=true)`);
  return message;
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A new empty PostgreSQL database on the test server. */
export async function createPgDatabase(): Promise<TestDatabase> {
  const name = `onezone_t_${randomBytes(8).toString('hex')}`;
  await withAdmin((c) => c.query(`create database ${name}`));
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    // FORCE: a process killed by a test may have left connections behind.
    drop: () => withAdmin((c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

export type DialectName = 'sqlite' | 'postgres';

export interface DialectDb {
  dialect: DialectName;
  store: Store;
  conn: Connection;
}

/** `it` of one dialect leg: the body gets that leg's database. */
export type DialectIt = (name: string, body: (db: DialectDb, t: TestContext) => Promise<void>) => void;

/**
 * Runs the suite `fn` once per database: SQLite (in memory) always, PostgreSQL when the test
 * server answers. Each leg gets its own freshly migrated database through the real connect().
 * Under CI=true an unreachable PostgreSQL fails the leg; elsewhere its tests are skipped with
 * `t.skip('PostgreSQL not reachable at …')`.
 */
export function forEachDialect(name: string, fn: (it: DialectIt) => void): void {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    describe(`${name} [${dialect}]`, () => {
      let current: DialectDb | undefined;
      let pgDb: TestDatabase | undefined;
      let skip: string | undefined;
      let tmp: string | undefined;
      before(async () => {
        // A file, as a zone uses: the zone's SQLite driver (reader, writer, group commit) is tested.
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onezone-store-'));
        let config: DbConfig = { kind: 'sqlite', file: path.join(tmp, 'onezone.db') };
        if (dialect === 'postgres') {
          skip = await pgUnavailable();
          if (skip) return;
          pgDb = await createPgDatabase();
          config = { kind: 'postgres', url: pgDb.url };
        }
        const conn = await connect(config, { poolSize: 4 });
        await migrateToLatest(conn.db);
        current = { dialect, conn, store: createStore(conn) };
      });
      after(async () => {
        await current?.conn.close();
        await pgDb?.drop();
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
      });
      fn((testName, body) =>
        it(testName, async (t) => {
          if (skip) return t.skip(skip);
          await body(current!, t);
        }),
      );
    });
  }
}
