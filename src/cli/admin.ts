import { type AuditEvent, type AuditPage, type AuditQuery, isId } from '../client/index.js';
import { AUDIT_ENTITY_TYPES } from '../domain/audit.js';
import type { Command, Invocation } from './command.js';
import { UsageError } from './errors.js';
import { table } from './output.js';

/** The filters and paging of `GET /audit`, under the names of its query parameters. */
const AUDIT_OPTIONS = {
  'actor-id': { type: 'string' },
  'target-type': { type: 'string' },
  'target-id': { type: 'string' },
  after: { type: 'string' },
  limit: { type: 'string' },
  all: { type: 'boolean' },
} as const;

function auditQuery(opts: Invocation['opts']): AuditQuery {
  // Checked here as the zone checks them: a mistake is a usage error (exit 2), and nothing is sent.
  const whole = (flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined => {
    const text = opts[flag] as string | undefined;
    if (text === undefined) return undefined;
    if (!/^\d{1,15}$/.test(text) || Number(text) < min || Number(text) > max) {
      throw new UsageError(`--${flag} must be a whole number${max < Number.MAX_SAFE_INTEGER ? ` from ${min} to ${max}` : min > 0 ? ` from ${min}` : ''}`);
    }
    return Number(text);
  };
  const id = (flag: string): string | undefined => {
    const text = opts[flag] as string | undefined;
    if (text !== undefined && !isId(text)) throw new UsageError(`--${flag} is not a valid id`);
    return text;
  };
  const targetType = opts['target-type'] as string | undefined;
  if (targetType !== undefined && !(AUDIT_ENTITY_TYPES as readonly string[]).includes(targetType)) {
    throw new UsageError(`--target-type must be one of ${AUDIT_ENTITY_TYPES.join(', ')}`);
  }
  return {
    actorId: id('actor-id'),
    targetType,
    targetId: id('target-id'),
    after: whole('after', 0),
    limit: whole('limit', 1, 1000),
  };
}

/** `--all`: page after page (each of `limit` events) until the zone says none follow. */
async function readAll(list: (q: AuditQuery) => Promise<AuditPage>, query: AuditQuery): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let after = query.after;
  for (;;) {
    const page = await list({ ...query, after });
    events.push(...page.events);
    if (page.next === undefined) return events;
    after = page.next;
  }
}

const ref = (type: string | null, id: string | null) => (type === null ? '-' : id === null ? type : `${type}:${id}`);

const auditTable = (events: readonly AuditEvent[]): string =>
  table(
    ['ID', 'TIME (UTC)', 'ACTOR', 'ACTION', 'TARGET', 'SUBJECT', 'DETAILS'],
    events.map((e) => [
      String(e.id),
      new Date(e.at * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      ref(e.actorType, e.actorId),
      e.action,
      ref(e.targetType, e.targetId),
      ref(e.subjectType, e.subjectId),
      e.details === null ? '' : JSON.stringify(e.details),
    ]),
  );

/** Commands for zone administrators (holders of the Onezone `view_privileges`). */
export const adminCommands: Command[] = [
  {
    name: 'audit',
    params: '[--actor-id ID] [--target-type TYPE] [--target-id ID] [--after EVENT_ID] [--limit N] [--all]',
    summary: 'Show the audit trail, oldest first, one page (--all: every page); zone administrators',
    options: AUDIT_OPTIONS,
    arity: [0, 0],
    async run(ctx, { opts }) {
      const query = auditQuery(opts);
      const audit = ctx.client().audit;
      if (opts.all === true) {
        const events = await readAll(audit.list, query);
        ctx.out.print({ events }, () => auditTable(events));
        return;
      }
      const page = await audit.list(query);
      ctx.out.print(page, () => auditTable(page.events) + (page.next === undefined ? '' : `More events follow: add --after ${page.next}, or use --all.\n`));
    },
  },
  {
    name: 'metrics',
    params: '',
    summary: "Print the zone's metrics in Prometheus text format; zone administrators",
    arity: [0, 0],
    async run(ctx) {
      const text = await ctx.client().zone.metrics();
      ctx.out.print({ metrics: text }, () => text);
    },
  },
];
