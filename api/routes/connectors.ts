import type { FastifyInstance } from 'fastify';
import type { InstanceStatus } from '../../ingestors/runtime/instance-runner.js';

/**
 * `GET /v1/connectors`: every connector instance this process runs, with its phase, the
 * permissions its credentials carry, and per stream the records fetched, events published,
 * dead letters, throttling waits and freshness.
 */
export function connectorRoutes(app: FastifyInstance, deps: { statuses: () => InstanceStatus[] }): void {
  app.get('/v1/connectors', {
    schema: { summary: 'Connector instances: health, scan progress, freshness and throttling', tags: ['connectors'] },
  }, async () => ({ items: deps.statuses() }));
}
