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

/**
 * `walk(group_id, mask)`: every group the user reaches, once per distinct privilege mask it
 * arrives with. A path starts with the user's direct privileges and is ANDed with each
 * nesting edge's privileges on the way up, so OR-ing the masks of one group gives the RC2
 * effective privileges (direct ∪ over children C: effective-in-C ∩ C's privileges).
 * UNION (not UNION ALL) drops repeated (group, mask) pairs, which bounds the walk.
 */
export function privilegeWalkOfUser(userId: string): RawBuilder<unknown> {
  return sql`walk(group_id, mask) as (
    select group_id, privileges from group_users where user_id = ${userId}
    union
    select gn.parent_id, walk.mask & gn.privileges from group_nested gn join walk on gn.child_id = walk.group_id
  )`;
}

/** `des(group_id)`: the group itself and every group nested in it at any depth (primary-key lookups). */
export function descendantsOfGroup(groupId: string): RawBuilder<unknown> {
  return sql`des(group_id) as (
    select cast(${groupId} as text)
    union
    select gn.child_id from group_nested gn join des on gn.parent_id = des.group_id
  )`;
}

/** `up(group_id)`: the group itself and every group it is nested in at any depth. */
export function ancestorsOfGroup(groupId: string): RawBuilder<unknown> {
  return sql`up(group_id) as (
    select cast(${groupId} as text)
    union
    select gn.parent_id from group_nested gn join up on gn.child_id = up.group_id
  )`;
}
