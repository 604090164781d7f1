import { type RawBuilder, sql } from 'kysely';

/**
 * Recursive CTE fragments over the group graph, shared by the repositories.
 * `group_nested(parent_id, child_id)`: the child is a member of the parent.
 */

/** `anc(group_id)`: every group the user belongs to, directly or through nested groups. */
export function ancestorsOfUser(userId: string): RawBuilder<unknown> {
  return sql`anc(group_id) as (
    select group_id from group_users where user_id = ${userId}
    union
    select gn.parent_id from group_nested gn join anc on gn.child_id = anc.group_id
  )`;
}
