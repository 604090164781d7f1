import { ApiError, invalidField } from '../errors.js';
import { timeCaveat } from '../tokens/caveats.js';
import { addFirstPartyCaveat, addThirdPartyCaveat, mint, serialize } from '../tokens/macaroon.js';
import { caveatKey, rootKey } from '../tokens/tokens.js';
import { SCOPED_MINT } from './access-tokens.js';
import type { UserActor } from './actor.js';
import { auditor } from './audit.js';
import type { Deps } from './deps.js';
import { noMetrics } from './metrics.js';

/** Lifetime of a discharge from `POST /user/authorize`, as in the 2016 server (10 h). */
export const DISCHARGE_TTL = 36000;

/**
 * Provider-mediated login, the 2016 flow: the zone mints for a user an access token with a
 * third-party caveat located at the zone; the provider posts the caveat id to
 * `POST /user/authorize` and gets the discharge; requests then carry the token and the discharge
 * bound to it (`discharge-macaroons`). Neither the token's nor the caveat's key is stored.
 */
export function providerLoginService({ store, clock, ids, masterKey, config, metrics = noMetrics }: Deps) {
  const audit = auditor({ clock });
  return {
    /** `POST /user/provider_login_token` (extension): an access token usable only with a discharge. */
    async mintLoginToken(actor: UserActor, providerId: string): Promise<string> {
      if (actor.scoped) throw SCOPED_MINT;
      if (!(await store.providers.byId(providerId))) throw new ApiError('notFound', 'Provider not found.');
      const tokenId = ids();
      const caveatId = ids();
      const now = clock();
      const expiresAt = now + config.accessTokenTtl;
      await store.transaction(async (tx) => {
        await tx.tokens.insertAccess(tokenId, { type: 'user', id: actor.userId }, now, expiresAt);
        await tx.providers.insertLoginCaveat({ id: caveatId, user_id: actor.userId, provider_id: providerId, expires_at: expiresAt, created_at: now });
        await audit(tx, actor, 'token.mint', { target: ['user', actor.userId], subject: ['provider', providerId], details: { tokenId, type: 'access' } });
      });
      metrics.tokenMinted('access');
      let m = mint(rootKey(masterKey, tokenId), config.zoneName, tokenId);
      m = addFirstPartyCaveat(m, timeCaveat(expiresAt));
      m = addThirdPartyCaveat(m, caveatKey(masterKey, caveatId), caveatId, config.zoneName);
      return serialize(m);
    },

    /** `POST /user/authorize`: the discharge of a caveat this zone made, unbound (the caller binds it). */
    async discharge(identifier: string): Promise<string> {
      const row = await store.providers.loginCaveat(identifier);
      const now = clock();
      if (!row || now >= row.expires_at) throw invalidField('identifier', 'unknown or expired');
      const m = mint(caveatKey(masterKey, identifier), config.zoneName, identifier);
      return serialize(addFirstPartyCaveat(m, timeCaveat(Math.min(now + DISCHARGE_TTL, row.expires_at))));
    },
  };
}

export type ProviderLoginService = ReturnType<typeof providerLoginService>;
