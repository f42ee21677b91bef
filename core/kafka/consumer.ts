import type { IHeaders, Kafka, KafkaMessage as KafkaJsMessage } from 'kafkajs';
import type { Logger } from '../logger.js';
import { kafkaError } from './errors.js';
import type { ConsumedRecord, ConsumeOptions, ConsumerHandle, ProcessedPosition, TopicPartition } from './types.js';

/**
 * Starts one consumer group member. Offsets are committed only when the handler (or the caller
 * through the handle) says so; a batch whose handler threw is fetched again. `onStop` runs once the
 * member has left the group.
 */
export async function startConsumer(kafka: Kafka, log: Logger, opts: ConsumeOptions, onStop: (handle: ConsumerHandle) => void): Promise<ConsumerHandle> {
  const consumer = kafka.consumer({
    groupId: opts.groupId,
    allowAutoTopicCreation: false,
    ...(opts.sessionTimeoutMs === undefined ? {} : { sessionTimeout: opts.sessionTimeoutMs }),
    ...(opts.heartbeatIntervalMs === undefined ? {} : { heartbeatInterval: opts.heartbeatIntervalMs }),
    ...(opts.maxWaitTimeMs === undefined ? {} : { maxWaitTimeInMs: opts.maxWaitTimeMs }),
  });
  let assigned: TopicPartition[] = [];
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    assigned = Object.entries(event.payload.memberAssignment).flatMap(([topic, partitions]) =>
      partitions.map((partition) => ({ topic, partition })),
    );
    log.debug({ groupId: opts.groupId, assignment: assigned }, 'joined consumer group');
    opts.onAssignment?.({ memberId: event.payload.memberId, assignment: assigned });
  });
  if (opts.onMembership) {
    const onMembership = opts.onMembership;
    consumer.on(consumer.events.HEARTBEAT, () => onMembership('heartbeat'));
    consumer.on(consumer.events.REBALANCING, () => onMembership('rebalancing'));
  }
  consumer.on(consumer.events.CRASH, (event) => {
    log.error({ err: event.payload.error, groupId: opts.groupId, restart: event.payload.restart }, 'consumer crashed');
  });

  const commit = async (positions: ProcessedPosition[]): Promise<void> => {
    const next = new Map<string, ProcessedPosition>();
    for (const p of positions) {
      const id = `${p.topic}\u0000${p.partition}`;
      const seen = next.get(id);
      if (!seen || seen.offset < p.offset) next.set(id, p);
    }
    if (next.size === 0) return;
    try {
      await consumer.commitOffsets(
        [...next.values()].map((p) => ({ topic: p.topic, partition: p.partition, offset: String(p.offset + 1) })),
      );
    } catch (err) {
      throw kafkaError('commit', err, { groupId: opts.groupId });
    }
  };

  let stopped: Promise<void> | undefined;
  const handle: ConsumerHandle = {
    groupId: opts.groupId,
    commit,
    assignment: () => assigned,
    pause: (only) => consumer.pause((only ?? opts.topics).map((topic) => ({ topic }))),
    resume: (only) => consumer.resume((only ?? opts.topics).map((topic) => ({ topic }))),
    stop: () => {
      stopped ??= consumer.disconnect().finally(() => {
        assigned = [];
        onStop(handle);
      });
      return stopped;
    },
  };

  try {
    await consumer.connect();
    await consumer.subscribe({ topics: opts.topics, fromBeginning: opts.fromBeginning });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const records = batch.messages.map((m) => toRecord(batch.topic, batch.partition, m));
        const last = records[records.length - 1];
        if (!last) return;
        await opts.eachBatch(
          { topic: batch.topic, partition: batch.partition, records, highWatermark: Number(batch.highWatermark) },
          {
            commit: () => commit([last]),
            heartbeat,
            isRunning: () => isRunning() && !isStale(),
          },
        );
        // Resolving only after the handler returned means a failed batch is fetched again.
        resolveOffset(String(last.offset));
        await heartbeat();
      },
    });
  } catch (err) {
    await consumer.disconnect().catch(() => undefined);
    throw kafkaError('consume', err, { groupId: opts.groupId });
  }
  return handle;
}

function toRecord(topic: string, partition: number, m: KafkaJsMessage): ConsumedRecord {
  return {
    topic,
    partition,
    offset: Number(m.offset),
    key: m.key ?? null,
    value: m.value ?? null,
    headers: decodeHeaders(m.headers),
    timestamp: Number(m.timestamp),
  };
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value !== undefined) out[name] = value.toString();
  }
  return out;
}
