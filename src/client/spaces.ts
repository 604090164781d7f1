import { type HttpTransport, getJson, postCreated, seg, send, tokenOf } from './http.js';
import type { Group, InviteOptions, Space, SpacePrivilege, UserDetails } from './types.js';

export function spacesApi(http: HttpTransport) {
  const base = (id: string) => `/spaces/${seg(id)}`;
  const token = async (path: string, opts?: InviteOptions) => tokenOf(opts === undefined ? await http.call('GET', path) : await http.call('POST', path, opts));

  return {
    /** Every space in the zone (Onezone `list_spaces`). */
    list: async () => (await getJson<{ spaces: string[] }>(http, '/spaces')).spaces,
    create: async (name: string) => postCreated(http, '/spaces', { name }),
    get: async (id: string) => getJson<Space>(http, base(id)),
    rename: async (id: string, name: string) => send(http, 'PATCH', base(id), { name }),
    remove: async (id: string) => send(http, 'DELETE', base(id)),

    /** Direct users; with `effective`, also everyone reaching the space through groups. */
    users: async (id: string, opts: { effective?: boolean } = {}) =>
      (await getJson<{ users: string[] }>(http, `${base(id)}/users${opts.effective ? '?effective=true' : ''}`)).users,
    /** Zone administration (`add_member_to_space`). */
    addUser: async (id: string, userId: string) => send(http, 'PUT', `${base(id)}/users`, { userId }),
    user: async (id: string, uid: string) => getJson<UserDetails>(http, `${base(id)}/users/${seg(uid)}`),
    removeUser: async (id: string, uid: string) => send(http, 'DELETE', `${base(id)}/users/${seg(uid)}`),
    /** The user's own privileges; with `effective`, those and what the user holds through groups (any effective member). */
    userPrivileges: async (id: string, uid: string, opts: { effective?: boolean } = {}) =>
      (await getJson<{ privileges: SpacePrivilege[] }>(http, `${base(id)}/users/${seg(uid)}/privileges${opts.effective ? '?effective=true' : ''}`)).privileges,
    /** Replaces the user's privileges in the space. */
    setUserPrivileges: async (id: string, uid: string, privileges: SpacePrivilege[]) =>
      send(http, 'PUT', `${base(id)}/users/${seg(uid)}/privileges`, { privileges }),
    userInviteToken: async (id: string) => token(`${base(id)}/users/token`),
    /** Extension: an invite with a usage limit, lifetime and privileges. */
    createUserInvite: async (id: string, opts: InviteOptions = {}) => token(`${base(id)}/users/token`, opts),

    groups: async (id: string) => (await getJson<{ groups: string[] }>(http, `${base(id)}/groups`)).groups,
    /** Zone administration (`add_member_to_space`). */
    addGroup: async (id: string, groupId: string) => send(http, 'PUT', `${base(id)}/groups`, { groupId }),
    group: async (id: string, gid: string) => getJson<Group>(http, `${base(id)}/groups/${seg(gid)}`),
    removeGroup: async (id: string, gid: string) => send(http, 'DELETE', `${base(id)}/groups/${seg(gid)}`),
    groupPrivileges: async (id: string, gid: string) =>
      (await getJson<{ privileges: SpacePrivilege[] }>(http, `${base(id)}/groups/${seg(gid)}/privileges`)).privileges,
    /** Replaces the group's privileges in the space. */
    setGroupPrivileges: async (id: string, gid: string, privileges: SpacePrivilege[]) =>
      send(http, 'PUT', `${base(id)}/groups/${seg(gid)}/privileges`, { privileges }),
    groupInviteToken: async (id: string) => token(`${base(id)}/groups/token`),
    /** Extension: a group invite with a usage limit, lifetime and the privileges the group gets. */
    createGroupInvite: async (id: string, opts: InviteOptions = {}) => token(`${base(id)}/groups/token`, opts),
  };
}
