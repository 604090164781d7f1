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
 * `walk(group_id, bit)`: every (group, privilege bit) the user reaches, and (bit 0) every group
 * the user belongs to at all. A path starts with the user's direct privileges and is ANDed with
 * each nesting edge's privileges on the way up, and the RC2 effective privileges in a group are
 * the OR over its paths (direct ∪ over children C: effective-in-C ∩ C's privileges): the user
 * holds a bit in a group exactly when some path carries that bit all the way. Walked bit by bit,
 * the walk has at most one row per group and bit; walked by whole masks it had one per distinct
 * mask a group is reached with, up to 2^13 in a graph any user can build (each level nested into
 * two parents that drop different bits).
 */
export function privilegeWalkOfUser(userId: string): RawBuilder<unknown> {
  return sql`bits(bit) as (values ${PRIVILEGE_BITS}),
  walk(group_id, bit) as (
    select gu.group_id, bits.bit from group_users gu join bits on bits.bit = 0 or (gu.privileges & bits.bit) <> 0
    where gu.user_id = ${userId}
    union
    select gn.parent_id, walk.bit from group_nested gn join walk on gn.child_id = walk.group_id
    where walk.bit = 0 or (gn.privileges & walk.bit) <> 0
  )`;
}

/** 0 (membership) and every bit a privilege mask may use (31: masks are positive 32-bit integers). */
const PRIVILEGE_BITS = sql.raw(['(0)', ...Array.from({ length: 31 }, (_, i) => `(${2 ** i})`)].join(', '));

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
