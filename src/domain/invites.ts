import { ApiError } from '../errors.js';
import { isMissingReference } from '../store/dialect.js';
import type { Store } from '../store/index.js';
import type { TokenRow } from '../store/tokens.js';
import type { TokenTarget } from '../store/schema.js';
import { timeCaveat, tokenTypeCaveat } from '../tokens/caveats.js';
import { hasRequestCaveats, mintToken, verifyToken } from '../tokens/tokens.js';
import { auditor, issuerActor } from './audit.js';
import type { Deps } from './deps.js';
import { noMetrics } from './metrics.js';
import { groupPrivileges, spacePrivileges } from './privileges.js';

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

/**
 * A foreign key failing in a use of an invite: its target (or its user) went after the invite was
 * opened. That is answered as if it had gone before (400 invalid_token), not as a 404.
 */
async function refusedIfGone<T>(use: Promise<T>, description: string): Promise<T> {
  try {
    return await use;
  } catch (err) {
    throw isMissingReference(err) ? invalid(description) : err;
  }
}

export function inviteService({ clock, ids, masterKey, config, metrics = noMetrics }: Deps) {
  const audit = auditor({ clock });
  return {
    /** Records and mints an invite, with its `token.mint` event (the issuer is the actor), in a transaction of its own. */
    async mint(store: Store, req: InviteRequest): Promise<string> {
      const id = ids();
      const now = clock();
      const expiresAt = now + (req.ttl ?? config.inviteTtl);
      const usageLimit = req.usageLimit === undefined ? 1 : req.usageLimit;
      const privileges = req.privileges ?? null;
      await store.transaction(async (tx) => {
        await tx.tokens.insert({
          id,
          kind: 'invite',
          type: req.type,
          issuer_type: req.issuer.type,
          issuer_id: req.issuer.id,
          target_type: req.target.type,
          target_id: req.target.id,
          privileges,
          usage_limit: usageLimit,
          expires_at: expiresAt,
          created_at: now,
        });
        const details = { tokenId: id, type: req.type, usageLimit, ...(privileges !== null && { privileges: privilegeNames(req.type, privileges) }) };
        await audit(tx, issuerActor(req.issuer), 'token.mint', { target: [req.target.type, req.target.id], details });
      });
      metrics.tokenMinted(req.type);
      return mintToken(masterKey, config.zoneName, id, [tokenTypeCaveat(req.type), timeCaveat(expiresAt)]);
    },

    /**
     * Proves an invite and reads its metadata inside the caller's transaction. Until the signature
     * is proven every failure reads the same; after, the reason is given. Nothing is locked yet:
     * `countUse`, the transaction's last statement, checks again as it counts.
     */
    async open(tx: Store, text: string, expected: InviteType): Promise<TokenRow> {
      const claims = verifyToken(masterKey, text);
      // Request caveats say which requests a credential may authenticate: an invite sent in a body is none.
      if (!claims || hasRequestCaveats(claims)) throw invalid();
      const row = await tx.tokens.byId(claims.id);
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

    /**
     * A join's answer (the joined entity's id), its outcome counted once known: joined or already
     * a member after its transaction committed, refused when it ended in a catalog error. A
     * membership whose space, group or member was deleted while the join ran is such a refusal.
     */
    async counted(join: Promise<{ id: string; added: boolean }>): Promise<string> {
      try {
        const { id, added } = await refusedIfGone(join, "The token's target, or the joining user or group, was removed meanwhile; nothing was joined.");
        metrics.join(added ? 'joined' : 'already_member');
        return id;
      } catch (err) {
        if (err instanceof ApiError) metrics.join('refused');
        throw err;
      }
    },

    /**
     * The answer of another use of an invite (a support, a space created with a token), refused
     * as a join is when something it writes was deleted while it ran.
     */
    used<T>(use: Promise<T>): Promise<T> {
      return refusedIfGone(use, 'What the token refers to, or the provider using it, was removed meanwhile; nothing was changed.');
    },

    /**
     * Counts one use of an opened invite, checking again that it is neither revoked, expired nor
     * used up, in the statement that counts it. Callers run it last, just before the commit: on
     * PostgreSQL it locks the token's row until then, so joins with one invite wait for each
     * other only that long, and a revocation or another use committed since `open` is seen here.
     * The check constraint makes overuse impossible anyway.
     */
    async countUse(tx: Store, token: TokenRow): Promise<void> {
      const now = clock();
      if (await tx.tokens.countUse(token.id, now)) return;
      const current = await tx.tokens.byId(token.id);
      if (!current) throw invalid();
      if (current.revoked) throw invalid('Provided token has been revoked.');
      if (current.expires_at !== null && now >= current.expires_at) throw invalid('Provided token has expired.');
      throw invalid('Provided token has reached its usage limit.');
    },
  };
}

/** The names of the privileges an invite grants: space privileges for space invites, group ones for group invites. */
const privilegeNames = (type: InviteType, mask: number): string[] =>
  type === InviteType.groupInviteUser || type === InviteType.groupInviteGroup ? groupPrivileges.toNames(mask) : spacePrivileges.toNames(mask);

export type InviteService = ReturnType<typeof inviteService>;
