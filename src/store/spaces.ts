import { type Kysely, type Selectable, sql } from 'kysely';
import { column } from './answers.js';
import { type Dialect, prepared } from './db.js';
import type { Database, SpacesTable } from './schema.js';
import { ancestorsOfGroup, ancestorsOfUser } from './graph.js';

export type SpaceRow = Selectable<SpacesTable>;

// Run by every space authorization, join and mint: compiled once (db.ts `prepared`).
const selectById = prepared((db, id: string) => db.selectFrom('spaces').selectAll().where('id', '=', id), { cached: true });
const selectExists = prepared((db, id: string) => db.selectFrom('spaces').select('id').where('id', '=', id), { cached: true });
const insertUser = prepared((db, spaceId: string, userId: string, privileges: number) =>
  db
    .insertInto('space_users')
    .values({ space_id: spaceId, user_id: userId, privileges })
    .onConflict((oc) => oc.columns(['space_id', 'user_id']).doNothing()),
);
const selectUserPrivileges = prepared(
  (db, spaceId: string, userId: string) => db.selectFrom('space_users').select('privileges').where('space_id', '=', spaceId).where('user_id', '=', userId),
  { cached: true },
);
// The recursive queries of `effectivePrivileges` and `ofUser` below, compiled once as well.
const selectEffectivePrivileges = prepared(
  (_db, spaceId: string, userId: string) => sql<{ privileges: number }>`
        with recursive ${ancestorsOfUser(userId)}
        select privileges from space_users where space_id = ${spaceId} and user_id = ${userId}
        union all
        select privileges from space_groups
        where space_id = ${spaceId} and group_id in (select group_id from anc)`,
  { cached: true },
);
const selectOfUser = prepared(
  (_db, userId: string) => sql<{ space_id: string }>`
        with recursive ${ancestorsOfUser(userId)}
        select space_id from space_users where user_id = ${userId}
        union
        select space_id from space_groups where group_id in (select group_id from anc)
        order by space_id`,
  { cached: true },
);

export function spacesRepo(db: Kysely<Database>, dialect: Dialect) {
  return {
    async insert(row: SpaceRow): Promise<void> {
      await db.insertInto('spaces').values(row).execute();
    },

    async byId(id: string): Promise<SpaceRow | undefined> {
      return (await selectById(db, id)).rows[0];
    },

    async exists(id: string): Promise<boolean> {
      return (await selectExists(db, id)).rows.length > 0;
    },

    /**
     * Inside a transaction, holds the space's row against other writers authorized by the same
     * space's privileges until the commit (PostgreSQL; on SQLite every transaction is alone).
     */
    async lock(id: string): Promise<void> {
      if (dialect === 'postgres') await db.selectFrom('spaces').select('id').where('id', '=', id).forNoKeyUpdate().execute();
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
      return ((await insertUser(db, spaceId, userId, privileges)).numAffectedRows ?? 0n) > 0n;
    },

    async removeUser(spaceId: string, userId: string): Promise<boolean> {
      const res = await db
        .deleteFrom('space_users')
        .where('space_id', '=', spaceId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return res.numDeletedRows > 0n;
    },

    /** The user's own privileges in the space, not those of its groups; undefined if not a direct member. */
    async userPrivileges(spaceId: string, userId: string): Promise<number | undefined> {
      return (await selectUserPrivileges(db, spaceId, userId)).rows[0]?.privileges;
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

    /** Every space id, sorted (the zone-wide `GET /spaces`). */
    async list(): Promise<string[]> {
      const rows = await db.selectFrom('spaces').select('id').orderBy('id').execute();
      return rows.map((r) => r.id);
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

    /** Direct users and every user of a member group or of any group nested in one, at any depth. */
    async effectiveUsers(spaceId: string): Promise<string[]> {
      const { rows } = await sql<{ user_id: string }>`
        with recursive ${groupsInSpace(spaceId)}
        select user_id from space_users where space_id = ${spaceId}
        union
        select user_id from group_users where group_id in (select group_id from members)
        order by user_id`.execute(db);
      return rows.map((r) => r.user_id);
    },

    /** Adds a group as a direct member; false (and nothing changed) when already one. */
    async addGroup(spaceId: string, groupId: string, privileges: number): Promise<boolean> {
      const res = await db
        .insertInto('space_groups')
        .values({ space_id: spaceId, group_id: groupId, privileges })
        .onConflict((oc) => oc.columns(['space_id', 'group_id']).doNothing())
        .executeTakeFirst();
      return (res.numInsertedOrUpdatedRows ?? 0n) > 0n;
    },

    async removeGroup(spaceId: string, groupId: string): Promise<boolean> {
      const res = await db
        .deleteFrom('space_groups')
        .where('space_id', '=', spaceId)
        .where('group_id', '=', groupId)
        .executeTakeFirst();
      return res.numDeletedRows > 0n;
    },

    async groupPrivileges(spaceId: string, groupId: string): Promise<number | undefined> {
      const row = await db
        .selectFrom('space_groups')
        .select('privileges')
        .where('space_id', '=', spaceId)
        .where('group_id', '=', groupId)
        .executeTakeFirst();
      return row?.privileges;
    },

    async setGroupPrivileges(spaceId: string, groupId: string, privileges: number): Promise<boolean> {
      const res = await db
        .updateTable('space_groups')
        .set({ privileges })
        .where('space_id', '=', spaceId)
        .where('group_id', '=', groupId)
        .executeTakeFirst();
      return res.numUpdatedRows > 0n;
    },

    /** The groups that are direct members of the space. */
    async groups(spaceId: string): Promise<string[]> {
      const rows = await db
        .selectFrom('space_groups')
        .select('group_id')
        .where('space_id', '=', spaceId)
        .orderBy('group_id')
        .execute();
      return rows.map((r) => r.group_id);
    },

    /** Whether a group the given one is nested in (at any depth) is a member of the space: one query. */
    async reachedThroughParent(spaceId: string, groupId: string): Promise<boolean> {
      const { rows } = await sql<{ one: number }>`
        with recursive ${ancestorsOfGroup(groupId)}
        select 1 as one from space_groups sg join up on up.group_id = sg.group_id
        where sg.space_id = ${spaceId} and sg.group_id <> ${groupId} limit 1`.execute(db);
      return rows.length > 0;
    },

    /** The spaces the group is a direct member of. */
    async ofGroup(groupId: string): Promise<string[]> {
      const rows = await db
        .selectFrom('space_groups')
        .select('space_id')
        .where('group_id', '=', groupId)
        .orderBy('space_id')
        .execute();
      return rows.map((r) => r.space_id);
    },

    /**
     * Union of the privileges the user holds in the space directly and through every group
     * (at any nesting depth) that is a member of the space; undefined if not a member at all.
     * `in (select …)` gives one primary-key lookup per group of the user, where a join would
     * read every group of the space.
     */
    async effectivePrivileges(spaceId: string, userId: string): Promise<number | undefined> {
      const { rows } = await selectEffectivePrivileges(db, spaceId, userId);
      if (rows.length === 0) return undefined;
      return rows.reduce((mask, r) => mask | r.privileges, 0);
    },

    /**
     * Spaces the user belongs to directly or through any group, sorted by id. `in (select …)`
     * makes SQLite look up each group's spaces by index instead of scanning every space's groups.
     */
    async ofUser(userId: string): Promise<readonly string[]> {
      const { rows } = await selectOfUser(db, userId);
      return column(rows, 'space_id');
    },
  };
}

/** `members(group_id)`: the space's groups and every group nested in them, at any depth. */
function groupsInSpace(spaceId: string) {
  return sql`members(group_id) as (
    select group_id from space_groups where space_id = ${spaceId}
    union
    select gn.child_id from group_nested gn join members m on gn.parent_id = m.group_id
  )`;
}
