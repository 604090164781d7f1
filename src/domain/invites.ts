import { ApiError } from '../errors.js';
import type { Store } from '../store/index.js';
import type { TokenRow } from '../store/tokens.js';
import type { TokenTarget } from '../store/schema.js';
import { timeCaveat, tokenTypeCaveat } from '../tokens/caveats.js';
import { mintToken, verifyToken } from '../tokens/tokens.js';
import type { Deps } from './deps.js';

/** RC2 token type names (the `tokenType` caveat). */
export const InviteType = {
  spaceInviteUser: 'space_invite_user_token',
  spaceInviteGroup: 'space_invite_group_token',
  spaceSupport: 'space_support_token',
  spaceCreate: 'space_create_token',
  groupInviteUser: 'group_invite_token',
  groupInviteGroup: 'group_invite_group_token',
} as const;
export type InviteType = (typeof InviteType)[keyof typeof InviteType];

export interface InviteRequest {
  type: InviteType;
  issuer: { type: 'user' | 'provider'; id: string };
  target: { type: TokenTarget; id: string };
  /** Uses allowed; null for unlimited. RC2 invites are single use. */
  usageLimit?: number | null;
  /** Lifetime in seconds; defaults to the zone's invite lifetime. */
  ttl?: number;
  /** Privileges granted on join (a bit mask); null for the RC2 default. */
  privileges?: number | null;
}

const invalid = (description?: string) => new ApiError('invalidToken', description);

export function inviteService({ clock, ids, masterKey, config }: Deps) {
  return {
    /** Records and mints an invite; call within the transaction that checked the issuer's right. */
    async mint(store: Store, req: InviteRequest): Promise<string> {
      const id = ids();
      const now = clock();
      const expiresAt = now + (req.ttl ?? config.inviteTtl);
      await store.tokens.insert({
        id,
        kind: 'invite',
        type: req.type,
        issuer_type: req.issuer.type,
        issuer_id: req.issuer.id,
        target_type: req.target.type,
        target_id: req.target.id,
        privileges: req.privileges ?? null,
        usage_limit: req.usageLimit === undefined ? 1 : req.usageLimit,
        expires_at: expiresAt,
        created_at: now,
      });
      return mintToken(masterKey, config.zoneName, id, [tokenTypeCaveat(req.type), timeCaveat(expiresAt)]);
    },

    /**
     * Proves an invite and loads its metadata under a row lock, inside the caller's transaction.
     * Until the signature is proven every failure reads the same; after, the reason is given.
     */
    async open(tx: Store, text: string, expected: InviteType): Promise<TokenRow> {
      const claims = verifyToken(masterKey, text);
      if (!claims) throw invalid();
      const row = await tx.tokens.lock(claims.id);
      if (!row || row.kind !== 'invite' || row.target_id === null) throw invalid();
      if (row.type !== expected || claims.type !== expected) {
        throw invalid(`Provided token is not valid here: expected a ${expected}.`);
      }
      const now = clock();
      const notAfter = Math.min(claims.notAfter ?? Infinity, row.expires_at ?? Infinity);
      if (now >= notAfter) throw invalid('Provided token has expired.');
      if (row.revoked) throw invalid('Provided token has been revoked.');
      if (row.usage_limit !== null && row.usage_count >= row.usage_limit) {
        throw invalid('Provided token has reached its usage limit.');
      }
      return row;
    },

    /** Counts one use of an opened invite; the check constraint makes overuse impossible anyway. */
    async countUse(tx: Store, token: TokenRow): Promise<void> {
      if (!(await tx.tokens.countUse(token.id))) throw invalid('Provided token has reached its usage limit.');
    },
  };
}

export type InviteService = ReturnType<typeof inviteService>;
