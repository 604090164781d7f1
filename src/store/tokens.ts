import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Dialect } from './db.js';
import { forUpdate } from './dialect.js';
import type { Database, TokensTable, TokenTarget } from './schema.js';

export type TokenRow = Selectable<TokensTable>;

export function tokensRepo(db: Kysely<Database>, dialect: Dialect) {
  return {
    async insert(row: Insertable<TokensTable>): Promise<void> {
      await db.insertInto('tokens').values(row).execute();
    },

    byId(id: string): Promise<TokenRow | undefined> {
      return db.selectFrom('tokens').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /** An access token's state together with its user (absent when either is gone). */
    accessTokenSubject(id: string) {
      return db
        .selectFrom('tokens')
        .innerJoin('users', 'users.id', 'tokens.issuer_id')
        .select(['tokens.kind', 'tokens.revoked', 'tokens.expires_at', 'users.id as userId', 'users.login'])
        .where('tokens.id', '=', id)
        .where('tokens.issuer_type', '=', 'user')
        .executeTakeFirst();
    },

    /** Reads the token and, on PostgreSQL, locks its row until the transaction ends. */
    lock(id: string): Promise<TokenRow | undefined> {
      return forUpdate(dialect, db.selectFrom('tokens').selectAll().where('id', '=', id)).executeTakeFirst();
    },

    /** Counts one use unless the limit is reached; true when counted. */
    async countUse(id: string): Promise<boolean> {
      const res = await db
        .updateTable('tokens')
        .set((eb) => ({ usage_count: eb('usage_count', '+', 1) }))
        .where('id', '=', id)
        .where((eb) => eb.or([eb('usage_limit', 'is', null), eb('usage_count', '<', eb.ref('usage_limit'))]))
        .executeTakeFirst();
      return res.numUpdatedRows > 0n;
    },

    async revoke(id: string): Promise<boolean> {
      const res = await db.updateTable('tokens').set({ revoked: 1 }).where('id', '=', id).executeTakeFirst();
      return res.numUpdatedRows > 0n;
    },

    /** Tokens aimed at an entity die with it. */
    async deleteByTarget(type: TokenTarget, id: string): Promise<void> {
      await db.deleteFrom('tokens').where('target_type', '=', type).where('target_id', '=', id).execute();
    },

    /** Tokens issued by (or naming as subject) a user or provider die with it. */
    async deleteByIssuer(type: 'user' | 'provider', id: string): Promise<void> {
      await db.deleteFrom('tokens').where('issuer_type', '=', type).where('issuer_id', '=', id).execute();
    },
  };
}
