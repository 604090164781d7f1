import { ApiError } from '../errors.js';
import type { UserRow } from '../store/users.js';

/** A user's row without its password hash: what authentication hands on to the request. */
export type Account = Omit<UserRow, 'password_hash'>;

/** Who is calling, as established by http/auth.ts. */
export type Actor =
  | {
      kind: 'user';
      userId: string;
      login: string;
      /**
       * The user's row as authentication read it in this request (absent for actors made
       * elsewhere), so that the request need not read it a second time.
       */
      account?: Account;
      /**
       * The id of the access token that authenticated this request (absent for Basic
       * credentials), so that sign-out can revoke it. Kept to the request: never logged or returned.
       */
      tokenId?: string;
      /** Authenticated by a token its holder narrowed (access-tokens.ts `narrowed`): it may not mint an unnarrowed one. */
      scoped?: true;
    }
  | { kind: 'provider'; providerId: string; scoped?: true }
  | { kind: 'nobody' };

export type UserActor = Extract<Actor, { kind: 'user' }>;

/** The account a request authenticated as was deleted meanwhile: its credentials are no longer good. */
export const accountGone = (): ApiError => new ApiError('badCredentials', 'The account no longer exists.');
