import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Database, LoginCaveatsTable, ProvidersTable } from './schema.js';

export type ProviderRow = Selectable<ProvidersTable>;
export type LoginCaveatRow = Selectable<LoginCaveatsTable>;

export function providersRepo(db: Kysely<Database>) {
  return {
    async insert(row: ProviderRow): Promise<void> {
      await db.insertInto('providers').values(row).execute();
    },

    byId(id: string): Promise<ProviderRow | undefined> {
      return db.selectFrom('providers').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /** The certificate fingerprint a provider authenticates with, when the provider exists. */
    async certFingerprint(id: string): Promise<string | undefined> {
      const row = await db.selectFrom('providers').select('cert_fingerprint').where('id', '=', id).executeTakeFirst();
      return row?.cert_fingerprint;
    },

    async update(id: string, patch: Updateable<ProvidersTable>): Promise<boolean> {
      const res = await db.updateTable('providers').set(patch).where('id', '=', id).executeTakeFirst();
      return res.numUpdatedRows > 0n;
    },

    /** Supports and login caveats go by cascade. */
    async delete(id: string): Promise<boolean> {
      const res = await db.deleteFrom('providers').where('id', '=', id).executeTakeFirst();
      return res.numDeletedRows > 0n;
    },

    async list(): Promise<string[]> {
      const rows = await db.selectFrom('providers').select('id').orderBy('id').execute();
      return rows.map((r) => r.id);
    },

    /** Adds support; false (and the size unchanged) when the provider supports the space already. */
    async addSupport(spaceId: string, providerId: string, size: number, now: number): Promise<boolean> {
      const res = await db
        .insertInto('space_supports')
        .values({ space_id: spaceId, provider_id: providerId, size, created_at: now })
        .onConflict((oc) => oc.columns(['space_id', 'provider_id']).doNothing())
        .executeTakeFirst();
      return (res.numInsertedOrUpdatedRows ?? 0n) > 0n;
    },

    async removeSupport(spaceId: string, providerId: string): Promise<boolean> {
      const res = await db
        .deleteFrom('space_supports')
        .where('space_id', '=', spaceId)
        .where('provider_id', '=', providerId)
        .executeTakeFirst();
      return res.numDeletedRows > 0n;
    },

    async supports(spaceId: string, providerId: string): Promise<boolean> {
      const row = await db
        .selectFrom('space_supports')
        .select('size')
        .where('space_id', '=', spaceId)
        .where('provider_id', '=', providerId)
        .executeTakeFirst();
      return row !== undefined;
    },

    /** `providersSupports` of a space: provider id -> size in bytes. */
    async supportsOf(spaceId: string): Promise<Record<string, number>> {
      const rows = await db
        .selectFrom('space_supports')
        .select(['provider_id', 'size'])
        .where('space_id', '=', spaceId)
        .orderBy('provider_id')
        .execute();
      return Object.fromEntries(rows.map((r) => [r.provider_id, Number(r.size)]));
    },

    async spacesOf(providerId: string): Promise<string[]> {
      const rows = await db
        .selectFrom('space_supports')
        .select('space_id')
        .where('provider_id', '=', providerId)
        .orderBy('space_id')
        .execute();
      return rows.map((r) => r.space_id);
    },

    async providersOf(spaceId: string): Promise<string[]> {
      const rows = await db
        .selectFrom('space_supports')
        .select('provider_id')
        .where('space_id', '=', spaceId)
        .orderBy('provider_id')
        .execute();
      return rows.map((r) => r.provider_id);
    },

    /** A provider token's state, with its provider (absent when either is gone). */
    tokenSubject(tokenId: string) {
      return db
        .selectFrom('tokens')
        .innerJoin('providers', 'providers.id', 'tokens.issuer_id')
        .select(['tokens.kind', 'tokens.revoked', 'tokens.expires_at', 'providers.id as providerId'])
        .where('tokens.id', '=', tokenId)
        .where('tokens.issuer_type', '=', 'provider')
        .executeTakeFirst();
    },

    async insertLoginCaveat(row: LoginCaveatRow): Promise<void> {
      await db.insertInto('login_caveats').values(row).execute();
    },

    loginCaveat(id: string): Promise<LoginCaveatRow | undefined> {
      return db.selectFrom('login_caveats').selectAll().where('id', '=', id).executeTakeFirst();
    },
  };
}
