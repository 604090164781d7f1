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

export type SpacePrivilege =
  | 'space_invite_user'
  | 'space_remove_user'
  | 'space_invite_group'
  | 'space_remove_group'
  | 'space_set_privileges'
  | 'space_remove'
  | 'space_add_provider'
  | 'space_remove_provider'
  | 'space_change_data'
  | 'space_view_data';

export interface InviteOptions {
  usageLimit?: number | 'infinity';
  ttl?: number;
  privileges?: SpacePrivilege[];
}
