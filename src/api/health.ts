import { Type } from 'typebox';
import { ApiError } from '../errors.js';
import type { Store } from '../store/index.js';
import type { Api } from './types.js';

const Status = Type.Object({ status: Type.String() });

/** How long `/ready` waits for the database: a database that hangs must not hang the probe too. */
const READY_TIMEOUT_MS = 2_000;

/**
 * Probes for process managers and load balancers, at the server root (outside the API prefix)
 * and without credentials. `/health`: the process is up. `/ready`: it can reach its database,
 * so a balancer should send it requests (503 when it cannot, or gets no answer within
 * READY_TIMEOUT_MS). While the server shuts down both answer 503.
 */
export function healthRoutes(app: Api, store: Store): void {
  const tags = ['Extensions'];

  app.get(
    '/health',
    { config: { auth: 'none' }, schema: { operationId: 'get_health', tags, response: { 200: Status } } },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/ready',
    { config: { auth: 'none' }, schema: { operationId: 'get_ready', tags, response: { 200: Status } } },
    async (req) => {
      try {
        await withTimeout(store.health.ping(), READY_TIMEOUT_MS);
      } catch (err) {
        // Expected while the database is down, probed every few seconds: the cause, no stack.
        req.log.warn({ cause: (err as Error).message }, 'database not reachable');
        throw new ApiError('unavailable', 'The database is not reachable.');
      }
      return { status: 'ok' };
    },
  );
}

function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
