import { Type } from 'typebox';
import type { MetricsService } from '../domain/metrics.js';
import type { Api } from './types.js';

/**
 * `GET /metrics` (extension), at the server root beside `/health`: the zone's metrics in
 * Prometheus' text format, for holders of the Onezone `view_privileges`, with any user credential.
 */
export function metricsRoutes(app: Api, metrics: MetricsService): void {
  app.get(
    '/metrics',
    {
      schema: {
        operationId: 'get_metrics',
        tags: ['Extensions'],
        response: { 200: Type.String({ description: 'Prometheus text exposition format' }) },
      },
    },
    async (req, reply) => {
      const { contentType, text } = await metrics.read(req.actor);
      return reply.type(contentType).send(text);
    },
  );
}
