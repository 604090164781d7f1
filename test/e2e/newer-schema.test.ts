import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { DbConfig } from '../../src/config.js';
import { connect } from '../../src/store/db.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { createPgDatabase, pgUnavailable, type TestDatabase } from '../helpers/db.js';

/**
 * An older `onezone serve` started on a database a newer version already migrated (a rollback, a
 * rolling upgrade): it refuses it as an operator's error, one line on stderr and exit code 2,
 * naming the migration it does not know. A real process, run from source.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'onezone-newer-schema-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

/** Migrates the database as this version does, then records a migration of a later one. */
async function migratedByNewer(config: DbConfig): Promise<void> {
  const conn = await connect(config, { poolSize: 1 });
  try {
    await migrateToLatest(conn.db);
    await sql`insert into kysely_migration (name, timestamp) values ('0004_future', ${new Date().toISOString()})`.execute(conn.db);
  } finally {
    await conn.close();
  }
}

/** Runs `onezone serve` until it exits (killed after 20 s). */
async function serveToExit(name: string, db: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/main.ts', 'serve', '--http', '--host', '127.0.0.1', '--port', '0', '--data-dir', path.join(root, name), '--db', db],
    { cwd: ROOT, env: { ...process.env, ONEZONE_ADMIN_PASSWORD: 'newer-schema-admin', ONEZONE_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((resolve) => proc.once('close', resolve));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

function assertRefused(run: { code: number | null; stdout: string; stderr: string }): void {
  assert.equal(run.code, 2, `exit code (stderr: ${run.stderr})`);
  assert.match(run.stderr, /^onezone serve: [^\n]+\n$/, 'one line on stderr');
  assert.match(run.stderr, /the database was migrated by a newer onezone version \(migration 0004_future\); this onezone is older/);
  assert.doesNotMatch(run.stdout + run.stderr, /corrupted|\n\s+at /);
}

describe('a database migrated by a newer version (a real process)', () => {
  it('SQLite', async () => {
    const file = path.join(root, 'sqlite', 'onezone.sqlite');
    await migratedByNewer({ kind: 'sqlite', file });
    assertRefused(await serveToExit('sqlite', `sqlite:${file}`));
  });

  describe('PostgreSQL', () => {
    let skip: string | undefined;
    let database: TestDatabase | undefined;
    before(async () => {
      skip = await pgUnavailable();
      if (!skip) database = await createPgDatabase();
    });
    after(() => database?.drop());

    it('the same refusal', async (t) => {
      if (skip) return t.skip(skip);
      await migratedByNewer({ kind: 'postgres', url: database!.url });
      assertRefused(await serveToExit('postgres', database!.url));
    });
  });
});
