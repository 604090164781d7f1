import { type Kysely, type Selectable, sql } from 'kysely';
import { column } from './answers.js';
import { type Dialect, prepared } from './db.js';
import { ancestorsOfGroup, ancestorsOfUser, descendantsOfGroup, privilegeWalkOfUser } from './graph.js';
import type { Database, GroupsTable } from './schema.js';

export type GroupRow = Selectable<GroupsTable>;

/** What other users may see of a member. */
export interface MemberRow {
  id: string;
  login: string;
  name: string;
}

// Run by every group authorization and by effective-user lists: compiled once, and on SQLite
// answered from the cache until the next commit (db.ts `prepared`).
const selectEffectiveUsers = prepared(
  (_db, groupId: string) => sql<{ user_id: string }>`
        with recursive ${descendantsOfGroup(groupId)}
        select distinct user_id from group_users where group_id in (select group_id from des)
        order by user_id`,
  { cached: true },
);
const selectEffectivePrivileges = prepared(
  (_db, groupId: string, userId: string) => sql<{ mask: number }>`
        with recursive ${privilegeWalkOfUser(userId)}
        select bit as mask from walk where group_id = ${groupId}`,
  { cached: true },
);

export function groupsRepo(db: Kysely<Database>, dialect: Dialect) {
  const hasEffectiveUser = async (groupId: string, userId: string): Promise<boolean> => {
    const { rows } = await sql<{ one: number }>`
      with recursive ${ancestorsOfUser(userId)}
      select 1 as one from anc where group_id = ${groupId} limit 1`.execute(db);
    return rows.length > 0;
  };

  return {
    async insert(row: GroupRow): Promise<void> {
      await db.insertInto('groups').values(row).execute();
    },

    byId(id: string): Promise<GroupRow | undefined> {
      return db.selectFrom('groups').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async exists(id: string): Promise<boolean> {
      const row = await db.selectFrom('groups').select('id').where('id', '=', id).executeTakeFirst();
      return row !== undefined;
    },

    /** Whether the group exists; inside a transaction on PostgreSQL, its deletion then waits for the commit. */
    async hold(id: string): Promise<boolean> {
      const q = db.selectFrom('groups').select('id').where('id', '=', id);
      return (await (dialect === 'postgres' ? q.forKeyShare() : q).execute()).length > 0;
    },

    /**
     * Inside a transaction, holds the group's row against other writers authorized by the same
     * group's privileges until the commit (PostgreSQL; on SQLite every transaction is alone).
     */
    async lock(id: string): Promise<void> {
      if (dialect === 'postgres') await db.selectFrom('groups').select('id').where('id', '=', id).forNoKeyUpdate().execute();
    },

    async update(id: string, patch: Partial<Pick<GroupRow, 'name' | 'type'>>): Promise<boolean> {
      const res = await db.updateTable('groups').set(patch).where('id', '=', id).executeTakeFirst();
      return res.numUpdatedRows > 0n;
    },

    /** Memberships in both directions go with the row (foreign keys cascade). */
    async delete(id: string): Promise<boolean> {
      const res = await db.deleteFrom('groups').where('id', '=', id).executeTakeFirst();
      return res.numDeletedRows > 0n;
    },

    /** Adds a direct member; false (and nothing changed) when already one. */
    async addUser(groupId: string, userId: string, privileges: number): Promise<boolean> {
      const res = await db
        .insertInto('group_users')
        .values({ group_id: groupId, user_id: userId, privileges })
        .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
        .executeTakeFirst();
      return (res.numInsertedOrUpdatedRows ?? 0n) > 0n;
    },

    async removeUser(groupId: string, userId: string): Promise<boolean> {
      const res = await db
        .deleteFrom('group_users')
        .where('group_id', '=', groupId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return res.numDeletedRows > 0n;
    },

    /** Direct privileges; undefined when the user is not a direct member. */
    async userPrivileges(groupId: string, userId: string): Promise<number | undefined> {
      const row = await db
        .selectFrom('group_users')
        .select('privileges')
        .where('group_id', '=', groupId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return row?.privileges;
    },

    async setUserPrivileges(groupId: string, userId: string, privileges: number): Promise<boolean> {
      const res = await db
        .updateTable('group_users')
        .set({ privileges })
        .where('group_id', '=', groupId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return res.numUpdatedRows > 0n;
    },

    async users(groupId: string): Promise<string[]> {
      const rows = await db
        .selectFrom('group_users')
        .select('user_id')
        .where('group_id', '=', groupId)
        .orderBy('user_id')
        .execute();
      return rows.map((r) => r.user_id);
    },

    /**
     * Users of the group and of every group nested in it at any depth, sorted. `in (select …)`
     * rather than a join: SQLite would otherwise scan every membership of the zone (in user
     * order, to skip the sort) even for a group with one member; this way it looks up the
     * members of each group found, by primary key.
     */
    async effectiveUsers(groupId: string): Promise<readonly string[]> {
      const { rows } = await selectEffectiveUsers(db, groupId);
      return column(rows, 'user_id');
    },

    /** Whether the user belongs to the group directly or through nested groups. */
    hasEffectiveUser,

    /**
     * Whether the group has any user, directly or through nested groups. On PostgreSQL the
     * group's row is locked first, so that two transactions asking this of one group after
     * removing members answer one after the other, the second seeing what the first removed.
     */
    async hasAnyUser(groupId: string): Promise<boolean> {
      if (dialect === 'postgres') await db.selectFrom('groups').select('id').where('id', '=', groupId).forNoKeyUpdate().execute();
      const { rows } = await sql<{ one: number }>`
        with recursive ${descendantsOfGroup(groupId)}
        select 1 as one from group_users where group_id in (select group_id from des) limit 1`.execute(db);
      return rows.length > 0;
    },

    /**
     * The user's effective privileges in the group (RC2 group-graph algebra, see graph.ts);
     * undefined when the user is not a member at any depth.
     */
    async effectivePrivileges(groupId: string, userId: string): Promise<number | undefined> {
      const { rows } = await selectEffectivePrivileges(db, groupId, userId);
      if (rows.length === 0) return undefined;
      return rows.reduce((acc, r) => acc | Number(r.mask), 0);
    },

    /** Groups the user belongs to directly, sorted. */
    async ofUser(userId: string): Promise<string[]> {
      const rows = await db
        .selectFrom('group_users')
        .select('group_id')
        .where('user_id', '=', userId)
        .orderBy('group_id')
        .execute();
      return rows.map((r) => r.group_id);
    },

    /** Groups the user belongs to at any depth, sorted. */
    async effectiveOfUser(userId: string): Promise<string[]> {
      const { rows } = await sql<{ group_id: string }>`
        with recursive ${ancestorsOfUser(userId)}
        select group_id from anc order by group_id`.execute(db);
      return rows.map((r) => r.group_id);
    },

    /** `{userId, login, name}` of a direct (or, with `effective`, any-depth) member; undefined otherwise. */
    async member(groupId: string, userId: string, effective: boolean): Promise<MemberRow | undefined> {
      const direct = () =>
        db.selectFrom('group_users').select('user_id').where('group_id', '=', groupId).where('user_id', '=', userId).executeTakeFirst();
      const belongs = effective ? await hasEffectiveUser(groupId, userId) : (await direct()) !== undefined;
      if (!belongs) return undefined;
      return db.selectFrom('users').select(['id', 'login', 'name']).where('id', '=', userId).executeTakeFirst();
    },

    /** Adds `childId` as a subgroup of `parentId`; false when it already is one. */
    async addNested(parentId: string, childId: string, privileges: number): Promise<boolean> {
      const res = await db
        .insertInto('group_nested')
        .values({ parent_id: parentId, child_id: childId, privileges })
        .onConflict((oc) => oc.columns(['parent_id', 'child_id']).doNothing())
        .executeTakeFirst();
      return (res.numInsertedOrUpdatedRows ?? 0n) > 0n;
    },

    async removeNested(parentId: string, childId: string): Promise<boolean> {
      const res = await db
        .deleteFrom('group_nested')
        .where('parent_id', '=', parentId)
        .where('child_id', '=', childId)
        .executeTakeFirst();
      return res.numDeletedRows > 0n;
    },

    /** The child's privileges in the parent; undefined when it is not a direct subgroup. */
    async nestedPrivileges(parentId: string, childId: string): Promise<number | undefined> {
      const row = await db
        .selectFrom('group_nested')
        .select('privileges')
        .where('parent_id', '=', parentId)
        .where('child_id', '=', childId)
        .executeTakeFirst();
      return row?.privileges;
    },

    async setNestedPrivileges(parentId: string, childId: string, privileges: number): Promise<boolean> {
      const res = await db
        .updateTable('group_nested')
        .set({ privileges })
        .where('parent_id', '=', parentId)
        .where('child_id', '=', childId)
        .executeTakeFirst();
      return res.numUpdatedRows > 0n;
    },

    /** Direct subgroups, sorted. */
    async nested(parentId: string): Promise<string[]> {
      const rows = await db
        .selectFrom('group_nested')
        .select('child_id')
        .where('parent_id', '=', parentId)
        .orderBy('child_id')
        .execute();
      return rows.map((r) => r.child_id);
    },

    /** Direct parent groups, sorted. */
    async parents(childId: string): Promise<string[]> {
      const rows = await db
        .selectFrom('group_nested')
        .select('parent_id')
        .where('child_id', '=', childId)
        .orderBy('parent_id')
        .execute();
      return rows.map((r) => r.parent_id);
    },

    /** Whether `groupId` is `ancestorId` itself or nested in it at any depth. */
    async isWithin(groupId: string, ancestorId: string): Promise<boolean> {
      const { rows } = await sql<{ one: number }>`
        with recursive ${ancestorsOfGroup(groupId)}
        select 1 as one from up where group_id = ${ancestorId} limit 1`.execute(db);
      return rows.length > 0;
    },

    /**
     * Serializes changes to the nesting graph until the transaction ends, so a cycle check and
     * the edge it allows cannot interleave with another. SQLite transactions already exclude
     * each other's writes; on PostgreSQL this mode conflicts with itself and with row writes,
     * not with reads.
     */
    async lockGraph(): Promise<void> {
      if (dialect === 'postgres') await sql`lock table group_nested in share row exclusive mode`.execute(db);
    },
  };
}
