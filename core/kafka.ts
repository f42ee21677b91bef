import { randomUUID } from 'node:crypto';
import {
  CompressionTypes,
  Kafka,
  logLevel,
  Partitioners,
  type Admin,
  type IHeaders,
  type KafkaMessage as KafkaJsMessage,
  type logCreator,
  type Producer,
} from 'kafkajs';
import { kafkajsSecurity, type KafkaSecurity } from './kafka-security.js';
import { AppwardenError } from './errors.js';
import type { Logger } from './logger.js';

/** The names of Appwarden's topics under one prefix. */
export interface TopicNames {
  audit: string;
  account: string;
  file: string;
  alert: string;
  governanceCommand: string;
  governanceResult: string;
  deadLetter: string;
  /** Compacted: the latest cursor of each connector scan, keyed by scan. */
  cursors: string;
  /** Compacted: the latest state of each governance command, keyed by command id. */
  governanceState: string;
  /** Compacted: the policy processors' windows, histories and open alerts, one key per piece of state. */
  policyState: string;
  /** Compacted: policies deployed through the policy store, current (`id`) and every version (`id@version`). */
  policies: string;
  /** Records matched by a policy that groups by something other than the user, keyed by policy and group. */
  policyRegroup: string;
  /** Compacted: policies proposed in enforce mode by a policy author, waiting for an admin, keyed by policy id. */
  policyProposals: string;
  /** Compacted: the API keys (hashed), keyed by key id. */
  apiKeys: string;
  /** Compacted: connector instances added or changed at run time (credentials as references or encrypted), keyed by `provider/instance`. */
  connections: string;
  /** Append-only: every change made through the API or the CLI (who, role, when, from where, what), JSON. */
  auditTrail: string;
}

export function topicNames(prefix: string): TopicNames {
  return {
    audit: `${prefix}.audit`,
    account: `${prefix}.account`,
    file: `${prefix}.file`,
    alert: `${prefix}.alert`,
    governanceCommand: `${prefix}.governance.command`,
    governanceResult: `${prefix}.governance.result`,
    deadLetter: `${prefix}.deadletter`,
    cursors: `${prefix}.cursors`,
    governanceState: `${prefix}.governance.state`,
    policyState: `${prefix}.policy.state`,
    policies: `${prefix}.policies`,
    policyRegroup: `${prefix}.policy.regroup`,
    policyProposals: `${prefix}.policy.proposals`,
    apiKeys: `${prefix}.api_keys`,
    connections: `${prefix}.connections`,
    auditTrail: `${prefix}.audit_trail`,
  };
}

/** A message to publish. The key picks the partition, so one entity's messages stay in order. */
export interface KafkaMessage {
  key: string | Buffer | null;
  value: Buffer | null;
  headers?: Record<string, string>;
}

/** A message as a consumer receives it. */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** Milliseconds since the epoch, as the producer stamped it. */
  timestamp: number;
}

/** Consecutive records of one topic-partition. */
export interface ConsumedBatch {
  topic: string;
  partition: number;
  records: ConsumedRecord[];
  /** The partition's high watermark when the batch was fetched. */
  highWatermark: number;
}

/** The last record a consumer has finished with, in one topic-partition. */
export interface ProcessedPosition {
  topic: string;
  partition: number;
  /** Offset of the last processed record; the group's committed offset becomes offset + 1. */
  offset: number;
}

export interface BatchContext {
  /** Commits this whole batch for the group. Call it only once the batch's work is durable. */
  commit(): Promise<void>;
  /** Tells the group coordinator this member is alive; call it during long work. */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping or the partition was taken away: finish early. */
  isRunning(): boolean;
}

export interface ConsumeOptions {
  groupId: string;
  topics: string[];
  /** Where a group without committed offsets starts: the beginning (true) or new messages only. */
  fromBeginning: boolean;
  /**
   * Called with each fetched batch, one at a time per consumer. Offsets are never committed
   * automatically: call `ctx.commit()` (or the handle's `commit`) after the work is done. When this
   * throws, the batch is delivered again.
   */
  eachBatch(batch: ConsumedBatch, ctx: BatchContext): Promise<void>;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** How long a fetch waits for new data before returning empty. */
  maxWaitTimeMs?: number;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface ConsumerHandle {
  readonly groupId: string;
  /** Commits, per topic-partition, the position after the given last processed offset. */
  commit(positions: ProcessedPosition[]): Promise<void>;
  /** The partitions the group currently gives this member (empty before the first join). */
  assignment(): TopicPartition[];
  pause(topics?: string[]): void;
  resume(topics?: string[]): void;
  /** Leaves the group and closes the connection; uncommitted work will be delivered again. */
  stop(): Promise<void>;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  highWatermark: number;
  /** The group's committed offset, or null when it committed nothing in this partition. */
  committed: number | null;
  /** Messages not yet committed by the group (from the log start when nothing was committed). */
  lag: number;
}

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  prefix: string;
  /** Partitions of each data topic (the compacted topics: cursors, governance and policy state, policies, always have one). */
  partitions: number;
  replicationFactor: number;
  log: Logger;
  /** Upper bound of one produce request's payload; larger sends are split. Default 512 KiB. */
  maxRequestBytes?: number;
  /** Largest message the brokers take (their message.max.bytes); default 1,000,000 bytes. */
  maxMessageBytes?: number;
  /** Compression of produced batches: none (default) or gzip, the codec kafkajs has built in. */
  compression?: 'none' | 'gzip';
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** How often kafkajs retries a retriable failure before an operation fails. Default 5. */
  retries?: number;
  /** TLS and SASL of the connections; none by default (the local loopback broker). */
  security?: KafkaSecurity;
}

export interface KafkaBus {
  readonly brokers: string[];
  readonly topics: TopicNames;
  /** Largest message the brokers take: a publisher dead-letters an event larger than this rather than have its whole batch refused. */
  readonly maxMessageBytes: number;
  /** Creates the missing topics; returns the names it created. Safe to call when they exist. */
  ensureTopics(): Promise<string[]>;
  /**
   * Publishes messages to one topic, resolving only once the broker acknowledged every one of them
   * on all in-sync replicas. Order is kept per key. Large arrays go out in several requests, so when
   * this fails some messages may already be stored: sending them all again is the recovery (the
   * idempotent producer drops its own retries, and consumers deduplicate by event id).
   */
  send(topic: string, messages: KafkaMessage[]): Promise<void>;
  /** Starts a consumer group member; see {@link ConsumeOptions}. */
  consume(options: ConsumeOptions): Promise<ConsumerHandle>;
  /**
   * Reads a topic from its beginning up to its high watermark at the time of the call, without
   * leaving committed offsets behind. Records come in offset order per partition.
   */
  readCompactedTopic(topic: string, options?: { timeoutMs?: number }): Promise<ConsumedRecord[]>;
  /** Per topic-partition lag of a consumer group. */
  fetchLag(groupId: string, topics: string[]): Promise<PartitionLag[]>;
  /** Deletes every topic of this prefix that exists (tear-down of a test or a demo). */
  deleteTopics(): Promise<void>;
  /** Stops every consumer and closes the producer and admin connections. Safe to call twice. */
  disconnect(): Promise<void>;
}

// Per-record overhead of the record batch format (varints, attributes, header counts), rounded up.
const RECORD_OVERHEAD_BYTES = 70;
const DEFAULT_MAX_REQUEST_BYTES = 512 * 1024;
const DEFAULT_MAX_MESSAGE_BYTES = 1_000_000;
/** Topics that hold the latest value per key: one partition, compacted, read whole at start. */
const COMPACTED_ROLES: ReadonlySet<keyof TopicNames> = new Set<keyof TopicNames>(['cursors', 'governanceState', 'policyState', 'policies', 'policyProposals', 'apiKeys', 'connections']);

export function createKafkaBus(options: KafkaBusOptions): KafkaBus {
  const log = options.log.child({ component: 'kafka' });
  const topics = topicNames(options.prefix);
  const maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(log),
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    requestTimeout: options.requestTimeoutMs ?? 30000,
    ...(options.retries === undefined ? {} : { retry: { retries: options.retries } }),
    ...kafkajsSecurity(options.security),
  });
  const consumers = new Set<ConsumerHandle>();
  let admin: Promise<Admin> | undefined;
  let producer: Promise<Producer> | undefined;
  let closing: Promise<void> | undefined;

  function assertOpen(operation: string): void {
    if (closing) throw new AppwardenError('AW_KAFKA_FAILED', `${operation}: the Kafka bus is closed`, { retriable: false });
  }

  function connectedAdmin(): Promise<Admin> {
    admin ??= (async () => {
      const a = kafka.admin();
      await a.connect();
      return a;
    })().catch((err: unknown) => {
      admin = undefined;
      throw err;
    });
    return admin;
  }

  function connectedProducer(): Promise<Producer> {
    producer ??= (async () => {
      const p = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await p.connect();
      return p;
    })().catch((err: unknown) => {
      producer = undefined;
      throw err;
    });
    return producer;
  }

  async function ensureTopics(): Promise<string[]> {
    assertOpen('ensureTopics');
    try {
      const a = await connectedAdmin();
      const existing = new Set(await a.listTopics());
      const wanted = (Object.entries(topics) as Array<[keyof TopicNames, string]>).map(([role, topic]) => (COMPACTED_ROLES.has(role)
        ? { topic, numPartitions: 1, replicationFactor: options.replicationFactor, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }
        : { topic, numPartitions: options.partitions, replicationFactor: options.replicationFactor }));
      const missing = wanted.filter((t) => !existing.has(t.topic));
      if (missing.length === 0) return [];
      await retryRetriable(() => a.createTopics({ topics: missing, waitForLeaders: false }));
      // A new topic takes a moment to reach the broker's metadata and replicas (kafkajs's own wait
      // for leaders gives up on UNKNOWN_TOPIC_OR_PARTITION); ready once each one answers ListOffsets.
      for (const t of missing) await retryRetriable(() => a.fetchTopicOffsets(t.topic));
      log.info({ topics: missing.map((t) => t.topic) }, 'created topics');
      return missing.map((t) => t.topic);
    } catch (err) {
      throw kafkaError('ensureTopics', err);
    }
  }

  async function send(topic: string, messages: KafkaMessage[]): Promise<void> {
    assertOpen('send');
    if (messages.length === 0) return;
    try {
      const p = await connectedProducer();
      for (const chunk of chunkBySize(messages, maxRequestBytes)) {
        await p.send({
          topic,
          acks: -1,
          ...(options.compression === 'gzip' ? { compression: CompressionTypes.GZIP } : {}),
          messages: chunk.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
        });
      }
    } catch (err) {
      throw kafkaError('send', err, { topic });
    }
  }

  async function consume(opts: ConsumeOptions): Promise<ConsumerHandle> {
    assertOpen('consume');
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
    });
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
          consumers.delete(handle);
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
    consumers.add(handle);
    return handle;
  }

  async function readCompactedTopic(topic: string, readOptions: { timeoutMs?: number } = {}): Promise<ConsumedRecord[]> {
    assertOpen('readCompactedTopic');
    const timeoutMs = readOptions.timeoutMs ?? 30000;
    let ends: Map<number, number>;
    try {
      const a = await connectedAdmin();
      const offsets = await retryRetriable(() => a.fetchTopicOffsets(topic));
      ends = new Map(offsets.filter((o) => Number(o.high) > Number(o.low)).map((o) => [o.partition, Number(o.high)]));
    } catch (err) {
      throw kafkaError('readCompactedTopic', err, { topic });
    }
    if (ends.size === 0) return [];

    // kafkajs cannot assign partitions by hand, so read through a one-off group and delete it after.
    const groupId = `${options.clientId}.read.${randomUUID()}`;
    const records: ConsumedRecord[] = [];
    let reachedEnd!: () => void;
    const done = new Promise<void>((resolve) => (reachedEnd = resolve));
    const reader = await consume({
      groupId,
      topics: [topic],
      fromBeginning: true,
      maxWaitTimeMs: 200,
      eachBatch: async (batch) => {
        const end = ends.get(batch.partition);
        if (end === undefined) return;
        for (const r of batch.records) if (r.offset < end) records.push(r);
        if (batch.records[batch.records.length - 1]!.offset >= end - 1) ends.delete(batch.partition);
        if (ends.size === 0) reachedEnd();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
      if ((await Promise.race([done, timedOut])) === 'timeout') {
        throw new AppwardenError('AW_KAFKA_FAILED', `readCompactedTopic: ${topic} was not read to its end within ${timeoutMs} ms`, {
          details: { topic, partitionsLeft: [...ends.keys()] },
        });
      }
    } finally {
      clearTimeout(timer);
      await reader.stop();
      await (await connectedAdmin()).deleteGroups([groupId]).catch((err: unknown) => {
        log.debug({ err, groupId }, 'could not delete the reader group');
      });
    }
    return records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  }

  async function fetchLag(groupId: string, lagTopics: string[]): Promise<PartitionLag[]> {
    assertOpen('fetchLag');
    try {
      const a = await connectedAdmin();
      const committed = await retryRetriable(() => a.fetchOffsets({ groupId, topics: lagTopics }));
      const result: PartitionLag[] = [];
      for (const topic of lagTopics) {
        const byPartition = new Map(
          (committed.find((c) => c.topic === topic)?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]),
        );
        for (const o of await retryRetriable(() => a.fetchTopicOffsets(topic))) {
          const high = Number(o.high);
          const done = byPartition.get(o.partition);
          const committedOffset = done === undefined || done < 0 ? null : done;
          result.push({
            topic,
            partition: o.partition,
            highWatermark: high,
            committed: committedOffset,
            lag: Math.max(0, high - (committedOffset ?? Number(o.low))),
          });
        }
      }
      return result.sort((x, y) => x.topic.localeCompare(y.topic) || x.partition - y.partition);
    } catch (err) {
      throw kafkaError('fetchLag', err, { groupId });
    }
  }

  async function deleteTopics(): Promise<void> {
    assertOpen('deleteTopics');
    try {
      const a = await connectedAdmin();
      const existing = new Set(await a.listTopics());
      const present = Object.values(topics).filter((t) => existing.has(t));
      if (present.length > 0) await a.deleteTopics({ topics: present });
    } catch (err) {
      throw kafkaError('deleteTopics', err);
    }
  }

  function disconnect(): Promise<void> {
    closing ??= (async () => {
      await Promise.allSettled([...consumers].map((c) => c.stop()));
      const results = await Promise.allSettled([
        producer?.then((p) => p.disconnect()),
        admin?.then((a) => a.disconnect()),
      ]);
      for (const r of results) if (r.status === 'rejected') log.debug({ err: r.reason }, 'error while disconnecting');
    })();
    return closing;
  }

  return {
    brokers: options.brokers,
    topics,
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    ensureTopics,
    send,
    consume,
    readCompactedTopic,
    fetchLag,
    deleteTopics,
    disconnect,
  };
}

/**
 * Asks the brokers for the cluster's metadata once, without retrying; resolves with the cluster id.
 * Used to tell whether a broker is up.
 */
export async function probeKafka(
  brokers: string[],
  options: { timeoutMs: number; log?: Logger; security?: KafkaSecurity },
): Promise<{ clusterId: string }> {
  const kafka = new Kafka({
    clientId: 'appwarden-probe',
    brokers,
    logLevel: options.log ? logLevel.WARN : logLevel.NOTHING,
    ...(options.log ? { logCreator: kafkaLogCreator(options.log) } : {}),
    connectionTimeout: options.timeoutMs,
    requestTimeout: options.timeoutMs,
    retry: { retries: 0 },
    ...kafkajsSecurity(options.security),
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return { clusterId: cluster.clusterId };
  } catch (err) {
    throw kafkaError('probe', err, { brokers });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Retries an admin call that failed for a reason that passes (a partition whose leader is still
 * settling answers NOT_LEADER_OR_FOLLOWER, which kafkajs's admin does not retry), with backoff.
 */
async function retryRetriable<T>(call: () => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (attempt >= attempts || !kafkaError('retry', err).retriable) throw err;
      const backoff = Math.min(2000, 100 * 2 ** (attempt - 1));
      await new Promise((resolve) => setTimeout(resolve, backoff / 2 + Math.random() * (backoff / 2)));
    }
  }
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

/** A message's size on the wire, as the brokers count it against their message limit (rounded up). */
export function messageSize(m: KafkaMessage): number {
  let size = RECORD_OVERHEAD_BYTES + (m.value?.length ?? 0);
  size += m.key === null ? 0 : Buffer.byteLength(m.key);
  for (const [name, value] of Object.entries(m.headers ?? {})) size += Buffer.byteLength(name) + Buffer.byteLength(value);
  return size;
}

function* chunkBySize(messages: KafkaMessage[], maxBytes: number): Generator<KafkaMessage[]> {
  let chunk: KafkaMessage[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = messageSize(m);
    if (chunk.length > 0 && bytes + size > maxBytes) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(m);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

interface KafkaJsErrorShape {
  name?: string;
  message?: string;
  type?: string;
  retriable?: boolean;
  cause?: unknown;
  errors?: KafkaJsErrorShape[];
}

/**
 * Wraps a kafkajs error. Retriable follows what kafkajs knows about the underlying failure (a
 * connection error or a leader moving is, a too-large message is not); errors from outside kafkajs
 * are not.
 */
function kafkaError(operation: string, err: unknown, details: Record<string, unknown> = {}): AppwardenError {
  if (err instanceof AppwardenError) return err;
  let root = (err ?? {}) as KafkaJsErrorShape;
  // kafkajs gives up with KafkaJSNumberOfRetriesExceeded, never retriable itself, around the real failure.
  for (let i = 0; i < 5 && root.name === 'KafkaJSNumberOfRetriesExceeded' && root.cause; i++) {
    root = root.cause as KafkaJsErrorShape;
  }
  const retriable =
    root.name === 'KafkaJSAggregateError'
      ? (root.errors ?? []).every((e) => e.retriable === true)
      : root.retriable === true;
  const kafkaTypes = root.type ? [root.type] : (root.errors ?? []).flatMap((e) => (e.type ? [e.type] : []));
  return new AppwardenError('AW_KAFKA_FAILED', `${operation}: ${root.message ?? String(err)}`, {
    cause: err,
    retriable,
    details: { operation, ...details, ...(kafkaTypes.length > 0 ? { kafkaError: kafkaTypes.join(',') } : {}) },
  });
}

/** Routes kafkajs's own log lines into pino. */
function kafkaLogCreator(log: Logger): logCreator {
  return () =>
    ({ namespace, level, log: entry }) => {
      const { message, timestamp: _timestamp, ...extra } = entry;
      const fields = { kafkajs: namespace, ...extra };
      // kafkajs logs every error response at ERROR in its Connection namespace, including the ones it
      // retries (coordinator loading, leader moving); the caller sees real failures as exceptions.
      if (namespace === 'Connection') log.debug(fields, message);
      else if (level === logLevel.ERROR) log.error(fields, message);
      else if (level === logLevel.WARN) log.warn(fields, message);
      else log.debug(fields, message);
    };
}
