import { type HttpTransport, getJson, postCreated, seg, send } from './http.js';
import type { Space, User, UserPatch } from './types.js';

export function userApi(http: HttpTransport) {
  return {
    get: () => getJson<User>(http, '/user'),
    modify: (patch: UserPatch) => send(http, 'PATCH', '/user', patch),
    remove: () => send(http, 'DELETE', '/user'),
    clientToken: async () => (await getJson<{ token: string }>(http, '/user/client_token')).token,
    spaces: () => getJson<{ spaces: string[]; default: string }>(http, '/user/spaces'),
    createSpace: (name: string) => postCreated(http, '/user/spaces', { name }),
    defaultSpace: async () => (await getJson<{ spaceId: string }>(http, '/user/spaces/default')).spaceId,
    setDefaultSpace: (spaceId: string) => send(http, 'PUT', '/user/spaces/default', { spaceId }),
    joinSpace: (token: string) => postCreated(http, '/user/spaces/join', { token }),
    space: (sid: string) => getJson<Space>(http, `/user/spaces/${seg(sid)}`),
    leaveSpace: (sid: string) => send(http, 'DELETE', `/user/spaces/${seg(sid)}`),
  };
}
