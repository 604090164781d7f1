import type { Kysely } from 'kysely';

/**
 * Users by default space: a space's deletion sets it to null in their rows (the foreign key),
 * and a group leaving a space clears it for those of its users who no longer reach the space
 * (domain/spaces.ts `clearDefaultsOfGroup`); both scanned every user without it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('users_default_space_idx').on('users').column('default_space_id').execute();
}
