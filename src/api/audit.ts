import { Type } from 'typebox';
import { AUDIT_ENTITY_TYPES, type AuditEntityType } from '../domain/audit.js';
import type { AuditRow } from '../store/audit.js';
import { Id } from './schemas.js';
import type { Routes } from './types.js';

const AuditEvent = Type.Object({
  id: Type.Integer({ description: 'Increasing; pass the last one seen as `after` to read on.' }),
  at: Type.Integer({ description: 'Unix seconds.' }),
  actorType: Type.Union([Type.Literal('user'), Type.Literal('provider'), Type.Literal('zone')]),
  actorId: Type.Union([Type.String(), Type.Null()]),
  action: Type.String({ description: 'e.g. `space.user.join`, `token.revoke`, `group.nested.add`.' }),
  targetType: Type.String(),
  targetId: Type.String(),
  subjectType: Type.Union([Type.String(), Type.Null()]),
  subjectId: Type.Union([Type.String(), Type.Null()]),
  details: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], { description: 'Never a token text, a password or a key.' }),
});

const Digits = (description: string) => Type.String({ pattern: '^[0-9]{1,15}$', description });

const present = (e: AuditRow) => ({
  id: e.id,
  at: e.at,
  actorType: e.actor_type,
  actorId: e.actor_id,
  action: e.action,
  targetType: e.target_type,
  targetId: e.target_id,
  subjectType: e.subject_type,
  subjectId: e.subject_id,
  details: e.details === null ? null : (JSON.parse(e.details) as Record<string, unknown>),
});

/** Extension `GET /audit`: the audit trail, for zone admins (`view_privileges`). */
export const auditRoutes: Routes = (app, { audit }) => {
  app.get(
    '/audit',
    {
      schema: {
        operationId: 'list_audit_events',
        tags: ['Extensions'],
        querystring: Type.Object(
          {
            after: Type.Optional(Digits('Only events with a larger id.')),
            limit: Type.Optional(Digits('At most this many events, 1 to 1000 (default 100).')),
            targetType: Type.Optional(
              Type.Unsafe<AuditEntityType>({ type: 'string', enum: [...AUDIT_ENTITY_TYPES], description: 'What the events were done to.' }),
            ),
            // Ids: a value none can have is refused alike on every database (PostgreSQL cannot compare a NUL).
            targetId: Type.Optional(Id),
            actorId: Type.Optional(Id),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            events: Type.Array(AuditEvent),
            next: Type.Optional(Type.Integer({ description: 'Present when more events may follow: the `after` of the next page.' })),
          }),
        },
      },
    },
    async (req) => {
      const { after, limit, ...filters } = req.query;
      const page = await audit.list(req.actor, {
        ...filters,
        ...(after !== undefined && { after: Number(after) }),
        ...(limit !== undefined && { limit: Number(limit) }),
      });
      return { events: page.events.map(present), ...(page.next !== undefined && { next: page.next }) };
    },
  );
};
