import { type HttpTransport, getJson, postCreated, seg, send } from './http.js';
import type { Group, GroupType, Space, User, UserPatch } from './types.js';

export function userApi(http: HttpTransport) {
  return {
    get: () => getJson<User>(http, '/user'),
    modify: (patch: UserPatch) => send(http, 'PATCH', '/user', patch),
    remove: () => send(http, 'DELETE', '/user'),
    clientToken: async () => (await getJson<{ token: string }>(http, '/user/client_token')).token,
    /** Extension: sign out, revoking the access token this client authenticates with (400 with Basic credentials). */
    signOut: () => send(http, 'DELETE', '/user/client_token'),
    spaces: () => getJson<{ spaces: string[]; default: string }>(http, '/user/spaces'),
    createSpace: (name: string) => postCreated(http, '/user/spaces', { name }),
    defaultSpace: async () => (await getJson<{ spaceId: string }>(http, '/user/spaces/default')).spaceId,
    setDefaultSpace: (spaceId: string) => send(http, 'PUT', '/user/spaces/default', { spaceId }),
    joinSpace: (token: string) => postCreated(http, '/user/spaces/join', { token }),
    space: (sid: string) => getJson<Space>(http, `/user/spaces/${seg(sid)}`),
    leaveSpace: (sid: string) => send(http, 'DELETE', `/user/spaces/${seg(sid)}`),
    groups: async () => (await getJson<{ groups: string[] }>(http, '/user/groups')).groups,
    createGroup: (name: string, type: GroupType) => postCreated(http, '/user/groups', { name, type }),
    joinGroup: (token: string) => postCreated(http, '/user/groups/join', { token }),
    group: (gid: string) => getJson<Group>(http, `/user/groups/${seg(gid)}`),
    leaveGroup: (gid: string) => send(http, 'DELETE', `/user/groups/${seg(gid)}`),
    /** Extension: every group the user belongs to at any depth. */
    effectiveGroups: async () => (await getJson<{ effective_groups: string[] }>(http, '/user/effective_groups')).effective_groups,
    /** A `space_create_token` naming the user, to give to a provider that will create a space for them. */
    spaceCreateToken: async () => (await getJson<{ token: string }>(http, '/user/spaces/token')).token,
  };
}
