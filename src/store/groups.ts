import { type Kysely, type Selectable, sql } from 'kysely';
import { ancestorsOfUser } from './graph.js';
import type { Database, GroupsTable } from './schema.js';

export type GroupRow = Selectable<GroupsTable>;

export function groupsRepo(db: Kysely<Database>) {
  return {
    async insert(row: GroupRow): Promise<void> {
      await db.insertInto('groups').values(row).execute();
    },

    byId(id: string): Promise<GroupRow | undefined> {
      return db.selectFrom('groups').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async addUser(groupId: string, userId: string, privileges: number): Promise<boolean> {
      const res = await db
        .insertInto('group_users')
        .values({ group_id: groupId, user_id: userId, privileges })
        .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
        .executeTakeFirst();
      return (res.numInsertedOrUpdatedRows ?? 0n) > 0n;
    },

    /** Whether the user belongs to the group directly or through nested groups. */
    async hasEffectiveUser(groupId: string, userId: string): Promise<boolean> {
      const { rows } = await sql<{ one: number }>`
        with recursive ${ancestorsOfUser(userId)}
        select 1 as one from anc where group_id = ${groupId} limit 1`.execute(db);
      return rows.length > 0;
    },
  };
}
