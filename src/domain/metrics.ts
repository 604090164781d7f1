import type { Actor } from './actor.js';
import type { Authorizer } from './authorize.js';

export type JoinOutcome = 'joined' | 'already_member' | 'refused';

/** What the rules count; src/metrics.ts turns it into Prometheus series, the domain does not know how. */
export interface DomainMetrics {
  join(outcome: JoinOutcome): void;
  /** `type`: `access`, an invite's RC2 type name, or `provider_access_token`. */
  tokenMinted(type: string): void;
}

/** For services built without metrics (tools that seed a database). */
export const noMetrics: DomainMetrics = { join() {}, tokenMinted() {} };

/** The Prometheus text of the zone's metrics, and its content type. */
export interface Exposition {
  contentType: string;
  text: string;
}

/** `GET /metrics` (extension): for holders of the Onezone `view_privileges` (zone administrators have it). */
export function metricsService(authorize: Authorizer, expose: () => Promise<Exposition>) {
  return {
    async read(actor: Actor): Promise<Exposition> {
      await authorize.zone(actor, 'view_privileges');
      return expose();
    },
  };
}

export type MetricsService = ReturnType<typeof metricsService>;
