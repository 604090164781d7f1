import { ApiError } from '../errors.js';
import type { TokenRow } from '../store/tokens.js';
import type { UserActor } from './actor.js';
import type { Deps } from './deps.js';

/**
 * Extension: a user's own tokens — the access tokens they hold and the invites they issued —
 * listed with their use counts, and revoked (reversibly) or deleted (for good). A revoked or
 * deleted token fails on its next use, on every process, since each use reads its row.
 */
export function tokenService({ store }: Deps) {
  const own = async (actor: UserActor, tokenId: string): Promise<TokenRow> => {
    const row = await store.tokens.byId(tokenId);
    if (!row || row.issuer_type !== 'user' || row.issuer_id !== actor.userId) throw new ApiError('notFound', 'Token not found.');
    return row;
  };

  return {
    list: (actor: UserActor): Promise<TokenRow[]> => store.tokens.ofIssuer('user', actor.userId),

    get: own,

    async setRevoked(actor: UserActor, tokenId: string, revoked: boolean): Promise<void> {
      await own(actor, tokenId);
      await store.tokens.setRevoked(tokenId, revoked);
    },

    async remove(actor: UserActor, tokenId: string): Promise<void> {
      await own(actor, tokenId);
      await store.tokens.delete(tokenId);
    },
  };
}

export type TokenService = ReturnType<typeof tokenService>;
