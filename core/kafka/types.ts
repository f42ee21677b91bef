import type { KafkaSecurity } from '../kafka-security.js';
import type { Logger } from '../logger.js';
import type { TopicNames } from './topics.js';

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
  /** Called each time this member (re)joined the group, with its id and every partition it now holds. */
  onAssignment?(event: { memberId: string; assignment: TopicPartition[] }): void;
  /** Called after each heartbeat the coordinator accepted, and when the member starts rejoining the group. */
  onMembership?(event: 'heartbeat' | 'rebalancing'): void;
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
  /** Upper bound of one produce request's payload (kafkajs; larger sends are split) or record batch (librdkafka). Default 512 KiB / maxMessageBytes. */
  maxRequestBytes?: number;
  /** Largest message the brokers take (their message.max.bytes); default 1,000,000 bytes. */
  maxMessageBytes?: number;
  /** Compression of produced batches: none (default); gzip with either client, lz4 and zstd with librdkafka only. */
  compression?: ProducerCompression;
  /**
   * Which client publishes: librdkafka (`@confluentinc/kafka-javascript`, an optional dependency) or
   * kafkajs; `auto` (default) is librdkafka when it loads, else kafkajs with a warning.
   */
  producerClient?: ProducerClientSetting;
  /** librdkafka only: how long a batch waits to fill. Default 1 ms. */
  lingerMs?: number;
  /** librdkafka only: a message not acknowledged within this fails its send. Default 30 s. */
  deliveryTimeoutMs?: number;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** How often kafkajs retries a retriable failure before an operation fails. Default 5. */
  retries?: number;
  /**
   * How long a consumer group waits for a member that stopped heartbeating (its process died, or the broker
   * restarted and the member's session is gone) before the group re-forms without it; a consumer that sets
   * its own `sessionTimeoutMs` keeps it. Default 30 s (kafkajs's).
   */
  consumerSessionTimeoutMs?: number;
  /** TLS and SASL of the connections; none by default (the local loopback broker). */
  security?: KafkaSecurity;
}

export const PRODUCER_CLIENTS = ['auto', 'rdkafka', 'kafkajs'] as const;
export type ProducerClientSetting = (typeof PRODUCER_CLIENTS)[number];
export type ProducerCompression = 'none' | 'gzip' | 'lz4' | 'zstd';

export interface KafkaBus {
  readonly brokers: string[];
  /** The client that publishes: librdkafka or kafkajs (see `producerClient`). */
  readonly producerClient: 'rdkafka' | 'kafkajs';
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
  /** The member ids of a consumer group's current generation (empty when nobody is in it). */
  groupMembers(groupId: string): Promise<string[]>;
  /** Deletes every topic of this prefix that exists (tear-down of a test or a demo). */
  deleteTopics(): Promise<void>;
  /** Stops every consumer and closes the producer and admin connections. Safe to call twice. */
  disconnect(): Promise<void>;
}
