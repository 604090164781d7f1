import { type HttpTransport, getJson, seg, send } from './http.js';

export type OnezonePrivilege =
  | 'view_privileges'
  | 'set_privileges'
  | 'list_spaces'
  | 'list_providers'
  | 'list_providers_of_space'
  | 'add_member_to_space'
  | 'remove_member_from_space';

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
