import { auditApi } from './audit.js';
import { groupSpacesApi } from './group-spaces.js';
import { groupsApi } from './groups.js';
import { type ClientOptions, HttpTransport } from './http.js';
import { privilegesApi } from './privileges.js';
import { providerApi, providersApi } from './provider.js';
import { spacesApi } from './spaces.js';
import { tokensApi } from './tokens.js';
import { userApi } from './user.js';
import { usersApi } from './users.js';
import { zoneApi } from './zone.js';

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
  /** Groups by id (`/groups…`). */
  readonly groups;
  /** A group's spaces (`/groups/{id}/spaces…`). */
  readonly groupSpaces;
  /** Onezone privileges of users and groups (`/privileges…`). */
  readonly privileges;
  /** Zone administration extensions (`/users`). */
  readonly users;
  /** The caller's own access tokens and issued invites (extension `/user/tokens`). */
  readonly tokens;
  /** The calling provider itself (`/provider…`). */
  readonly provider;
  /** Other providers and the providers of a space. */
  readonly providers;
  /** The zone process itself (extension `/metrics` at the server root). */
  readonly zone;
  /** The audit trail (extension `/audit`, zone administrators). */
  readonly audit;

  constructor(opts: ClientOptions) {
    this.http = new HttpTransport(opts);
    this.user = userApi(this.http);
    this.spaces = spacesApi(this.http);
    this.groups = groupsApi(this.http);
    this.groupSpaces = groupSpacesApi(this.http);
    this.privileges = privilegesApi(this.http);
    this.users = usersApi(this.http);
    this.tokens = tokensApi(this.http);
    this.provider = providerApi(this.http);
    this.providers = providersApi(this.http);
    this.zone = zoneApi(this.http);
    this.audit = auditApi(this.http);
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
