import { GROUP_PRIVILEGES, SPACE_PRIVILEGES } from '../domain/privileges.js';

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

// The privilege names are the zone's own lists (a pure module, no Node code): one source.
export { GROUP_PRIVILEGES, SPACE_PRIVILEGES };

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

export type GroupPrivilege = (typeof GROUP_PRIVILEGES)[number];

export interface GroupInviteOptions {
  usageLimit?: number | 'infinity';
  ttl?: number;
  privileges?: GroupPrivilege[];
}
