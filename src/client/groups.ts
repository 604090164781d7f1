import { type HttpTransport, getJson, postCreated, seg, send, tokenOf } from './http.js';
import type { Group, GroupInviteOptions, GroupPatch, GroupPrivilege, GroupType, UserDetails } from './types.js';

export function groupsApi(http: HttpTransport) {
  const g = (id: string) => `/groups/${seg(id)}`;
  const privileges = async (path: string) => (await getJson<{ privileges: GroupPrivilege[] }>(http, path)).privileges;
  const token = async (path: string, opts?: GroupInviteOptions) => tokenOf(opts === undefined ? await http.call('GET', path) : await http.call('POST', path, opts));
  return {
    create: async (name: string, type: GroupType) => postCreated(http, '/groups', { name, type }),
    get: async (id: string) => getJson<Group>(http, g(id)),
    modify: async (id: string, patch: GroupPatch) => send(http, 'PATCH', g(id), patch),
    remove: async (id: string) => send(http, 'DELETE', g(id)),
    effectiveUsers: async (id: string) => (await getJson<{ users: string[] }>(http, `${g(id)}/effective_users`)).users,
    effectiveUser: async (id: string, uid: string) => getJson<UserDetails>(http, `${g(id)}/effective_users/${seg(uid)}`),
    effectiveUserPrivileges: async (id: string, uid: string) => privileges(`${g(id)}/effective_users/${seg(uid)}/privileges`),
    users: async (id: string) => (await getJson<{ users: string[] }>(http, `${g(id)}/users`)).users,
    userInviteToken: async (id: string) => token(`${g(id)}/users/token`),
    /** Extension: a user invite with a usage limit, lifetime and privileges. */
    createUserInvite: async (id: string, opts: GroupInviteOptions = {}) => token(`${g(id)}/users/token`, opts),
    user: async (id: string, uid: string) => getJson<UserDetails>(http, `${g(id)}/users/${seg(uid)}`),
    removeUser: async (id: string, uid: string) => send(http, 'DELETE', `${g(id)}/users/${seg(uid)}`),
    userPrivileges: async (id: string, uid: string) => privileges(`${g(id)}/users/${seg(uid)}/privileges`),
    setUserPrivileges: async (id: string, uid: string, list: GroupPrivilege[]) =>
      send(http, 'PUT', `${g(id)}/users/${seg(uid)}/privileges`, { privileges: list }),
    parents: async (id: string) => (await getJson<{ parent_groups: string[] }>(http, `${g(id)}/parent`)).parent_groups,
    parent: async (id: string, pid: string) => getJson<Group>(http, `${g(id)}/parent/${seg(pid)}`),
    nested: async (id: string) => (await getJson<{ nested_groups: string[] }>(http, `${g(id)}/nested`)).nested_groups,
    nestedInviteToken: async (id: string) => token(`${g(id)}/nested/token`),
    /** Extension: a subgroup invite with a usage limit, lifetime and privileges. */
    createNestedInvite: async (id: string, opts: GroupInviteOptions = {}) => token(`${g(id)}/nested/token`, opts),
    /** Group `id` joins the group that issued the token; resolves to that parent's id. */
    joinNested: async (id: string, inviteToken: string) => postCreated(http, `${g(id)}/nested/join`, { token: inviteToken }),
    nestedGroup: async (id: string, nid: string) => getJson<Group>(http, `${g(id)}/nested/${seg(nid)}`),
    removeNested: async (id: string, nid: string) => send(http, 'DELETE', `${g(id)}/nested/${seg(nid)}`),
    nestedPrivileges: async (id: string, nid: string) => privileges(`${g(id)}/nested/${seg(nid)}/privileges`),
    setNestedPrivileges: async (id: string, nid: string, list: GroupPrivilege[]) =>
      send(http, 'PUT', `${g(id)}/nested/${seg(nid)}/privileges`, { privileges: list }),
  };
}
