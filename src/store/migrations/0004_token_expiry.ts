import type { Kysely } from 'kysely';

/** Tokens by expiry: the purge of long-expired tokens (domain/tokens.ts) finds them without a scan. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('tokens_expires_at_idx').on('tokens').column('expires_at').execute();
}
