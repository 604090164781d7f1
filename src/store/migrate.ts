import { DEFAULT_MIGRATION_TABLE, type Kysely, type Migration, Migrator } from 'kysely';
import { UnusableDatabaseError } from './db.js';
import * as m0001 from './migrations/0001_initial.js';
import * as m0002 from './migrations/0002_providers.js';
import * as m0003 from './migrations/0003_audit.js';
import * as m0004 from './migrations/0004_default_space_index.js';

/** Versioned migrations, in order. Append only: never edit one that has shipped. */
const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_providers': m0002,
  '0003_audit': m0003,
  '0004_default_space_index': m0004,
};

/**
 * Kysely's migrator takes a lock (an advisory transaction lock on PostgreSQL), so several
 * processes starting at once against one database migrate it exactly once.
 */
export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error } = await migrator.migrateToLatest();
  if (error) throw (await newerSchema(db)) ?? error;
}

/**
 * A database already migrated by a newer onezone (an upgrade, then this older version started on
 * it, during a rolling upgrade or a rollback) holds migrations this one does not know, which
 * Kysely refuses as "corrupted": the operator's to sort out, not a fault of ours.
 */
async function newerSchema(db: Kysely<any>): Promise<UnusableDatabaseError | undefined> {
  let executed: string[];
  try {
    executed = (await db.selectFrom(DEFAULT_MIGRATION_TABLE).select('name').execute()).map((r: { name: string }) => r.name);
  } catch {
    return undefined;
  }
  const unknown = executed.filter((name) => !Object.hasOwn(migrations, name)).sort();
  if (unknown.length === 0) return undefined;
  const latest = Object.keys(migrations).at(-1);
  return new UnusableDatabaseError(
    `the database was migrated by a newer onezone version (migration ${unknown.join(', ')}); this onezone is older and knows migrations up to ${latest}: run that version or a newer one`,
  );
}
