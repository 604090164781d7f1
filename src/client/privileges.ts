import { ONEZONE_PRIVILEGES } from '../domain/privileges.js';
import { type HttpTransport, getJson, seg, send } from './http.js';

// The zone's own list (a pure module, no Node code), as `types.ts` does for space and group privileges.
export { ONEZONE_PRIVILEGES };

export type OnezonePrivilege = (typeof ONEZONE_PRIVILEGES)[number];

/** Onezone (zone-wide) privileges of users and groups (`/privileges…`). */
export function privilegesApi(http: HttpTransport) {
  const of = (subject: 'users' | 'group', id: string) => `/privileges/${subject}/${seg(id)}`;
  const get = async (path: string) => (await getJson<{ privileges: OnezonePrivilege[] }>(http, path)).privileges;
  return {
    user: async (id: string) => get(of('users', id)),
    /** Replaces the user's list. */
    setUser: async (id: string, privileges: OnezonePrivilege[]) => send(http, 'PATCH', of('users', id), { privileges }),
    removeUser: async (id: string) => send(http, 'DELETE', of('users', id)),
    group: async (id: string) => get(of('group', id)),
    /** Replaces the group's list; every effective member of the group holds them. */
    setGroup: async (id: string, privileges: OnezonePrivilege[]) => send(http, 'PATCH', of('group', id), { privileges }),
    removeGroup: async (id: string) => send(http, 'DELETE', of('group', id)),
  };
}
