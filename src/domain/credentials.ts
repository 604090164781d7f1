import { hash, randomBytes } from 'node:crypto';
import { ApiError, invalidField } from '../errors.js';
import { accountGone, type UserActor } from './actor.js';
import { auditor } from './audit.js';
import type { Deps } from './deps.js';
import { MIN_PASSWORD_LENGTH, hashPassword, verifyPassword } from './passwords.js';

const MAX_REMEMBERED = 10_000;

/**
 * Basic-auth login:password checks. The KDF is slow on purpose, so a proven pair is
 * remembered (keyed by a SHA-256 of a per-process secret and the pair, never the password itself) together
 * with the hash it was proven against: a changed password or a deleted user misses at once,
 * because every request still reads the user's current hash from the database.
 */
export function credentialService({ store, config, clock }: Deps) {
  const audit = auditor({ clock });
  // A secret prefix: the key tells nothing about the password to whoever reads the process memory.
  const pepper = randomBytes(32).toString('base64url');
  const proven = new Map<string, string>();
  const inflight = new Map<string, Promise<boolean>>();
  let kdfRuns = 0;
  // Unknown logins still pay one KDF run, so timing does not tell which logins exist.
  const decoy = hashPassword(randomBytes(16).toString('hex'), config.passwordCost);

  // One-shot hash: no HMAC object per request, the cost of which showed in the Basic profile.
  const pairKey = (login: string, password: string) => hash('sha256', `${pepper}\0${login}\0${password}`, 'base64url');

  // `admit` (the throttle's gate, http/limits.ts) is asked before each KDF run and may refuse it.
  const check = (key: string, password: string, hash: string, admit?: () => () => void): Promise<boolean> => {
    let pending = inflight.get(key);
    if (!pending) {
      const done = admit?.();
      kdfRuns++;
      pending = verifyPassword(password, hash).finally(() => {
        inflight.delete(key);
        done?.();
      });
      inflight.set(key, pending);
    }
    return pending;
  };

  return {
    /** How many password checks paid the KDF (known pairs and concurrent duplicates do not). */
    kdfRuns: () => kdfRuns,

    /** `admit`: asked before the KDF runs (a pair already proven skips it), see `check`. */
    async basic(login: string, password: string, admit?: () => () => void): Promise<UserActor> {
      // No account has a login with a NUL (PostgreSQL could not even look one up): unknown, alike on both databases.
      const user = login.includes('\0') ? undefined : await store.users.byLogin(login);
      if (!user?.password_hash) {
        const done = admit?.();
        try {
          await verifyPassword(password, await decoy);
        } finally {
          done?.();
        }
        throw new ApiError('badCredentials');
      }
      const key = pairKey(login, password);
      if (proven.get(key) !== user.password_hash) {
        if (!(await check(key, password, user.password_hash, admit))) throw new ApiError('badCredentials');
        if (proven.size >= MAX_REMEMBERED) proven.delete(proven.keys().next().value!);
        proven.set(key, user.password_hash);
      }
      const { password_hash: _, ...account } = user;
      return { kind: 'user', userId: user.id, login: user.login, account };
    },

    /**
     * Extension `PATCH /user/password`: the current password proves the caller is the account's
     * owner, not only the holder of one of its tokens. A wrong one is a failed login (401, the
     * throttle counts it) and its check passes the same gate as Basic's. Proofs of the old
     * password stop matching at once (they are kept with the hash they were proven against);
     * the account's access tokens stay valid.
     */
    async changePassword(actor: UserActor, current: string, next: string, admit?: () => () => void): Promise<void> {
      const user = await store.users.byId(actor.userId);
      if (!user) throw accountGone();
      const stored = user.password_hash;
      if (!stored) throw new ApiError('invalidRequest', 'This account has no password to change.');
      if (!(await check(pairKey(user.login, current), current, stored, admit))) {
        throw new ApiError('badCredentials', 'The current password is wrong.');
      }
      if (next.length < MIN_PASSWORD_LENGTH) throw invalidField('newPassword', `must be at least ${MIN_PASSWORD_LENGTH} characters`);
      const replacement = await hashPassword(next, config.passwordCost);
      await store.transaction(async (tx) => {
        // Only over the hash just proven: a change made meanwhile by another request wins.
        if (!(await tx.users.replacePassword(user.id, stored, replacement))) {
          if (!(await tx.users.exists(user.id))) throw accountGone();
          throw new ApiError('conflict', 'The password was changed meanwhile; try again with the new one.');
        }
        await audit(tx, actor, 'user.password', { target: ['user', user.id] });
      });
    },
  };
}

export type CredentialService = ReturnType<typeof credentialService>;
