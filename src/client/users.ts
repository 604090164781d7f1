import { type HttpTransport, getJson, jsonOf, seg } from './http.js';
import type { User } from './types.js';

export function usersApi(http: HttpTransport) {
  return {
    /** Extension `POST /users` (zone administrators). */
    create: async (user: { login: string; password: string; name: string }) => jsonOf(await http.call('POST', '/users', user)) as User,
    /** Extension `GET /users/{id}` (zone administrators). */
    get: async (id: string) => getJson<User>(http, `/users/${seg(id)}`),
  };
}
