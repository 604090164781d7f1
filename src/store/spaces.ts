import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database, SpacesTable } from './schema.js';
import { ancestorsOfUser } from './graph.js';

export type SpaceRow = Selectable<SpacesTable>;

export function spacesRepo(db: Kysely<Database>) {
  return {
    async insert(row: SpaceRow): Promise<void> {
      await db.insertInto('spaces').values(row).execute();
    },

    byId(id: string): Promise<SpaceRow | undefined> {
      return db.selectFrom('spaces').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async exists(id: string): Promise<boolean> {
      const row = await db.selectFrom('spaces').select('id').where('id', '=', id).executeTakeFirst();
      return row !== undefined;
    },

    async rename(id: string, name: string): Promise<boolean> {
      const res = await db.updateTable('spaces').set({ name }).where('id', '=', id).executeTakeFirst();
      return res.numUpdatedRows > 0n;
    },

    async delete(id: string): Promise<boolean> {
      const res = await db.deleteFrom('spaces').where('id', '=', id).executeTakeFirst();
      return res.numDeletedRows > 0n;
    },

    /** Adds a direct member; false (and nothing changed) when already one. */
    async addUser(spaceId: string, userId: string, privileges: number): Promise<boolean> {
      const res = await db
        .insertInto('space_users')
        .values({ space_id: spaceId, user_id: userId, privileges })
        .onConflict((oc) => oc.columns(['space_id', 'user_id']).doNothing())
        .executeTakeFirst();
      return (res.numInsertedOrUpdatedRows ?? 0n) > 0n;
    },

    async removeUser(spaceId: string, userId: string): Promise<boolean> {
      const res = await db
        .deleteFrom('space_users')
        .where('space_id', '=', spaceId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return res.numDeletedRows > 0n;
    },

    async userPrivileges(spaceId: string, userId: string): Promise<number | undefined> {
      const row = await db
        .selectFrom('space_users')
        .select('privileges')
        .where('space_id', '=', spaceId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return row?.privileges;
    },

    async setUserPrivileges(spaceId: string, userId: string, privileges: number): Promise<boolean> {
      const res = await db
        .updateTable('space_users')
        .set({ privileges })
        .where('space_id', '=', spaceId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return res.numUpdatedRows > 0n;
    },

    async users(spaceId: string): Promise<string[]> {
      const rows = await db
        .selectFrom('space_users')
        .select('user_id')
        .where('space_id', '=', spaceId)
        .orderBy('user_id')
        .execute();
      return rows.map((r) => r.user_id);
    },

    /**
     * Union of the privileges the user holds in the space directly and through every group
     * (at any nesting depth) that is a member of the space; undefined if not a member at all.
     */
    async effectivePrivileges(spaceId: string, userId: string): Promise<number | undefined> {
      const { rows } = await sql<{ privileges: number }>`
        with recursive ${ancestorsOfUser(userId)}
        select privileges from space_users where space_id = ${spaceId} and user_id = ${userId}
        union all
        select sg.privileges from space_groups sg join anc on sg.group_id = anc.group_id
        where sg.space_id = ${spaceId}`.execute(db);
      if (rows.length === 0) return undefined;
      return rows.reduce((mask, r) => mask | r.privileges, 0);
    },

    /** Spaces the user belongs to directly or through any group, sorted by id. */
    async ofUser(userId: string): Promise<string[]> {
      const { rows } = await sql<{ space_id: string }>`
        with recursive ${ancestorsOfUser(userId)}
        select space_id from space_users where user_id = ${userId}
        union
        select sg.space_id from space_groups sg join anc on sg.group_id = anc.group_id
        order by space_id`.execute(db);
      return rows.map((r) => r.space_id);
    },
  };
}
