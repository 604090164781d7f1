import { ApiError } from '../errors.js';
import { derived } from '../store/answers.js';
import { timeCaveat } from '../tokens/caveats.js';
import { type RequestScope, type TokenClaims, allowsRequest, hasRequestCaveats, mintToken, verifyToken } from '../tokens/tokens.js';
import { accountGone, type UserActor } from './actor.js';
import { auditor } from './audit.js';
import type { Deps } from './deps.js';
import { noMetrics } from './metrics.js';

/**
 * Access tokens (`GET /user/client_token`): a macaroon with one `time <` caveat, like the
 * original's client tokens, backed by a row so that it can be revoked and dies with its user.
 */
export function accessTokenService({ store, clock, ids, masterKey, config, metrics = noMetrics }: Deps) {
  const audit = auditor({ clock });
  const bad = (description?: string) => new ApiError('badAccessToken', description);
  /**
   * Whether the provider logins behind a token's third-party caveats still stand: their rows go
   * with the provider (`DELETE /provider`) and expire with the token, and a discharge must not
   * outlive them (it is checked only by its signature and its own time caveat).
   */
  const loginsLive = async (caveatIds: readonly string[], userId: string) => {
    for (const id of caveatIds) {
      const login = await store.providers.loginCaveat(id);
      if (!login || login.user_id !== userId || clock() >= login.expires_at) return false;
    }
    return true;
  };

  return {
    async mint(actor: UserActor): Promise<string> {
      if (actor.scoped) throw SCOPED_MINT;
      const id = ids();
      const now = clock();
      const expiresAt = now + config.accessTokenTtl;
      await store.transaction(async (tx) => {
        // The account may have been deleted since this request authenticated (its row is read
        // outside this transaction): a token row for it would outlive it.
        if (!(await tx.users.hold(actor.userId))) throw accountGone();
        await tx.tokens.insertAccess(id, { type: 'user', id: actor.userId }, now, expiresAt);
        await audit(tx, actor, 'token.mint', { target: ['user', actor.userId], details: { tokenId: id, type: 'access' } });
      });
      metrics.tokenMinted('access');
      return mintToken(masterKey, config.zoneName, id, [timeCaveat(expiresAt)]);
    },

    /** `discharges`: bound discharge macaroons, for tokens with third-party caveats (provider-mediated login). */
    async authenticate(text: string, discharges: readonly string[] = [], request?: () => RequestScope): Promise<UserActor> {
      const claims = verifyToken(masterKey, text, discharges);
      if (!claims || claims.type !== null) throw bad();
      if (hasRequestCaveats(claims) && !(request && allowsRequest(claims, request()))) throw bad(REQUEST_REFUSED);
      const row = await store.tokens.accessTokenSubject(claims.id);
      if (!row || row.kind !== 'access') throw bad();
      const notAfter = Math.min(claims.notAfter ?? Infinity, row.expires_at ?? Infinity);
      if (clock() >= notAfter) throw bad('Provided access token has expired.');
      if (row.revoked) throw bad('Provided access token has been revoked.');
      if (discharges.length > 0 && !(await loginsLive(claims.thirdParty ?? [], row.userId))) throw bad(LOGIN_ENDED);
      const actor = actorOf(row, claims.id);
      // Not the cached actor: the row (and its actor) is shared by every text with this id.
      // A login token is bounded by its discharge (10 hours): what it mints must not outlive it.
      return discharges.length > 0 || narrowed(claims, row.expires_at) ? Object.freeze({ ...actor, scoped: true as const }) : actor;
    },
  };
}

/**
 * Whether a holder narrowed the token after the zone minted it: request caveats, or an expiry
 * earlier than its row's. Such a token must not buy an unnarrowed one (the new token would carry
 * none of its caveats, and the zone's full lifetime).
 */
export function narrowed(claims: TokenClaims, rowExpiresAt: number | null): boolean {
  return hasRequestCaveats(claims) || (claims.notAfter ?? Infinity) < (rowExpiresAt ?? Infinity);
}

export const SCOPED_MINT = new ApiError(
  'forbidden',
  'A token narrowed by caveats (method, resource or an earlier expiry) or used with a discharge cannot mint an access token; use an access token as the zone issued it.',
);

/** Said once the signature is proven: the provider of a provider-mediated login was deleted. */
const LOGIN_ENDED = 'Provided access token was issued for a login through a provider that no longer exists.';

/** Said once the signature is proven, as for expiry and revocation. */
export const REQUEST_REFUSED = "Provided access token's caveats do not allow this request (its method or resource).";

type SubjectRow = NonNullable<Awaited<ReturnType<Deps['store']['tokens']['accessTokenSubject']>>>;

/**
 * The actor of a token's row, frozen. A cached row (shared until the next commit) gets one actor,
 * so that what is made from its account can be shared too (http/shared-json.ts). The row is the
 * token's own (read by its id), so the token id is the same for every request.
 */
function actorOf(row: SubjectRow, tokenId: string): UserActor {
  return derived(row, ACTOR, () => {
    const account = Object.freeze({
      id: row.userId,
      login: row.login,
      name: row.name,
      alias: row.alias,
      email_list: row.email_list,
      default_space_id: row.default_space_id,
      created_at: row.user_created_at,
    });
    return Object.freeze({ kind: 'user', userId: row.userId, login: row.login, account, tokenId } as const);
  });
}
const ACTOR = Symbol('actor');

export type AccessTokenService = ReturnType<typeof accessTokenService>;
