import { type ClientOptions, HttpTransport } from './http.js';
import { spacesApi } from './spaces.js';
import { userApi } from './user.js';
import { usersApi } from './users.js';

export { OnezoneError, type ClientOptions, type Credentials, type RawResponse } from './http.js';
export type * from './types.js';

/**
 * Typed client of the Onezone REST API: one namespace per resource, one method per
 * operation (RC2 operations and our extensions).
 */
export class OnezoneClient {
  readonly http: HttpTransport;
  /** The authenticated user's own account, spaces, groups and tokens (`/user…`). */
  readonly user;
  /** Spaces by id (`/spaces…`). */
  readonly spaces;
  /** Zone administration extensions (`/users`). */
  readonly users;

  constructor(opts: ClientOptions) {
    this.http = new HttpTransport(opts);
    this.user = userApi(this.http);
    this.spaces = spacesApi(this.http);
    this.users = usersApi(this.http);
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
