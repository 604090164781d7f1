import { type HttpTransport, getJson, postCreated, seg, send } from './http.js';
import type { Group, GroupInviteOptions, GroupPatch, GroupPrivilege, GroupType, UserDetails } from './types.js';

export function groupsApi(http: HttpTransport) {
  const g = (id: string) => `/groups/${seg(id)}`;
  const privileges = async (path: string) => (await getJson<{ privileges: GroupPrivilege[] }>(http, path)).privileges;
  const token = async (path: string, opts?: GroupInviteOptions) =>
    (opts === undefined ? await getJson<{ token: string }>(http, path) : ((await http.call('POST', path, opts)).body as { token: string })).token;
  return {
    create: (name: string, type: GroupType) => postCreated(http, '/groups', { name, type }),
    get: (id: string) => getJson<Group>(http, g(id)),
    modify: (id: string, patch: GroupPatch) => send(http, 'PATCH', g(id), patch),
    remove: (id: string) => send(http, 'DELETE', g(id)),
    effectiveUsers: async (id: string) => (await getJson<{ users: string[] }>(http, `${g(id)}/effective_users`)).users,
    effectiveUser: (id: string, uid: string) => getJson<UserDetails>(http, `${g(id)}/effective_users/${seg(uid)}`),
    effectiveUserPrivileges: (id: string, uid: string) => privileges(`${g(id)}/effective_users/${seg(uid)}/privileges`),
    users: async (id: string) => (await getJson<{ users: string[] }>(http, `${g(id)}/users`)).users,
    userInviteToken: (id: string) => token(`${g(id)}/users/token`),
    /** Extension: a user invite with a usage limit, lifetime and privileges. */
    createUserInvite: (id: string, opts: GroupInviteOptions = {}) => token(`${g(id)}/users/token`, opts),
    user: (id: string, uid: string) => getJson<UserDetails>(http, `${g(id)}/users/${seg(uid)}`),
    removeUser: (id: string, uid: string) => send(http, 'DELETE', `${g(id)}/users/${seg(uid)}`),
    userPrivileges: (id: string, uid: string) => privileges(`${g(id)}/users/${seg(uid)}/privileges`),
    setUserPrivileges: (id: string, uid: string, list: GroupPrivilege[]) =>
      send(http, 'PUT', `${g(id)}/users/${seg(uid)}/privileges`, { privileges: list }),
    parents: async (id: string) => (await getJson<{ parent_groups: string[] }>(http, `${g(id)}/parent`)).parent_groups,
    parent: (id: string, pid: string) => getJson<Group>(http, `${g(id)}/parent/${seg(pid)}`),
    nested: async (id: string) => (await getJson<{ nested_groups: string[] }>(http, `${g(id)}/nested`)).nested_groups,
    nestedInviteToken: (id: string) => token(`${g(id)}/nested/token`),
    /** Extension: a subgroup invite with a usage limit, lifetime and privileges. */
    createNestedInvite: (id: string, opts: GroupInviteOptions = {}) => token(`${g(id)}/nested/token`, opts),
    /** Group `id` joins the group that issued the token; resolves to that parent's id. */
    joinNested: (id: string, inviteToken: string) => postCreated(http, `${g(id)}/nested/join`, { token: inviteToken }),
    nestedGroup: (id: string, nid: string) => getJson<Group>(http, `${g(id)}/nested/${seg(nid)}`),
    removeNested: (id: string, nid: string) => send(http, 'DELETE', `${g(id)}/nested/${seg(nid)}`),
    nestedPrivileges: (id: string, nid: string) => privileges(`${g(id)}/nested/${seg(nid)}/privileges`),
    setNestedPrivileges: (id: string, nid: string, list: GroupPrivilege[]) =>
      send(http, 'PUT', `${g(id)}/nested/${seg(nid)}/privileges`, { privileges: list }),
  };
}
