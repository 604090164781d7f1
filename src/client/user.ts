import { type HttpTransport, getJson, postCreated, seg, send, tokenOf } from './http.js';
import type { Group, GroupType, Space, User, UserPatch } from './types.js';

export function userApi(http: HttpTransport) {
  return {
    get: async () => getJson<User>(http, '/user'),
    modify: async (patch: UserPatch) => send(http, 'PATCH', '/user', patch),
    remove: async () => send(http, 'DELETE', '/user'),
    /** Extension: change one's password, proving the current one (a wrong one is a 401 and counts as a failed login). */
    changePassword: async (oldPassword: string, newPassword: string) => send(http, 'PATCH', '/user/password', { oldPassword, newPassword }),
    clientToken: async () => tokenOf(await http.call('GET', '/user/client_token')),
    /** Extension: sign out, revoking the access token this client authenticates with (400 with Basic credentials). */
    signOut: async () => send(http, 'DELETE', '/user/client_token'),
    /** `default` is `"undefined"` when there is no default space, as `defaultSpace()` says. */
    spaces: async () => getJson<{ spaces: string[]; default: string }>(http, '/user/spaces'),
    createSpace: async (name: string) => postCreated(http, '/user/spaces', { name }),
    /**
     * The default space's id, or the literal string `"undefined"` when there is none: RC2's answer,
     * kept for its clients (docs/compatibility.md).
     */
    defaultSpace: async () => (await getJson<{ spaceId: string }>(http, '/user/spaces/default')).spaceId,
    // The id goes in the body, not the path: checked alike.
    setDefaultSpace: async (spaceId: string) => send(http, 'PUT', '/user/spaces/default', { spaceId: seg(spaceId) }),
    joinSpace: async (token: string) => postCreated(http, '/user/spaces/join', { token }),
    space: async (sid: string) => getJson<Space>(http, `/user/spaces/${seg(sid)}`),
    leaveSpace: async (sid: string) => send(http, 'DELETE', `/user/spaces/${seg(sid)}`),
    groups: async () => (await getJson<{ groups: string[] }>(http, '/user/groups')).groups,
    createGroup: async (name: string, type: GroupType) => postCreated(http, '/user/groups', { name, type }),
    joinGroup: async (token: string) => postCreated(http, '/user/groups/join', { token }),
    group: async (gid: string) => getJson<Group>(http, `/user/groups/${seg(gid)}`),
    leaveGroup: async (gid: string) => send(http, 'DELETE', `/user/groups/${seg(gid)}`),
    /** Extension: every group the user belongs to at any depth. */
    effectiveGroups: async () => (await getJson<{ effective_groups: string[] }>(http, '/user/effective_groups')).effective_groups,
    /** A `space_create_token` naming the user, to give to a provider that will create a space for them. */
    spaceCreateToken: async () => tokenOf(await http.call('GET', '/user/spaces/token')),
  };
}
