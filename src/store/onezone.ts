import { type Kysely, sql } from 'kysely';
import { ancestorsOfUser } from './graph.js';
import type { Database } from './schema.js';

/** Zone-wide (Onezone API) privileges of users and groups. */
export function onezoneRepo(db: Kysely<Database>) {
  return {
    async get(subjectType: 'user' | 'group', subjectId: string): Promise<number> {
      const row = await db
        .selectFrom('onezone_privileges')
        .select('privileges')
        .where('subject_type', '=', subjectType)
        .where('subject_id', '=', subjectId)
        .executeTakeFirst();
      return row?.privileges ?? 0;
    },

    async set(subjectType: 'user' | 'group', subjectId: string, privileges: number): Promise<void> {
      await db
        .insertInto('onezone_privileges')
        .values({ subject_type: subjectType, subject_id: subjectId, privileges })
        .onConflict((oc) => oc.columns(['subject_type', 'subject_id']).doUpdateSet({ privileges }))
        .execute();
    },

    /** True when the subject held any (a row was deleted). */
    async remove(subjectType: 'user' | 'group', subjectId: string): Promise<boolean> {
      const res = await db
        .deleteFrom('onezone_privileges')
        .where('subject_type', '=', subjectType)
        .where('subject_id', '=', subjectId)
        .executeTakeFirst();
      return res.numDeletedRows > 0n;
    },

    /**
     * The user's own privileges plus those of every group it belongs to at any depth (one
     * primary-key lookup per group of the user, not a scan of every group's privileges).
     */
    async effectiveOfUser(userId: string): Promise<number> {
      const { rows } = await sql<{ privileges: number }>`
        with recursive ${ancestorsOfUser(userId)}
        select privileges from onezone_privileges where subject_type = 'user' and subject_id = ${userId}
        union all
        select privileges from onezone_privileges
        where subject_type = 'group' and subject_id in (select group_id from anc)`.execute(db);
      return rows.reduce((mask, r) => mask | r.privileges, 0);
    },
  };
}
