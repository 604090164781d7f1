import { type HttpTransport, getJson, seg } from './http.js';
import type { User } from './types.js';

export function usersApi(http: HttpTransport) {
  return {
    /** Extension `POST /users` (zone administrators). */
    create: async (user: { login: string; password: string; name: string }) => (await http.call('POST', '/users', user)).body as User,
    /** Extension `GET /users/{id}` (zone administrators). */
    get: async (id: string) => getJson<User>(http, `/users/${seg(id)}`),
  };
}
