import type { SpaceRow } from '../store/spaces.js';
import type { UserRow } from '../store/users.js';

/** Domain rows -> RC2 response bodies. */

export const presentUser = (u: UserRow) => ({
  userId: u.id,
  login: u.login,
  name: u.name,
  connectedAccounts: [],
  alias: u.alias,
  emailList: JSON.parse(u.email_list) as string[],
});

/** Our spaces have one name; `canonicalName` repeats it for RC2 clients. */
export const presentSpace = (s: SpaceRow, supports: Record<string, number> = {}) => ({
  spaceId: s.id,
  name: s.name,
  canonicalName: s.name,
  providersSupports: supports,
});

/** RC2 says "undefined" (the string) when no default space is set. */
export const defaultSpaceId = (id: string | undefined): string => id ?? 'undefined';
