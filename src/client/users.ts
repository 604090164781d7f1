import type { HttpTransport } from './http.js';
import type { User } from './types.js';

export function usersApi(http: HttpTransport) {
  return {
    /** Extension `POST /users` (zone administrators). */
    create: async (user: { login: string; password: string; name: string }) => (await http.call('POST', '/users', user)).body as User,
  };
}
