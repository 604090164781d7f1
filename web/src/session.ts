import { createContext } from 'preact';
import { type Credentials, InvalidIdError, OnezoneClient, OnezoneError, RequestTimeoutError, type User } from '../../src/client/browser.js';
import { accessTokenId } from './token-id.js';

/**
 * The signed-in user's access token lives in sessionStorage: it survives a reload of the tab and
 * goes with it, is never written to localStorage or a URL, and signing out revokes it on the zone
 * (`DELETE /user/client_token`) and removes it.
 */
const TOKEN_KEY = 'onezone.accessToken';

export const savedToken = (): string | null => sessionStorage.getItem(TOKEN_KEY);
export const saveToken = (token: string): void => sessionStorage.setItem(TOKEN_KEY, token);
export const forgetToken = (): void => sessionStorage.removeItem(TOKEN_KEY);

export interface Session {
  client: OnezoneClient;
  me: User;
  /** May read the audit trail and create users (a zone administrator). */
  admin: boolean;
  /** The id of this session's access token (as `/user/tokens` lists it), when it can be read. */
  tokenId: string | null;
}

/** The browser's fetch failed: no answer came (the zone or the network is down, or CORS/TLS refused). */
export class UnreachableError extends Error {
  constructor(cause: unknown) {
    super('The zone could not be reached.', { cause });
    this.name = 'UnreachableError';
  }
}

/**
 * The user's input, refused: by the page itself (the new password typed twice differently), or by
 * the zone for the input and not the session (a wrong current password is a 401 too). Shown as it
 * is, and never ends the session.
 */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** A client of this zone's API, which is served beside the UI (`/ui/` -> `/api/v3/onezone`). */
export function apiClient(credentials: Credentials): OnezoneClient {
  return new OnezoneClient({
    baseUrl: new URL('../api/v3/onezone', document.baseURI).href,
    credentials,
    // no-store: no authenticated answer is written to the browser's disk cache. What the
    // browser's fetch throws means "no answer" (the SDK tells a timeout by its own signal); the
    // SDK's own errors (an id that is not one) are thrown before it and pass as they are.
    fetch: (input, init) =>
      window.fetch(input, { ...init, cache: 'no-store' }).catch((err: unknown) => {
        throw new UnreachableError(err);
      }),
  });
}

/** Login and password -> a new access token (`GET /user/client_token`); the password is not kept. */
export function tokenFromPassword(login: string, password: string): Promise<string> {
  return apiClient({ basic: { login, password } }).user.clientToken();
}

/** Checks the token by reading the account; finds out whether the user administers the zone. */
export async function openSession(token: string): Promise<Session> {
  const client = apiClient({ token });
  const me = await client.user.get();
  // 403: not an administrator. Anything else (the zone unreachable, a 5xx) fails the opening,
  // rather than quietly hiding the admin pages.
  const admin = await client.audit.list({ limit: 1 }).then(
    () => true,
    (err: unknown) => {
      if (err instanceof OnezoneError && err.status === 403) return false;
      throw err;
    },
  );
  return { client, me, admin, tokenId: accessTokenId(token) };
}

export interface SessionContextValue {
  session: Session;
  /** Re-reads the account after the user changed it. */
  refreshMe(): Promise<void>;
  /** The zone refused the token (expired, revoked): back to the sign-in page, saying why. */
  expire(error: unknown): void;
  /** The user revoked or deleted this session's own token: back to the sign-in page. */
  ended(message: string): void;
}

export const SessionContext = createContext<SessionContextValue>(null as unknown as SessionContextValue);

/** 401: the access token no longer works. */
export const isUnauthenticated = (err: unknown): boolean => err instanceof OnezoneError && err.status === 401;

/**
 * The zone's own `error_description`, or what went wrong on the way to it: no answer, no answer
 * in time, or a request the SDK refused to send (an id that is not one).
 */
export function describeError(err: unknown): string {
  if (err instanceof OnezoneError) {
    const text = err.description || `${err.status} ${err.code}`;
    // A 429 (too many failed logins) or a 503 says how long to wait.
    return err.retryAfter === undefined ? text : `${text} Try again in ${err.retryAfter} second${err.retryAfter === 1 ? '' : 's'}.`;
  }
  if (err instanceof UnreachableError || err instanceof InputError) return err.message;
  if (err instanceof RequestTimeoutError) return 'The zone did not answer in time.';
  if (err instanceof InvalidIdError) return `This is not a valid ID: ${err.shown}.`;
  return `Something went wrong in this page: ${err instanceof Error ? err.message : String(err)}`;
}
