import { ApiError } from '../errors.js';
import type { AuditRow } from '../store/audit.js';
import type { Store } from '../store/index.js';
import type { Actor } from './actor.js';
import type { Authorizer } from './authorize.js';
import type { Deps } from './deps.js';

/** Who changed something: an authenticated user or provider, or the zone itself (bootstrap). */
export type AuditActor = { kind: 'user'; userId: string } | { kind: 'provider'; providerId: string } | { kind: 'zone' } | { kind: 'nobody' };

/** A token's issuer as the actor of what it does. */
export const issuerActor = (issuer: { type: 'user' | 'provider'; id: string }): AuditActor =>
  issuer.type === 'user' ? { kind: 'user', userId: issuer.id } : { kind: 'provider', providerId: issuer.id };

/** What an event can be done to (or name as its subject). */
export const AUDIT_ENTITY_TYPES = ['space', 'group', 'user', 'provider', 'zone'] as const;
export type AuditEntityType = (typeof AUDIT_ENTITY_TYPES)[number];

/** An entity as the trail names it: `['space', id]`, `['user', id]`, … */
export type AuditRef = readonly [type: AuditEntityType, id: string];

export interface AuditEvent {
  target: AuditRef;
  subject?: AuditRef;
  /** Small and never secret: privileges, a token's id and type; never its text, a password or a key. */
  details?: Record<string, unknown>;
}

export const ZONE: AuditActor = { kind: 'zone' };

/**
 * The audit helper of a service: `audit(tx, actor, 'space.user.join', { target, subject, details })`
 * records one event with the store of the transaction that makes the change, so an acknowledged
 * change always has its event and a rolled-back one never does.
 */
export function auditor({ clock }: Pick<Deps, 'clock'>) {
  return (tx: Store, actor: AuditActor, action: string, event: AuditEvent): Promise<void> =>
    tx.audit.record({
      at: clock(),
      ...actorColumns(actor),
      action,
      target_type: event.target[0],
      target_id: event.target[1],
      subject_type: event.subject?.[0] ?? null,
      subject_id: event.subject?.[1] ?? null,
      details: event.details === undefined ? null : JSON.stringify(event.details),
    });
}

export type Audit = ReturnType<typeof auditor>;

function actorColumns(actor: AuditActor): { actor_type: 'user' | 'provider' | 'zone'; actor_id: string | null } {
  switch (actor.kind) {
    case 'user':
      return { actor_type: 'user', actor_id: actor.userId };
    case 'provider':
      return { actor_type: 'provider', actor_id: actor.providerId };
    case 'zone':
      return { actor_type: 'zone', actor_id: null };
    default:
      // Authorization lets no anonymous caller change state; if one did, the change rolls back.
      throw new Error('audit: a state change without an authenticated actor');
  }
}

export const AUDIT_MAX_LIMIT = 1000;
/** Ids a page filtered by `targetId` or `actorId` alone reads at most (a few milliseconds). */
export const AUDIT_SCAN_WINDOW = 20_000;

export interface AuditListQuery {
  after?: number;
  limit?: number;
  targetType?: string;
  targetId?: string;
  actorId?: string;
}

/**
 * How long after its event a change may still commit (on PostgreSQL): longer than a join waits
 * for its invite's row, or any other write between its event and its commit, by far.
 */
export const AUDIT_COMMIT_GRACE_S = 10;

/**
 * The events up to the first missing id behind which a younger event than `young` lies: that id
 * may belong to a transaction that has not committed yet, and a reader paging with `after` would
 * step over it for good. Older gaps are rollbacks (or commits a reader has had time to see).
 */
export function beforeYoungGap(rows: AuditRow[], after: number, young: number): AuditRow[] {
  let expected = after + 1;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (row.id !== expected && row.at >= young) return rows.slice(0, i);
    expected = row.id + 1;
  }
  return rows;
}

/** Reading the trail (extension `GET /audit`): zone admins, who hold `view_privileges`. */
export function auditService({ store, clock }: Deps, authorize: Authorizer) {
  return {
    async list(actor: Actor, q: AuditListQuery): Promise<{ events: AuditRow[]; next: number | undefined }> {
      await authorize.zone(actor, 'view_privileges');
      const limit = q.limit ?? 100;
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > AUDIT_MAX_LIMIT) {
        throw new ApiError('invalidRequest', `invalid 'limit' value: must be a whole number from 1 to ${AUDIT_MAX_LIMIT}`);
      }
      const after = q.after ?? 0;
      // Only (target type, target id) has an index: other filters read a bounded stretch of ids
      // a page, so that no request scans the whole trail (on SQLite, on the zone's own thread).
      const unindexed = q.targetType === undefined && (q.targetId !== undefined || q.actorId !== undefined);
      const upTo = unindexed ? after + AUDIT_SCAN_WINDOW : undefined;
      const rows = await store.audit.list({ ...q, limit, upTo });
      const filtered = unindexed || q.targetType !== undefined;
      const events = store.audit.idsInCommitOrder || filtered ? rows : beforeYoungGap(rows, after, clock() - AUDIT_COMMIT_GRACE_S);
      // A full page may have more behind it, and so may one held back: the client asks again from
      // the last id (a page held back to nothing says nothing: the reader asks again later). A
      // bounded stretch that ran out goes on from its end, if the trail does.
      if (events.length === limit || events.length < rows.length) return { events, next: events.at(-1)?.id };
      if (upTo !== undefined && (await store.audit.lastId()) > upTo) return { events, next: upTo };
      return { events, next: undefined };
    },
  };
}

export type AuditService = ReturnType<typeof auditService>;
