import { createContext } from 'preact';
import { type Credentials, OnezoneClient, OnezoneError, type User } from '../../src/client/browser.js';

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
}

/** A client of this zone's API, which is served beside the UI (`/ui/` -> `/api/v3/onezone`). */
export function apiClient(credentials: Credentials): OnezoneClient {
  return new OnezoneClient({
    baseUrl: new URL('../api/v3/onezone', document.baseURI).href,
    credentials,
    fetch: (input, init) => window.fetch(input, init),
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
  const admin = await client.audit.list({ limit: 1 }).then(
    () => true,
    () => false,
  );
  return { client, me, admin };
}

export interface SessionContextValue {
  session: Session;
  /** Re-reads the account after the user changed it. */
  refreshMe(): Promise<void>;
  /** The zone refused the token (expired, revoked): back to the sign-in page, saying why. */
  expire(error: unknown): void;
}

export const SessionContext = createContext<SessionContextValue>(null as unknown as SessionContextValue);

/** 401: the access token no longer works. */
export const isUnauthenticated = (err: unknown): boolean => err instanceof OnezoneError && err.status === 401;

/** The zone's own `error_description`, or what went wrong on the way to it. */
export function describeError(err: unknown): string {
  if (err instanceof OnezoneError) return err.description || `${err.status} ${err.code}`;
  if (err instanceof TypeError) return 'The zone could not be reached.';
  return err instanceof Error ? err.message : String(err);
}
