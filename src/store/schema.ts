import type { Generated } from 'kysely';

/** Row types of every table; timestamps are Unix seconds, privileges are bit masks (domain/privileges.ts). */
export interface Database {
  users: UsersTable;
  groups: GroupsTable;
  spaces: SpacesTable;
  space_users: SpaceUsersTable;
  space_groups: SpaceGroupsTable;
  group_users: GroupUsersTable;
  group_nested: GroupNestedTable;
  onezone_privileges: OnezonePrivilegesTable;
  tokens: TokensTable;
  providers: ProvidersTable;
  space_supports: SpaceSupportsTable;
  login_caveats: LoginCaveatsTable;
  audit_events: AuditEventsTable;
}

export interface UsersTable {
  id: string;
  login: string;
  name: string;
  /** Null for accounts that cannot use Basic auth. */
  password_hash: string | null;
  alias: string;
  /** JSON array of strings. */
  email_list: string;
  default_space_id: string | null;
  created_at: number;
}

export interface GroupsTable {
  id: string;
  name: string;
  type: string;
  created_at: number;
}

export interface SpacesTable {
  id: string;
  name: string;
  created_at: number;
}

export interface SpaceUsersTable {
  space_id: string;
  user_id: string;
  privileges: number;
}

export interface SpaceGroupsTable {
  space_id: string;
  group_id: string;
  privileges: number;
}

export interface GroupUsersTable {
  group_id: string;
  user_id: string;
  privileges: number;
}

/** `child_id` is a member of `parent_id` with `privileges` in the parent. */
export interface GroupNestedTable {
  parent_id: string;
  child_id: string;
  privileges: number;
}

export interface OnezonePrivilegesTable {
  subject_type: 'user' | 'group';
  subject_id: string;
  privileges: number;
}

export type TokenKind = 'access' | 'invite';
export type TokenTarget = 'space' | 'group' | 'user';

/**
 * Token metadata. The macaroon identifier is `id`; its root key is derived from the zone
 * master key and the id, so no key material lives here.
 */
export interface TokensTable {
  id: string;
  kind: TokenKind;
  /** `access`, or an RC2 invite type such as `space_invite_user_token`. */
  type: string;
  issuer_type: 'user' | 'provider';
  issuer_id: string;
  target_type: TokenTarget | null;
  target_id: string | null;
  /** Privileges granted on join; null means the RC2 default for the target. */
  privileges: number | null;
  /** Null means unlimited. */
  usage_limit: number | null;
  usage_count: Generated<number>;
  expires_at: number | null;
  revoked: Generated<number>;
  created_at: number;
}

export interface ProvidersTable {
  id: string;
  /** `clientName` on the wire. */
  name: string;
  /** JSON array of strings. */
  urls: string;
  redirection_point: string;
  latitude: number | null;
  longitude: number | null;
  /** Of the one certificate issued at registration; only that certificate authenticates. */
  cert_serial: string;
  /** sha256 of the certificate's DER, lowercase hex. */
  cert_fingerprint: string;
  created_at: number;
}

/** `provider_id` supports `space_id` with `size` bytes. */
export interface SpaceSupportsTable {
  space_id: string;
  provider_id: string;
  size: number;
  created_at: number;
}

/**
 * Third-party caveats of provider-mediated logins (`POST /user/authorize`): the caveat id is
 * `id`; its key is derived from the master key and the id, so none is stored.
 */
export interface LoginCaveatsTable {
  id: string;
  user_id: string;
  provider_id: string;
  expires_at: number;
  created_at: number;
}

/**
 * One state change: `actor` did `action` to `target` (and `subject`, e.g. the user who joined).
 * `details` is a small JSON object; it never holds a token's text, a password or a key.
 */
export interface AuditEventsTable {
  id: Generated<number>;
  at: number;
  actor_type: 'user' | 'provider' | 'zone';
  actor_id: string | null;
  action: string;
  target_type: string;
  target_id: string;
  subject_type: string | null;
  subject_id: string | null;
  details: string | null;
}
