import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database, UsersTable } from './schema.js';

export type UserRow = Selectable<UsersTable>;

export function usersRepo(db: Kysely<Database>) {
  return {
    async insert(row: Insertable<UsersTable>): Promise<void> {
      await db.insertInto('users').values(row).execute();
    },

    byId(id: string): Promise<UserRow | undefined> {
      return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    },

    byLogin(login: string): Promise<UserRow | undefined> {
      return db.selectFrom('users').selectAll().where('login', '=', login).executeTakeFirst();
    },

    async exists(id: string): Promise<boolean> {
      const row = await db.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst();
      return row !== undefined;
    },

    async update(id: string, patch: Partial<Pick<UserRow, 'name' | 'alias' | 'password_hash' | 'default_space_id'>>): Promise<boolean> {
      const res = await db.updateTable('users').set(patch).where('id', '=', id).executeTakeFirst();
      return res.numUpdatedRows > 0n;
    },

    /** Memberships and the user's tokens go with the row (foreign keys cascade; tokens in tokensRepo). */
    async delete(id: string): Promise<boolean> {
      const res = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
      return res.numDeletedRows > 0n;
    },
  };
}
