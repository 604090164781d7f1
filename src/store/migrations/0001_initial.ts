import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('spaces')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('login', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('alias', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('email_list', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('default_space_id', 'text', (c) => c.references('spaces.id').onDelete('set null'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('users_login_unique', ['login'])
    .execute();

  await db.schema
    .createTable('groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await membership(db, 'space_users', 'space_id', 'spaces', 'user_id', 'users');
  await membership(db, 'space_groups', 'space_id', 'spaces', 'group_id', 'groups');
  await membership(db, 'group_users', 'group_id', 'groups', 'user_id', 'users');
  await membership(db, 'group_nested', 'parent_id', 'groups', 'child_id', 'groups');

  await db.schema
    .createTable('onezone_privileges')
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('privileges', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('onezone_privileges_pk', ['subject_type', 'subject_id'])
    .execute();

  await db.schema
    .createTable('tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('issuer_type', 'text', (c) => c.notNull())
    .addColumn('issuer_id', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text')
    .addColumn('target_id', 'text')
    .addColumn('privileges', 'integer')
    .addColumn('usage_limit', 'integer')
    .addColumn('usage_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expires_at', 'bigint')
    .addColumn('revoked', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    // The usage count can never pass the limit, whatever the code above it does.
    .addCheckConstraint('tokens_usage_within_limit', sql`usage_limit is null or usage_count <= usage_limit`)
    .execute();
  await db.schema.createIndex('tokens_issuer_idx').on('tokens').columns(['issuer_type', 'issuer_id']).execute();
  await db.schema.createIndex('tokens_target_idx').on('tokens').columns(['target_type', 'target_id']).execute();
}

/** A membership edge: (parent, member) primary key, cascading deletes, index for the reverse lookup. */
async function membership(
  db: Kysely<unknown>,
  table: string,
  parentCol: string,
  parentTable: string,
  memberCol: string,
  memberTable: string,
): Promise<void> {
  await db.schema
    .createTable(table)
    .addColumn(parentCol, 'text', (c) => c.notNull().references(`${parentTable}.id`).onDelete('cascade'))
    .addColumn(memberCol, 'text', (c) => c.notNull().references(`${memberTable}.id`).onDelete('cascade'))
    .addColumn('privileges', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint(`${table}_pk`, [parentCol, memberCol])
    .execute();
  await db.schema.createIndex(`${table}_member_idx`).on(table).columns([memberCol, parentCol]).execute();
}
