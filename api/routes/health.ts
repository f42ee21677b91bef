import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { ClickHouse } from '../../core/clickhouse.js';
import { AppwardenError } from '../../core/errors.js';
import { ErrorBodySchema } from '../schemas.js';

export function healthRoutes(app: FastifyInstance, deps: { clickhouse: ClickHouse; ready?: () => boolean }): void {
  // Probes are not callers: no rate limit.
  app.get('/healthz', {
    config: { rateLimit: false },
    schema: { summary: 'Liveness: the process answers', tags: ['health'], response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
  }, async () => ({ status: 'ok' }));

  app.get('/readyz', {
    config: { rateLimit: false },
    schema: {
      summary: 'Readiness: ClickHouse answers and start-up is complete',
      tags: ['health'],
      response: { 200: Type.Object({ status: Type.Literal('ready') }), 503: ErrorBodySchema },
    },
  }, async () => {
    if (deps.ready && !deps.ready()) throw new AppwardenError('AW_NOT_READY', 'start-up is not complete');
    try {
      await deps.clickhouse.query('SELECT 1 AS ok');
    } catch (err) {
      throw new AppwardenError('AW_NOT_READY', 'ClickHouse does not answer', { cause: err });
    }
    return { status: 'ready' };
  });
}
