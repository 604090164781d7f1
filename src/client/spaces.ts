import { type HttpTransport, getJson, postCreated, seg, send } from './http.js';
import type { Group, InviteOptions, Space, SpacePrivilege, UserDetails } from './types.js';

export function spacesApi(http: HttpTransport) {
  const base = (id: string) => `/spaces/${seg(id)}`;
  const token = async (path: string, opts?: InviteOptions) =>
    opts === undefined ? (await getJson<{ token: string }>(http, path)).token : ((await http.call('POST', path, opts)).body as { token: string }).token;

  return {
    /** Every space in the zone (Onezone `list_spaces`). */
    list: async () => (await getJson<{ spaces: string[] }>(http, '/spaces')).spaces,
    create: (name: string) => postCreated(http, '/spaces', { name }),
    get: (id: string) => getJson<Space>(http, base(id)),
    rename: (id: string, name: string) => send(http, 'PATCH', base(id), { name }),
    remove: (id: string) => send(http, 'DELETE', base(id)),

    /** Direct users; with `effective`, also everyone reaching the space through groups. */
    users: async (id: string, opts: { effective?: boolean } = {}) =>
      (await getJson<{ users: string[] }>(http, `${base(id)}/users${opts.effective ? '?effective=true' : ''}`)).users,
    /** Zone administration (`add_member_to_space`). */
    addUser: (id: string, userId: string) => send(http, 'PUT', `${base(id)}/users`, { userId }),
    user: (id: string, uid: string) => getJson<UserDetails>(http, `${base(id)}/users/${seg(uid)}`),
    removeUser: (id: string, uid: string) => send(http, 'DELETE', `${base(id)}/users/${seg(uid)}`),
    userPrivileges: async (id: string, uid: string) =>
      (await getJson<{ privileges: SpacePrivilege[] }>(http, `${base(id)}/users/${seg(uid)}/privileges`)).privileges,
    /** Replaces the user's privileges in the space. */
    setUserPrivileges: (id: string, uid: string, privileges: SpacePrivilege[]) =>
      send(http, 'PUT', `${base(id)}/users/${seg(uid)}/privileges`, { privileges }),
    userInviteToken: (id: string) => token(`${base(id)}/users/token`),
    /** Extension: an invite with a usage limit, lifetime and privileges. */
    createUserInvite: (id: string, opts: InviteOptions = {}) => token(`${base(id)}/users/token`, opts),

    groups: async (id: string) => (await getJson<{ groups: string[] }>(http, `${base(id)}/groups`)).groups,
    /** Zone administration (`add_member_to_space`). */
    addGroup: (id: string, groupId: string) => send(http, 'PUT', `${base(id)}/groups`, { groupId }),
    group: (id: string, gid: string) => getJson<Group>(http, `${base(id)}/groups/${seg(gid)}`),
    removeGroup: (id: string, gid: string) => send(http, 'DELETE', `${base(id)}/groups/${seg(gid)}`),
    groupPrivileges: async (id: string, gid: string) =>
      (await getJson<{ privileges: SpacePrivilege[] }>(http, `${base(id)}/groups/${seg(gid)}/privileges`)).privileges,
    /** Replaces the group's privileges in the space. */
    setGroupPrivileges: (id: string, gid: string, privileges: SpacePrivilege[]) =>
      send(http, 'PUT', `${base(id)}/groups/${seg(gid)}/privileges`, { privileges }),
    groupInviteToken: (id: string) => token(`${base(id)}/groups/token`),
    /** Extension: a group invite with a usage limit, lifetime and the privileges the group gets. */
    createGroupInvite: (id: string, opts: InviteOptions = {}) => token(`${base(id)}/groups/token`, opts),
  };
}
