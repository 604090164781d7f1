import { type Insertable, type Kysely, type Selectable, sql } from 'kysely';
import { type Dialect, prepared } from './db.js';
import type { Database, TokensTable, TokenTarget } from './schema.js';

export type TokenRow = Selectable<TokensTable>;

// The queries every authenticated request, join and mint runs: compiled once (db.ts `prepared`).
const COLUMNS = ['id', 'kind', 'type', 'issuer_type', 'issuer_id', 'target_type', 'target_id', 'privileges', 'usage_limit', 'usage_count', 'expires_at', 'revoked', 'created_at'] as const;
const insertRow = prepared((db, ...values: unknown[]) =>
  db.insertInto('tokens').values(Object.fromEntries(COLUMNS.map((c, i) => [c, values[i]])) as Insertable<TokensTable>),
);
const selectById = prepared((db, id: string) => db.selectFrom('tokens').selectAll().where('id', '=', id), { cached: true });
const selectSubject = prepared((db, id: string) =>
  db
    .selectFrom('tokens')
    .innerJoin('users', 'users.id', 'tokens.issuer_id')
    // The user's columns too: the request that authenticates often needs them (GET /user).
    .select([
      'tokens.kind',
      'tokens.revoked',
      'tokens.expires_at',
      'users.id as userId',
      'users.login',
      'users.name',
      'users.alias',
      'users.email_list',
      'users.default_space_id',
      'users.created_at as user_created_at',
    ])
    .where('tokens.id', '=', id)
    .where('tokens.issuer_type', '=', 'user'),
  { cached: true },
);
// The checks of a use, made again by the statement that counts it: on PostgreSQL it takes the
// row's lock, so whatever another transaction did to the token before is seen here, and whatever
// it does after waits for this commit.
const incrementUse = prepared((db, id: string, now: number) =>
  db
    .updateTable('tokens')
    .set((eb) => ({ usage_count: eb('usage_count', '+', 1) }))
    .where('id', '=', id)
    .where('revoked', '=', 0)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .where((eb) => eb.or([eb('usage_limit', 'is', null), eb('usage_count', '<', eb.ref('usage_limit'))])),
);

/** A token naming an issuer or target that no longer exists (read inside `delete from tokens`). */
const orphaned = sql`(
  (tokens.issuer_type = 'user' and not exists (select 1 from users where users.id = tokens.issuer_id))
  or (tokens.issuer_type = 'provider' and not exists (select 1 from providers where providers.id = tokens.issuer_id))
  or (tokens.target_type = 'space' and not exists (select 1 from spaces where spaces.id = tokens.target_id))
  or (tokens.target_type = 'group' and not exists (select 1 from groups where groups.id = tokens.target_id))
  or (tokens.target_type = 'user' and not exists (select 1 from users where users.id = tokens.target_id)))`;

/**
 * Rows one purge step reads (SQLite: a step of 2,000 rows, each checked for expiry and for its
 * issuer and target, takes a few milliseconds of the zone's thread) or deletes (PostgreSQL).
 */
const PURGE_WINDOW = { sqlite: 2_000, postgres: 10_000 };

export function tokensRepo(db: Kysely<Database>, dialect: Dialect) {
  return {
    async insert(row: Insertable<TokensTable>): Promise<void> {
      // Every column, in one order, so that one compiled statement serves every caller.
      const full: Selectable<TokensTable> = {
        ...row,
        target_type: row.target_type ?? null,
        target_id: row.target_id ?? null,
        privileges: row.privileges ?? null,
        usage_limit: row.usage_limit ?? null,
        usage_count: row.usage_count ?? 0,
        expires_at: row.expires_at ?? null,
        revoked: row.revoked ?? 0,
      };
      await insertRow(db, ...COLUMNS.map((c) => full[c]));
    },

    /** Records an access token of a user or provider: no target, no use limit. */
    insertAccess(id: string, issuer: { type: 'user' | 'provider'; id: string }, createdAt: number, expiresAt: number): Promise<void> {
      return this.insert({ id, kind: 'access', type: 'access', issuer_type: issuer.type, issuer_id: issuer.id, expires_at: expiresAt, created_at: createdAt });
    },

    async byId(id: string): Promise<TokenRow | undefined> {
      return (await selectById(db, id)).rows[0];
    },

    /** An access token's state together with its user (absent when either is gone). */
    async accessTokenSubject(id: string) {
      return (await selectSubject(db, id)).rows[0];
    },


    /**
     * Counts one use of a token that is, at `now` (Unix seconds), neither revoked nor expired nor
     * used up; true when counted. On PostgreSQL the row stays locked until the transaction ends.
     */
    async countUse(id: string, now: number): Promise<boolean> {
      return ((await incrementUse(db, id, now)).numAffectedRows ?? 0n) > 0n;
    },

    /** Tokens a user or provider issued (invites) or owns (access tokens), oldest first. */
    ofIssuer(type: 'user' | 'provider', id: string): Promise<TokenRow[]> {
      return db
        .selectFrom('tokens')
        .selectAll()
        .where('issuer_type', '=', type)
        .where('issuer_id', '=', id)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
    },

    /** False when there is no such token, or its flag already is `revoked`. */
    async setRevoked(id: string, revoked: boolean): Promise<boolean> {
      const flag = revoked ? 1 : 0;
      const res = await db.updateTable('tokens').set({ revoked: flag }).where('id', '=', id).where('revoked', '<>', flag).executeTakeFirst();
      return res.numUpdatedRows > 0n;
    },

    async delete(id: string): Promise<boolean> {
      const res = await db.deleteFrom('tokens').where('id', '=', id).executeTakeFirst();
      return res.numDeletedRows > 0n;
    },

    /**
     * One step of deleting the tokens that expired before `before` (Unix seconds), and those whose
     * issuer or target is gone (a mint racing the deletion of what it names can leave one behind:
     * it is refused on use, but listed): how many went, and where the next step starts (undefined:
     * done). There is no index on expiry (it cost every mint about a tenth of its time), so each
     * step reads a bounded part of the table: on SQLite, where the statement runs on the zone's own
     * thread, PURGE_WINDOW rows by rowid; on PostgreSQL, whose server scans on its own, up to
     * PURGE_WINDOW such rows at a time.
     */
    async purge(before: number, from: number, window = PURGE_WINDOW[dialect]): Promise<{ deleted: number; next: number | undefined }> {
      const doomed = sql`(expires_at < ${before} or ${orphaned})`;
      if (dialect === 'postgres') {
        const res = await sql`delete from tokens where ctid in (select ctid from tokens where ${doomed} limit ${window})`.execute(db);
        const deleted = Number(res.numAffectedRows ?? 0n);
        return { deleted, next: deleted === window ? from : undefined };
      }
      const to = from + window;
      const res = await sql`delete from tokens where rowid > ${from} and rowid <= ${to} and ${doomed}`.execute(db);
      const { rows } = await sql<{ last: number | null }>`select max(rowid) as last from tokens`.execute(db);
      return { deleted: Number(res.numAffectedRows ?? 0n), next: (rows[0]?.last ?? 0) > to ? to : undefined };
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
