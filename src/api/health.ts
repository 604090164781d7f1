import { Type } from 'typebox';
import { ApiError } from '../errors.js';
import type { Store } from '../store/index.js';
import type { Api } from './types.js';

const Status = Type.Object({ status: Type.String() });

/**
 * Probes for process managers and load balancers, at the server root (outside the API prefix)
 * and without credentials. `/health`: the process is up. `/ready`: it can reach its database,
 * so a balancer should send it requests. While the server shuts down both answer 503.
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
        await store.health.ping();
      } catch (err) {
        req.log.warn({ err }, 'database not reachable');
        throw new ApiError('unavailable', 'The database is not reachable.');
      }
      return { status: 'ok' };
    },
  );
}
