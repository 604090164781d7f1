import type { Insertable, Kysely, Selectable } from 'kysely';
import { prepared } from './db.js';
import type { Dialect } from './db.js';
import type { Database, UsersTable } from './schema.js';

export type UserRow = Selectable<UsersTable>;

// Read on every authenticated request: compiled once (db.ts `prepared`).
const selectById = prepared((db, id: string) => db.selectFrom('users').selectAll().where('id', '=', id), { cached: true });
const selectByLogin = prepared((db, login: string) => db.selectFrom('users').selectAll().where('login', '=', login), { cached: true });
const selectExists = prepared((db, id: string) => db.selectFrom('users').select('id').where('id', '=', id), { cached: true });

export function usersRepo(db: Kysely<Database>, dialect: Dialect) {
  return {
    async insert(row: Insertable<UsersTable>): Promise<void> {
      await db.insertInto('users').values(row).execute();
    },

    async byId(id: string): Promise<UserRow | undefined> {
      return (await selectById(db, id)).rows[0];
    },

    async byLogin(login: string): Promise<UserRow | undefined> {
      return (await selectByLogin(db, login)).rows[0];
    },

    async exists(id: string): Promise<boolean> {
      return (await selectExists(db, id)).rows.length > 0;
    },

    /**
     * Whether the user exists, and on PostgreSQL a share lock on its key until the transaction
     * ends: a deletion of the row waits for this transaction, which may then add what the deletion
     * would have removed with it (SQLite transactions already exclude each other's writes).
     */
    async hold(id: string): Promise<boolean> {
      const q = db.selectFrom('users').select('id').where('id', '=', id);
      return (await (dialect === 'postgres' ? q.forKeyShare() : q).execute()).length > 0;
    },

    async update(id: string, patch: Partial<Pick<UserRow, 'name' | 'alias' | 'password_hash' | 'default_space_id'>>): Promise<boolean> {
      const res = await db.updateTable('users').set(patch).where('id', '=', id).executeTakeFirst();
      return res.numUpdatedRows > 0n;
    },

    /** The users whose default space is `spaceId`. */
    async withDefault(spaceId: string): Promise<string[]> {
      return (await db.selectFrom('users').select('id').where('default_space_id', '=', spaceId).execute()).map((r) => r.id);
    },

    /** Clears the default space if it is still `spaceId` (a default set meanwhile stays); false otherwise. */
    async clearDefault(id: string, spaceId: string): Promise<boolean> {
      const res = await db.updateTable('users').set({ default_space_id: null }).where('id', '=', id).where('default_space_id', '=', spaceId).executeTakeFirst();
      return res.numUpdatedRows > 0n;
    },

    /** Sets a new password hash if the current one is still `expected`; false otherwise. */
    async replacePassword(id: string, expected: string, replacement: string): Promise<boolean> {
      const res = await db.updateTable('users').set({ password_hash: replacement }).where('id', '=', id).where('password_hash', '=', expected).executeTakeFirst();
      return res.numUpdatedRows > 0n;
    },

    /** Memberships and the user's tokens go with the row (foreign keys cascade; tokens in tokensRepo). */
    async delete(id: string): Promise<boolean> {
      const res = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
      return res.numDeletedRows > 0n;
    },
  };
}
