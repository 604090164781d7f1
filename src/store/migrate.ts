import { type Kysely, type Migration, Migrator } from 'kysely';
import * as m0001 from './migrations/0001_initial.js';
import * as m0002 from './migrations/0002_providers.js';
import * as m0003 from './migrations/0003_audit.js';

/** Versioned migrations, in order. Append only: never edit one that has shipped. */
const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_providers': m0002,
  '0003_audit': m0003,
};

/**
 * Kysely's migrator takes a lock (an advisory transaction lock on PostgreSQL), so several
 * processes starting at once against one database migrate it exactly once.
 */
export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}
