import { useEffect, useState } from 'preact/hooks';

/** The pages, addressed by the URL's fragment (`#/spaces/ID`) so that the server serves one file. */
export type Route =
  | { page: 'account' }
  | { page: 'join' }
  | { page: 'space'; id: string }
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
  const space = /^\/spaces\/([^/]+)$/.exec(path);
  if (space) {
    try {
      return { page: 'space', id: decodeURIComponent(space[1]!) };
    } catch {
      return { page: 'missing' };
    }
  }
  return PAGES[path] ?? { page: 'missing' };
}

export const href = {
  account: '#/',
  join: '#/join',
  tokens: '#/tokens',
  audit: '#/audit',
  users: '#/users',
  space: (id: string) => `#/spaces/${encodeURIComponent(id)}`,
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
