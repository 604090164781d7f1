import { type HttpTransport, getJson } from './http.js';

export interface AuditEvent {
  id: number;
  /** Unix seconds. */
  at: number;
  actorType: 'user' | 'provider' | 'zone';
  actorId: string | null;
  /** e.g. `space.user.join`, `token.revoke`, `group.nested.add`. */
  action: string;
  targetType: string;
  targetId: string;
  subjectType: string | null;
  subjectId: string | null;
  details: Record<string, unknown> | null;
}

export interface AuditQuery {
  /** Only events with a larger id (the `next` of the previous page). */
  after?: number;
  /** 1 to 1000; default 100. */
  limit?: number;
  targetType?: string;
  targetId?: string;
  actorId?: string;
}

export interface AuditPage {
  events: AuditEvent[];
  /** Present when more events may follow: pass it as `after`. */
  next?: number;
}

/** Extension: the audit trail (zone administrators). */
export function auditApi(http: HttpTransport) {
  return {
    list: async (query: AuditQuery = {}) => {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
      const qs = params.toString();
      return getJson<AuditPage>(http, qs ? `/audit?${qs}` : '/audit');
    },
  };
}
