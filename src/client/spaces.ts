import { type HttpTransport, getJson, postCreated, seg } from './http.js';
import type { InviteOptions, Space } from './types.js';

export function spacesApi(http: HttpTransport) {
  return {
    create: (name: string) => postCreated(http, '/spaces', { name }),
    get: (id: string) => getJson<Space>(http, `/spaces/${seg(id)}`),
    users: async (id: string) => (await getJson<{ users: string[] }>(http, `/spaces/${seg(id)}/users`)).users,
    userInviteToken: async (id: string) => (await getJson<{ token: string }>(http, `/spaces/${seg(id)}/users/token`)).token,
    /** Extension: an invite with a usage limit, lifetime and privileges. */
    createUserInvite: async (id: string, opts: InviteOptions = {}) =>
      ((await http.call('POST', `/spaces/${seg(id)}/users/token`, opts)).body as { token: string }).token,
  };
}
