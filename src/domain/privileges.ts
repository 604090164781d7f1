/**
 * RC2 privilege names, verbatim and in swagger order. They are stored as bit masks
 * (bit i = the i-th name) so effective privileges are plain OR/AND arithmetic.
 */
export const SPACE_PRIVILEGES = [
  'space_invite_user',
  'space_remove_user',
  'space_invite_group',
  'space_remove_group',
  'space_set_privileges',
  'space_remove',
  'space_add_provider',
  'space_remove_provider',
  'space_change_data',
  'space_view_data',
] as const;

export const GROUP_PRIVILEGES = [
  'group_change_data',
  'group_invite_user',
  'group_remove_user',
  'group_join_space',
  'group_create_space',
  'group_set_privileges',
  'group_remove',
  'group_leave_space',
  'group_view_data',
  'group_create_space_token',
  'group_join_group',
  'group_invite_group',
  'group_remove_group',
] as const;

/**
 * The swagger enum lists five; the operation texts also require `add_member_to_space` and
 * `remove_member_from_space`, which the 2016 server had. We accept all seven.
 */
export const ONEZONE_PRIVILEGES = [
  'view_privileges',
  'set_privileges',
  'list_spaces',
  'list_providers',
  'list_providers_of_space',
  'add_member_to_space',
  'remove_member_from_space',
] as const;

export type SpacePrivilege = (typeof SPACE_PRIVILEGES)[number];
export type GroupPrivilege = (typeof GROUP_PRIVILEGES)[number];
export type OnezonePrivilege = (typeof ONEZONE_PRIVILEGES)[number];
export type Privilege = SpacePrivilege | GroupPrivilege | OnezonePrivilege;

export interface PrivilegeSet<P extends string> {
  readonly names: readonly P[];
  readonly all: number;
  bit(name: P): number;
  toMask(names: readonly P[]): number;
  toNames(mask: number): P[];
  isName(value: string): value is P;
}

function privilegeSet<P extends string>(names: readonly P[]): PrivilegeSet<P> {
  const index = new Map<string, number>(names.map((n, i) => [n, i]));
  return {
    names,
    all: (1 << names.length) - 1,
    bit: (name) => 1 << index.get(name)!,
    toMask: (list) => list.reduce((mask, n) => mask | (1 << index.get(n)!), 0),
    toNames: (mask) => names.filter((_, i) => (mask & (1 << i)) !== 0),
    isName: (value): value is P => index.has(value),
  };
}

export const spacePrivileges = privilegeSet(SPACE_PRIVILEGES);
export const groupPrivileges = privilegeSet(GROUP_PRIVILEGES);
export const onezonePrivileges = privilegeSet(ONEZONE_PRIVILEGES);

/** What a member gets on joining with a token that carries no privileges of its own (RC2 defaults). */
export const SPACE_MEMBER_DEFAULT = spacePrivileges.bit('space_view_data');
export const GROUP_MEMBER_DEFAULT = groupPrivileges.bit('group_view_data');
