/** Response and request shapes of the API, as the server sends and expects them. */

export interface User {
  userId: string;
  login: string;
  name: string;
  connectedAccounts: unknown[];
  alias: string;
  emailList: string[];
}

export interface UserPatch {
  name?: string;
  alias?: string;
  emailList?: string[];
}

export interface Space {
  spaceId: string;
  name: string;
  canonicalName: string;
  providersSupports: Record<string, number>;
}

export interface DefaultSpace {
  spaceId: string;
}

/** The RC2 space privileges, in the swagger's order (test/unit/sdk-privileges.test.ts keeps them the zone's). */
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
export type SpacePrivilege = (typeof SPACE_PRIVILEGES)[number];

export interface InviteOptions {
  usageLimit?: number | 'infinity';
  ttl?: number;
  privileges?: SpacePrivilege[];
}

export type GroupType = 'organization' | 'unit' | 'team' | 'role';

export interface Group {
  groupId: string;
  name: string;
  type: GroupType;
}

export interface GroupPatch {
  name?: string;
  type?: GroupType;
}

/** A user as other members see it. */
export interface UserDetails {
  userId: string;
  login: string;
  name: string;
}

/** The RC2 group privileges, in the swagger's order. */
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
export type GroupPrivilege = (typeof GROUP_PRIVILEGES)[number];

export interface GroupInviteOptions {
  usageLimit?: number | 'infinity';
  ttl?: number;
  privileges?: GroupPrivilege[];
}
