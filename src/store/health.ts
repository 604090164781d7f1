import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';

/** What the readiness probe asks of the database. */
export function healthRepo(db: Kysely<Database>) {
  return {
    /** Resolves when the database answers a trivial query. */
    async ping(): Promise<void> {
      await sql`select 1`.execute(db);
    },
  };
}
