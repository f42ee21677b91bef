import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { InstanceStatus } from '../../ingestors/runtime/instance-status.js';

const NullableString = Type.Union([Type.String(), Type.Null()]);
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

// Open objects: a field the runtime adds later is answered, not silently dropped by the serializer.
const StreamStatusSchema = Type.Object({
  stream: Type.String(),
  kind: Type.String({ description: 'activities, snapshot or changes' }),
  state: Type.String({ description: 'waiting, running, idle, error, missing_permission (waits for the next permission check) or not_available (the tenant lacks what it reads, e.g. no license for the product: not an error; tried again every schedule.unavailableRecheckMs)' }),
  notAvailable: Type.Optional(Type.Object({
    reason: Type.String({ description: "what the provider answered, e.g. the Reports API refusing an application the tenant has no license for" }),
    since: Type.String({ description: 'the first pass that found it so' }),
  }, { additionalProperties: true, description: 'set while the state is not_available' })),
  fetched: Type.Integer({ description: 'records received from the provider since start' }),
  published: Type.Integer({ description: 'events Kafka acknowledged since start' }),
  deadLettered: Type.Integer(),
  degraded: Type.Optional(Type.Boolean({ description: 'its dead letters since start passed the threshold (DEGRADED_DEAD_LETTERS, 10): bad input does not stop it, but it needs a look' })),
  repeated: Type.Integer({ description: 're-read records already published by this process' }),
  readUntil: Type.Union([Type.String({ description: 'everything the provider timestamped before this instant has been read' }), Type.Null()]),
  freshnessMs: NullableNumber,
  lastRunStartedAt: NullableString,
  lastSuccessAt: NullableString,
  nextRunAt: NullableString,
  lastError: Type.Union([Type.Object({ code: Type.String(), message: Type.String(), at: Type.String() }), Type.Null()]),
  lastCompletedScan: Type.Optional(Type.Union([Type.Object({
    startedAt: NullableString,
    completedAt: Type.String(),
    records: NullableNumber,
  }, { description: 'snapshots: the last complete scan, saved with the cursor (kept across restarts)' }), Type.Null()])),
  feedRestarts: Type.Optional(Type.Union([Type.Object({
    count: Type.Integer({ description: 'restarts so far' }),
    lastAt: Type.String(),
    parts: Type.Array(Type.String(), { description: 'the parts of the feed restarted the last time (user:<email>, drive:<id>...; * for the whole feed)' }),
    reason: Type.String({ description: "the provider's refusal of the cursor, the last time" }),
  }, { additionalProperties: true, description: "changes: the provider refused the feed's cursor (expired or invalid) and the feed restarted from the present; the scan of its topic then ran early to cover the gap. Saved with the cursor (kept across restarts)" }), Type.Null()])),
}, { additionalProperties: true });

const InstanceStatusSchema = Type.Object({
  provider: Type.String(),
  instance: Type.String(),
  phase: Type.String({ description: 'starting, validating, scanning_accounts, running, error, stopped, or unknown (no runner has recorded a status yet)' }),
  credentials: Type.Union([Type.Object({
    ok: Type.Boolean(),
    permissions: Type.Array(Type.String(), { description: 'permissions the credentials were seen to carry' }),
    missing: Type.Array(Type.Object({
      capability: Type.String(),
      reason: Type.String({ description: '"missing permission: <name> (...)"' }),
      permission: Type.Optional(Type.String({ description: 'the permission a 403 of the provider showed missing' })),
    }, { additionalProperties: true })),
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
  unknownEventTypes: Type.Optional(Type.Array(Type.Object({
    type: Type.String({ description: "the provider's event type (Google: application/name)" }),
    count: Type.Integer({ description: 'events of this type since it was first seen by this process' }),
    firstSeenAt: Type.String(),
    lastSeenAt: Type.String(),
  }, { additionalProperties: true }), {
    description: "event types the provider's table does not know, seen recently (most recent first, at most 100): they have action other and their application's category or other",
  })),
  source: Type.String({ description: 'runner: this process runs the instance; cursors: read from the cursors topic (an API process that runs no connector)' }),
  health: Type.Optional(Type.String({ description: 'connected, connecting, degraded (missing permissions, or a stream over the dead-letter threshold), error, paused or disconnected' })),
  problem: Type.Optional(Type.String({ description: 'why settings changed at run time could not be applied' })),
  reportedAt: Type.Optional(Type.Union([Type.String({ description: 'source cursors: when the runner last recorded its status' }), Type.Null()])),
  worker: Type.Optional(Type.String({ description: 'the connector worker (host:pid) that runs the instance; source cursors: the one that last recorded its status' })),
}, { additionalProperties: true });

/**
 * `GET /v1/connectors`: every connector instance, with its phase, the permissions its credentials
 * carry and those it misses, and per stream the records fetched, events published, dead letters,
 * throttling waits, freshness and last complete scan, and the event types its table does not know
 * seen recently. A process that runs no connector answers
 * from the cursors topic.
 */
export function connectorRoutes(app: FastifyInstance, deps: { statuses: () => InstanceStatus[] | Promise<InstanceStatus[]> }): void {
  app.get('/v1/connectors', {
    config: { role: 'analyst' },
    schema: {
      summary: 'Connector instances: health, scan progress, freshness and throttling',
      tags: ['connectors'],
      response: { 200: Type.Object({ items: Type.Array(InstanceStatusSchema) }) },
    },
  }, async () => ({ items: await deps.statuses() }));
}
