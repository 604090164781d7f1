import type { Insertable, Kysely, Selectable } from 'kysely';
import { type Dialect, prepared } from './db.js';
import type { AuditEventsTable, Database } from './schema.js';

export type AuditRow = Selectable<AuditEventsTable>;
export type NewAuditEvent = Insertable<AuditEventsTable>;

export interface AuditQuery {
  /** Only events with a larger id. */
  after?: number;
  /** Only events with an id up to this. */
  upTo?: number;
  limit: number;
  targetType?: string;
  targetId?: string;
  actorId?: string;
}

// Written by every state change (a join among them): compiled once (db.ts `prepared`).
const COLUMNS = ['at', 'actor_type', 'actor_id', 'action', 'target_type', 'target_id', 'subject_type', 'subject_id', 'details'] as const;
const insertRow = prepared((db, ...values: unknown[]) =>
  db.insertInto('audit_events').values(Object.fromEntries(COLUMNS.map((c, i) => [c, values[i]])) as NewAuditEvent),
);

export function auditRepo(db: Kysely<Database>, dialect: Dialect) {
  return {
    /**
     * SQLite has one writer, so ids are in commit order. PostgreSQL takes an id from a sequence at
     * the insert, and transactions commit in their own order: a smaller id may still appear.
     */
    idsInCommitOrder: dialect === 'sqlite',

    /** Call with the store of the transaction that makes the change. */
    async record(event: NewAuditEvent): Promise<void> {
      const full = {
        ...event,
        actor_id: event.actor_id ?? null,
        subject_type: event.subject_type ?? null,
        subject_id: event.subject_id ?? null,
        details: event.details ?? null,
      };
      await insertRow(db, ...COLUMNS.map((c) => full[c]));
    },

    async lastId(): Promise<number> {
      const row = await db.selectFrom('audit_events').select((eb) => eb.fn.max('id').as('last')).executeTakeFirst();
      return Number(row?.last ?? 0);
    },

    /** Events in id order, after `after`, at most `limit`, narrowed by target and actor when given. */
    list(q: AuditQuery): Promise<AuditRow[]> {
      let query = db.selectFrom('audit_events').selectAll().orderBy('id').limit(q.limit);
      if (q.after !== undefined) query = query.where('id', '>', q.after);
      if (q.upTo !== undefined) query = query.where('id', '<=', q.upTo);
      if (q.targetType !== undefined) query = query.where('target_type', '=', q.targetType);
      if (q.targetId !== undefined) query = query.where('target_id', '=', q.targetId);
      if (q.actorId !== undefined) query = query.where('actor_id', '=', q.actorId);
      return query.execute();
    },
  };
}
