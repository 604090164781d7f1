import type { GroupRow, MemberRow } from '../store/groups.js';
import type { ProviderRow } from '../store/providers.js';
import type { SpaceRow } from '../store/spaces.js';
import type { Account } from '../domain/actor.js';

/** Domain rows -> RC2 response bodies. */

export const presentUser = (u: Account) => ({
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

export const presentGroup = (g: GroupRow) => ({ groupId: g.id, name: g.name, type: g.type });

/** A user as other members see it. */
export const presentMember = (u: MemberRow) => ({ userId: u.id, login: u.login, name: u.name });

/** RC2 `ProviderDetails` plus `clientName`; coordinates only when the provider gave them. */
export const presentProvider = (p: ProviderRow) => ({
  clientName: p.name,
  providerId: p.id,
  urls: JSON.parse(p.urls) as string[],
  redirectionPoint: p.redirection_point,
  ...(p.latitude !== null && { latitude: p.latitude }),
  ...(p.longitude !== null && { longitude: p.longitude }),
});
