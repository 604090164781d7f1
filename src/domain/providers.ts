import { X509Certificate, createHash } from 'node:crypto';
import type { KeyAndCert } from '../crypto/certs.js';
import { ApiError } from '../errors.js';
import type { ProviderRow } from '../store/providers.js';
import { timeCaveat, tokenTypeCaveat } from '../tokens/caveats.js';
import { type RequestScope, allowsRequest, hasRequestCaveats, mintToken, verifyToken } from '../tokens/tokens.js';
import { REQUEST_REFUSED, SCOPED_MINT, narrowed } from './access-tokens.js';
import type { Actor } from './actor.js';
import { auditor } from './audit.js';
import type { Authorizer } from './authorize.js';
import type { Deps } from './deps.js';
import { noMetrics } from './metrics.js';

export type ProviderActor = Extract<Actor, { kind: 'provider' }>;

export interface ProviderDetails {
  clientName: string;
  urls: string[];
  redirectionPoint: string;
  latitude?: number;
  longitude?: number;
}

export type ProviderPatch = Partial<ProviderDetails>;

/** The `tokenType` caveat of provider tokens; user access tokens have none. */
export const PROVIDER_TOKEN_TYPE = 'provider_access_token';

/** Certificate code (x509, WebCrypto) loads on first use: a zone without providers never pays for it. */
const certs = () => import('../crypto/certs.js');

const fingerprint = (der: Buffer): string => createHash('sha256').update(der).digest('hex');

/**
 * Providers: registration (the zone CA signs the provider's CSR), their details, and the two
 * ways a provider authenticates: its certificate on mutual TLS, or a provider token.
 */
export function providerService({ store, clock, ids, masterKey, config, metrics = noMetrics }: Deps, authorize: Authorizer, zoneCa: KeyAndCert) {
  const audit = auditor({ clock });
  const badToken = (description?: string) => new ApiError('badAccessToken', description);

  const mustExist = async (providerId: string): Promise<ProviderRow> => {
    const row = await store.providers.byId(providerId);
    if (!row) throw new ApiError('notFound', 'Provider not found.');
    return row;
  };

  return {
    /** `POST /provider`: a bad CSR is a 400 that says what is wrong with it. */
    async register(details: ProviderDetails, csrPem: string): Promise<{ providerId: string; certificate: string }> {
      const { CsrError, signProviderCert, validateCsr } = await certs();
      let csr;
      try {
        csr = await validateCsr(csrPem);
      } catch (err) {
        if (err instanceof CsrError) throw new ApiError('invalidRequest', `invalid 'csr' value: ${err.message}`);
        throw err;
      }
      const providerId = ids();
      const certificate = await signProviderCert(zoneCa, csr, providerId);
      const cert = new X509Certificate(certificate);
      await store.transaction(async (tx) => {
        await tx.providers.insert({
          id: providerId,
          name: details.clientName,
          urls: JSON.stringify(details.urls),
          redirection_point: details.redirectionPoint,
          latitude: details.latitude ?? null,
          longitude: details.longitude ?? null,
          cert_serial: cert.serialNumber,
          cert_fingerprint: fingerprint(cert.raw),
          created_at: clock(),
        });
        // The new provider registers itself: nobody else is there to name.
        const self = { kind: 'provider', providerId } as const;
        await audit(tx, self, 'provider.register', { target: ['provider', providerId], details: { name: details.clientName } });
      });
      return { providerId, certificate };
    },

    /** `GET /provider`: the calling provider itself. */
    get(actor: ProviderActor): Promise<ProviderRow> {
      return mustExist(actor.providerId);
    },

    /** `GET /provider/{pid}`: any provider, or a user with `list_providers`. */
    async getOther(actor: Actor, providerId: string): Promise<ProviderRow> {
      // A missing entity is 404 before a missing privilege is 403 (docs/security.md).
      const provider = await mustExist(providerId);
      if (actor.kind !== 'provider') await authorize.zone(actor, 'list_providers');
      return provider;
    },

    /** `GET /providers`: as `GET /provider/{pid}`. */
    async list(actor: Actor): Promise<string[]> {
      if (actor.kind !== 'provider') await authorize.zone(actor, 'list_providers');
      return store.providers.list();
    },

    async modify(actor: ProviderActor, patch: ProviderPatch): Promise<void> {
      const columns = {
        ...(patch.clientName !== undefined && { name: patch.clientName }),
        ...(patch.urls !== undefined && { urls: JSON.stringify(patch.urls) }),
        ...(patch.redirectionPoint !== undefined && { redirection_point: patch.redirectionPoint }),
        ...(patch.latitude !== undefined && { latitude: patch.latitude }),
        ...(patch.longitude !== undefined && { longitude: patch.longitude }),
      };
      // As `PATCH /groups/{id}`: a body with nothing to change (`{}`, or only keys ignored) is a mistake.
      if (Object.keys(columns).length === 0) throw new ApiError('invalidRequest', "missing required key: 'clientName', 'urls', 'redirectionPoint', 'latitude' or 'longitude'");
      const fields = (['clientName', 'urls', 'redirectionPoint', 'latitude', 'longitude'] as const).filter((k) => patch[k] !== undefined);
      await store.transaction(async (tx) => {
        if (!(await tx.providers.update(actor.providerId, columns))) throw new ApiError('notFound', 'Provider not found.');
        await audit(tx, actor, 'provider.update', { target: ['provider', actor.providerId], details: { fields } });
      });
    },

    /**
     * `DELETE /provider`: supports and login caveats go by cascade; tokens it issued or holds
     * die with it; its certificate stops working because every request looks the provider up.
     */
    async remove(actor: ProviderActor): Promise<void> {
      await store.transaction(async (tx) => {
        await tx.tokens.deleteByIssuer('provider', actor.providerId);
        if (!(await tx.providers.delete(actor.providerId))) throw new ApiError('notFound', 'Provider not found.');
        await audit(tx, actor, 'provider.delete', { target: ['provider', actor.providerId] });
      });
    },

    /** `GET /provider/token` (extension): a provider token, for deployments where mutual TLS cannot reach the zone. */
    async mintToken(actor: ProviderActor): Promise<string> {
      if (actor.scoped) throw SCOPED_MINT;
      const id = ids();
      const now = clock();
      const expiresAt = now + config.accessTokenTtl;
      await store.transaction(async (tx) => {
        await tx.tokens.insertAccess(id, { type: 'provider', id: actor.providerId }, now, expiresAt);
        await audit(tx, actor, 'token.mint', { target: ['provider', actor.providerId], details: { tokenId: id, type: PROVIDER_TOKEN_TYPE } });
      });
      metrics.tokenMinted(PROVIDER_TOKEN_TYPE);
      return mintToken(masterKey, config.zoneName, id, [tokenTypeCaveat(PROVIDER_TOKEN_TYPE), timeCaveat(expiresAt)]);
    },

    /**
     * The provider a token authenticates; undefined when the token is not a provider token at
     * all (so that the caller tries it as a user's), a 401 when it is one but no longer valid.
     */
    async authenticateToken(text: string, request?: () => RequestScope): Promise<ProviderActor | undefined> {
      const claims = verifyToken(masterKey, text);
      if (!claims || claims.type !== PROVIDER_TOKEN_TYPE) return undefined;
      if (hasRequestCaveats(claims) && !(request && allowsRequest(claims, request()))) throw badToken(REQUEST_REFUSED);
      const row = await store.providers.tokenSubject(claims.id);
      if (!row || row.kind !== 'access') throw badToken();
      const notAfter = Math.min(claims.notAfter ?? Infinity, row.expires_at ?? Infinity);
      if (clock() >= notAfter) throw badToken('Provided access token has expired.');
      if (row.revoked) throw badToken('Provided access token has been revoked.');
      return narrowed(claims, row.expires_at) ? { kind: 'provider', providerId: row.providerId, scoped: true } : { kind: 'provider', providerId: row.providerId };
    },

    /**
     * The provider a TLS client certificate authenticates: signed by the zone CA, within its
     * validity, and the very certificate issued to a provider that still exists.
     */
    async authenticateCert(der: Buffer): Promise<ProviderActor | undefined> {
      const { providerIdFromCert } = await certs();
      const providerId = await providerIdFromCert(zoneCa, der);
      if (providerId === null) return undefined;
      const expected = await store.providers.certFingerprint(providerId);
      return expected === fingerprint(der) ? { kind: 'provider', providerId } : undefined;
    },
  };
}

export type ProviderService = ReturnType<typeof providerService>;
