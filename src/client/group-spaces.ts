import { type HttpTransport, getJson, postCreated, seg, send, tokenOf } from './http.js';
import type { Space } from './types.js';

/** A group's spaces (`/groups/{id}/spaces…`). */
export function groupSpacesApi(http: HttpTransport) {
  const base = (gid: string) => `/groups/${seg(gid)}/spaces`;
  return {
    list: async (gid: string) => (await getJson<{ spaces: string[] }>(http, base(gid))).spaces,
    /** A new space whose member (with every privilege) is the group. */
    create: async (gid: string, name: string) => postCreated(http, base(gid), { name }),
    /** The group joins a space with a `space_invite_group_token`; returns the space id. */
    join: async (gid: string, token: string) => postCreated(http, `${base(gid)}/join`, { token }),
    /** A `space_create_token` naming the group, for a provider. */
    createToken: async (gid: string) => tokenOf(await http.call('GET', `${base(gid)}/token`)),
    get: async (gid: string, sid: string) => getJson<Space>(http, `${base(gid)}/${seg(sid)}`),
    leave: async (gid: string, sid: string) => send(http, 'DELETE', `${base(gid)}/${seg(sid)}`),
  };
}
