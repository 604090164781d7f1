import { ApiError } from '../errors.js';
import type { Store } from '../store/index.js';
import type { TokenRow } from '../store/tokens.js';
import type { UserActor } from './actor.js';
import { type AuditRef, ZONE, auditor } from './audit.js';
import type { Deps } from './deps.js';

/**
 * Extension: a user's own tokens — the access tokens they hold and the invites they issued —
 * listed with their use counts, and revoked (reversibly) or deleted (for good). A revoked or
 * deleted token fails on its next use, on every process, since each use reads its row.
 */
/** How long an expired token is kept (listed, and refused as "expired" rather than unknown). */
export const EXPIRED_TOKEN_RETENTION_S = 30 * 24 * 3600;

/**
 * Deletes the tokens that expired more than EXPIRED_TOKEN_RETENTION_S ago, and those whose issuer
 * or target no longer exists (store/tokens.ts `purge`), step by step, each
 * step a transaction of its own (no long write lock) with a `token.purge` event saying how many
 * went, and a turn of the event loop between steps. Every process of a zone may run it: a row
 * goes once. Returns how many went.
 */
export async function purgeDeadTokens({ store, clock }: Pick<Deps, 'store' | 'clock'>, window?: number): Promise<number> {
  const before = clock() - EXPIRED_TOKEN_RETENTION_S;
  const audit = auditor({ clock });
  let total = 0;
  let from: number | undefined = 0;
  while (from !== undefined) {
    const step: { deleted: number; next: number | undefined } = await store.transaction(async (tx) => {
      const result = await tx.tokens.purge(before, from!, window);
      if (result.deleted > 0) await audit(tx, ZONE, 'token.purge', { target: ['zone', 'tokens'], details: { count: result.deleted, expiredBefore: before } });
      return result;
    });
    total += step.deleted;
    from = step.next;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return total;
}

export function tokenService({ store, clock }: Deps) {
  const audit = auditor({ clock });
  const own = async (actor: UserActor, tokenId: string, from: Store = store): Promise<TokenRow> => {
    const row = await from.tokens.byId(tokenId);
    if (!row || row.issuer_type !== 'user' || row.issuer_id !== actor.userId) throw notFound();
    return row;
  };
  // Inside the transaction, with the outcome of the write itself: a token deleted meanwhile is a
  // 404, a flag already as asked changes nothing and records nothing.
  const setRevoked = (actor: UserActor, tokenId: string, revoked: boolean): Promise<void> =>
    store.transaction(async (tx) => {
      const row = await own(actor, tokenId, tx);
      if (!(await tx.tokens.setRevoked(tokenId, revoked))) {
        if (!(await tx.tokens.byId(tokenId))) throw notFound();
        return;
      }
      await audit(tx, actor, revoked ? 'token.revoke' : 'token.unrevoke', { target: tokenTarget(row), details: tokenDetails(row) });
    });

  return {
    list: (actor: UserActor): Promise<TokenRow[]> => store.tokens.ofIssuer('user', actor.userId),

    get: own,

    setRevoked,

    /**
     * Extension `DELETE /user/client_token` (sign out): revokes the access token this very request
     * came with, as `setRevoked` would; its next use is a 401.
     */
    async signOut(actor: UserActor): Promise<void> {
      if (actor.tokenId === undefined) {
        throw new ApiError('invalidRequest', 'There is no access token to revoke: this request was authenticated with Basic credentials.');
      }
      await setRevoked(actor, actor.tokenId, true);
    },

    async remove(actor: UserActor, tokenId: string): Promise<void> {
      await store.transaction(async (tx) => {
        const row = await own(actor, tokenId, tx);
        if (!(await tx.tokens.delete(tokenId))) throw notFound();
        await audit(tx, actor, 'token.delete', { target: tokenTarget(row), details: tokenDetails(row) });
      });
    },
  };
}

const notFound = () => new ApiError('notFound', 'Token not found.');

/** Token events name what the token is for: an invite's space, group or user; an access token's holder. */
const tokenTarget = (row: TokenRow): AuditRef => (row.target_type && row.target_id ? [row.target_type, row.target_id] : [row.issuer_type, row.issuer_id]);
const tokenDetails = (row: TokenRow) => ({ tokenId: row.id, type: row.type });

export type TokenService = ReturnType<typeof tokenService>;
