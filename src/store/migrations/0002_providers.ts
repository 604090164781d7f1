import type { Kysely } from 'kysely';

/** Providers, the spaces they support, and the third-party caveats of provider-mediated logins. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('providers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('urls', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('redirection_point', 'text', (c) => c.notNull())
    .addColumn('latitude', 'double precision')
    .addColumn('longitude', 'double precision')
    .addColumn('cert_serial', 'text', (c) => c.notNull())
    .addColumn('cert_fingerprint', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('space_supports')
    .addColumn('space_id', 'text', (c) => c.notNull().references('spaces.id').onDelete('cascade'))
    .addColumn('provider_id', 'text', (c) => c.notNull().references('providers.id').onDelete('cascade'))
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('space_supports_pk', ['space_id', 'provider_id'])
    .execute();
  await db.schema.createIndex('space_supports_provider_idx').on('space_supports').columns(['provider_id', 'space_id']).execute();

  await db.schema
    .createTable('login_caveats')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('provider_id', 'text', (c) => c.notNull().references('providers.id').onDelete('cascade'))
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_caveats_user_idx').on('login_caveats').column('user_id').execute();
  await db.schema.createIndex('login_caveats_provider_idx').on('login_caveats').column('provider_id').execute();
}
