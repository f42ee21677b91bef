import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { InstanceStatus } from '../../ingestors/runtime/instance-runner.js';

const NullableString = Type.Union([Type.String(), Type.Null()]);
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

// Open objects: a field the runtime adds later is answered, not silently dropped by the serializer.
const StreamStatusSchema = Type.Object({
  stream: Type.String(),
  kind: Type.String({ description: 'activities or snapshot' }),
  state: Type.String({ description: 'waiting, running, idle or error' }),
  fetched: Type.Integer({ description: 'records received from the provider since start' }),
  published: Type.Integer({ description: 'events Kafka acknowledged since start' }),
  deadLettered: Type.Integer(),
  repeated: Type.Integer({ description: 're-read records already published by this process' }),
  readUntil: Type.Union([Type.String({ description: 'everything the provider timestamped before this instant has been read' }), Type.Null()]),
  freshnessMs: NullableNumber,
  lastRunStartedAt: NullableString,
  lastSuccessAt: NullableString,
  nextRunAt: NullableString,
  lastError: Type.Union([Type.Object({ code: Type.String(), message: Type.String(), at: Type.String() }), Type.Null()]),
}, { additionalProperties: true });

const InstanceStatusSchema = Type.Object({
  provider: Type.String(),
  instance: Type.String(),
  phase: Type.String({ description: 'starting, validating, scanning_accounts, running, error or stopped' }),
  credentials: Type.Union([Type.Object({
    ok: Type.Boolean(),
    permissions: Type.Array(Type.String(), { description: 'permissions the credentials were seen to carry' }),
    missing: Type.Array(Type.Object({ capability: Type.String(), reason: Type.String() }, { additionalProperties: true })),
  }, { additionalProperties: true }), Type.Null()]),
  streams: Type.Array(StreamStatusSchema),
  http: Type.Union([Type.Object({
    requests: Type.Integer(),
    retries: Type.Integer(),
    throttled: Type.Integer(),
    throttleWaitMs: Type.Number(),
    errors: Type.Integer(),
    pausedUntil: NullableNumber,
  }, { additionalProperties: true }), Type.Null()]),
}, { additionalProperties: true });

/**
 * `GET /v1/connectors`: every connector instance this process runs, with its phase, the
 * permissions its credentials carry, and per stream the records fetched, events published,
 * dead letters, throttling waits and freshness.
 */
export function connectorRoutes(app: FastifyInstance, deps: { statuses: () => InstanceStatus[] }): void {
  app.get('/v1/connectors', {
    config: { role: 'analyst' },
    schema: {
      summary: 'Connector instances: health, scan progress, freshness and throttling',
      tags: ['connectors'],
      response: { 200: Type.Object({ items: Type.Array(InstanceStatusSchema) }) },
    },
  }, async () => ({ items: deps.statuses() }));
}
