import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../metrics.js';

/** The route label of requests that no route matched (404): one series, whatever their URLs. */
export const NO_ROUTE = 'unmatched';

/**
 * Counts and times every answered request by its route pattern: never the raw URL, whose values
 * are unbounded (each would be a series of its own) and carry ids. Closing the app stops the
 * monitors the metrics run, so that a closed zone leaves nothing behind in its process.
 */
export function registerMetrics(app: FastifyInstance, metrics: Pick<Metrics, 'request' | 'stop'>): void {
  // A callback hook: synchronous work, so no promise per request.
  app.addHook('onResponse', (request, reply, done) => {
    metrics.request(request.method, request.routeOptions.url ?? NO_ROUTE, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  app.addHook('onClose', (_app, done) => {
    metrics.stop();
    done();
  });
}
