import { useEffect, useState } from 'preact/hooks';
import { isId } from '../../src/client/browser.js';

/** The pages, addressed by the URL's fragment (`#/spaces/ID`, `#/groups/ID`) so that the server serves one file. */
export type Route =
  | { page: 'account' }
  | { page: 'join' }
  | { page: 'space'; id: string }
  | { page: 'group'; id: string }
  | { page: 'tokens' }
  | { page: 'audit' }
  | { page: 'users' }
  | { page: 'missing' };

const PAGES: Record<string, Route> = {
  '/': { page: 'account' },
  '/join': { page: 'join' },
  '/tokens': { page: 'tokens' },
  '/audit': { page: 'audit' },
  '/users': { page: 'users' },
};

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  const entity = /^\/(spaces|groups)\/(.*)$/.exec(path);
  // Anything the SDK would not take as an id ('', '.', '..', '%2F', spaces) is no page, not a request.
  if (entity) return isId(entity[2]) ? { page: entity[1] === 'spaces' ? 'space' : 'group', id: entity[2] } : { page: 'missing' };
  return PAGES[path] ?? { page: 'missing' };
}

export const href = {
  account: '#/',
  join: '#/join',
  tokens: '#/tokens',
  audit: '#/audit',
  users: '#/users',
  space: (id: string) => `#/spaces/${encodeURIComponent(id)}`,
  group: (id: string) => `#/groups/${encodeURIComponent(id)}`,
};

export function navigate(to: string): void {
  window.location.hash = to;
}

export function useRoute(): Route {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const changed = () => setHash(window.location.hash);
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return parseRoute(hash);
}
