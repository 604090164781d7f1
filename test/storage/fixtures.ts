import { randomBytes } from 'node:crypto';
import type { Store } from '../../src/store/index.js';

/** Entity factories for the storage contract suite: each call makes fresh rows with unique ids. */

export const newId = (): string => randomBytes(32).toString('base64url');

/**
 * Ids that share a random prefix and differ in one character chosen so that byte order
 * differs from any linguistic order (`-` < `0` < `B` < `Z` < `_` < `a`), returned shuffled.
 */
export function idsForOrdering(): { shuffled: string[]; sorted: string[] } {
  const prefix = randomBytes(16).toString('base64url');
  const sorted = ['-', '0', 'B', 'Z', '_', 'a'].map((c) => `${prefix}${c}`);
  return { sorted, shuffled: [sorted[5]!, sorted[2]!, sorted[0]!, sorted[4]!, sorted[1]!, sorted[3]!] };
}

export async function makeUser(store: Store, id = newId()): Promise<string> {
  await store.users.insert({
    id,
    login: `u${randomBytes(6).toString('hex')}`,
    name: 'User',
    password_hash: 'hash',
    alias: '',
    email_list: '[]',
    default_space_id: null,
    created_at: 1_700_000_000,
  });
  return id;
}

export async function makeSpace(store: Store, id = newId()): Promise<string> {
  await store.spaces.insert({ id, name: 'space', created_at: 1_700_000_000 });
  return id;
}

export async function makeGroup(store: Store, id = newId()): Promise<string> {
  await store.groups.insert({ id, name: 'group', type: 'role', created_at: 1_700_000_000 });
  return id;
}

export async function makeToken(
  store: Store,
  opts: { issuer: string; target?: string; usageLimit?: number | null; kind?: 'access' | 'invite' },
): Promise<string> {
  const id = newId();
  const invite = (opts.kind ?? 'invite') === 'invite';
  await store.tokens.insert({
    id,
    kind: invite ? 'invite' : 'access',
    type: invite ? 'space_invite_user_token' : 'access',
    issuer_type: 'user',
    issuer_id: opts.issuer,
    target_type: invite ? 'space' : null,
    target_id: invite ? (opts.target ?? null) : null,
    privileges: null,
    usage_limit: opts.usageLimit === undefined ? 1 : opts.usageLimit,
    // Beyond 2^31: int8 must come back as a number on PostgreSQL too.
    expires_at: 4_000_000_000,
    created_at: 1_700_000_000,
  });
  return id;
}
