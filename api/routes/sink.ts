import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { SinkStats } from '../../processors/sink/sink.js';

/** What `GET /v1/sink` answers: the sink of this process, and its consumer group's lag as Kafka tells. */
export interface SinkStatus {
  /** process: this process runs the sink; none: it runs elsewhere (only the lag is known here). */
  source: 'process' | 'none';
  stats: SinkStats | null;
  /** Messages on the sink's topics not yet committed by its group (stored); null when Kafka does not answer. */
  lag: number | null;
}

const SinkStatusSchema = Type.Object({
  source: Type.String({ description: 'process: this process runs the sink; none: it runs in another process (only its lag is known)' }),
  state: Type.String({ description: 'ok, failing (inserts fail: ClickHouse down, disk full or read-only; offsets stay uncommitted, nothing is lost) or unknown' }),
  failingSince: Type.Union([Type.String(), Type.Null()]),
  failedInserts: Type.Integer({ description: 'inserts failed in a row' }),
  lastError: Type.Union([Type.Object({ message: Type.String(), at: Type.String() }), Type.Null()]),
  lastFlushAt: Type.Union([Type.String(), Type.Null()]),
  buffered: Type.Integer({ description: 'messages consumed and not yet stored' }),
  rowsInserted: Type.Record(Type.String(), Type.Integer()),
  lag: Type.Union([Type.Integer(), Type.Null()], { description: 'messages not yet stored and committed by the sink group' }),
}, { additionalProperties: true });

/** `GET /v1/sink`: whether the ClickHouse sink stores what Kafka holds, or is failing and since when. */
export function sinkRoutes(app: FastifyInstance, deps: { status: (() => Promise<SinkStatus>) | null }): void {
  app.get('/v1/sink', {
    config: { role: 'analyst' },
    schema: { summary: 'The ClickHouse sink: ok or failing, its last error and its lag', tags: ['connectors'], response: { 200: SinkStatusSchema } },
  }, async () => {
    const status = deps.status ? await deps.status() : { source: 'none' as const, stats: null, lag: null };
    const s = status.stats;
    return {
      source: status.source,
      state: s?.state ?? 'unknown',
      failingSince: s?.failingSince ?? null,
      failedInserts: s?.failedInserts ?? 0,
      lastError: s?.lastError ?? null,
      lastFlushAt: s?.lastFlushAt ?? null,
      buffered: s?.buffered ?? 0,
      rowsInserted: s?.rowsInserted ?? {},
      lag: status.lag,
    };
  });
}
