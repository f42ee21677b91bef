import { Kafka, logLevel, type Admin } from 'kafkajs';
import { kafkajsSecurity, type KafkaSecurity } from '../kafka-security.js';
import type { Logger } from '../logger.js';
import { kafkaError, kafkaLogCreator, retryRetriable } from './errors.js';
import { COMPACTED_PARTITIONED_ROLES, COMPACTED_ROLES, type TopicNames } from './topics.js';

const COMPACT = [{ name: 'cleanup.policy', value: 'compact' }];
import type { PartitionLag } from './types.js';

/** Topic management and offsets of one bus, through one admin connection made on first use. */
export class BusAdmin {
  private admin: Promise<Admin> | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly log: Logger,
    private readonly topics: TopicNames,
    private readonly layout: { partitions: number; replicationFactor: number },
  ) {}

  connected(): Promise<Admin> {
    this.admin ??= (async () => {
      const a = this.kafka.admin();
      await a.connect();
      return a;
    })().catch((err: unknown) => {
      this.admin = undefined;
      throw err;
    });
    return this.admin;
  }

  async ensureTopics(): Promise<string[]> {
    const { partitions, replicationFactor } = this.layout;
    try {
      const a = await this.connected();
      const existing = new Set(await a.listTopics());
      const wanted = (Object.entries(this.topics) as Array<[keyof TopicNames, string]>).map(([role, topic]) => (COMPACTED_ROLES.has(role)
        ? { topic, numPartitions: 1, replicationFactor, configEntries: COMPACT }
        : { topic, numPartitions: partitions, replicationFactor, ...(COMPACTED_PARTITIONED_ROLES.has(role) ? { configEntries: COMPACT } : {}) }));
      const missing = wanted.filter((t) => !existing.has(t.topic));
      if (missing.length === 0) return [];
      await retryRetriable(() => a.createTopics({ topics: missing, waitForLeaders: false }));
      // A new topic takes a moment to reach the broker's metadata and replicas (kafkajs's own wait
      // for leaders gives up on UNKNOWN_TOPIC_OR_PARTITION); ready once each one answers ListOffsets.
      for (const t of missing) await retryRetriable(() => a.fetchTopicOffsets(t.topic));
      this.log.info({ topics: missing.map((t) => t.topic) }, 'created topics');
      return missing.map((t) => t.topic);
    } catch (err) {
      throw kafkaError('ensureTopics', err);
    }
  }

  async fetchLag(groupId: string, lagTopics: string[]): Promise<PartitionLag[]> {
    try {
      const a = await this.connected();
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

  async groupMembers(groupId: string): Promise<string[]> {
    try {
      const { groups } = await retryRetriable(async () => (await this.connected()).describeGroups([groupId]));
      return (groups[0]?.members ?? []).map((m) => m.memberId);
    } catch (err) {
      throw kafkaError('groupMembers', err, { groupId });
    }
  }

  async deleteTopics(): Promise<void> {
    try {
      const a = await this.connected();
      const existing = new Set(await a.listTopics());
      const present = Object.values(this.topics).filter((t) => existing.has(t));
      if (present.length > 0) await a.deleteTopics({ topics: present });
    } catch (err) {
      throw kafkaError('deleteTopics', err);
    }
  }

  /** Closes the connection if one was made. */
  async disconnect(): Promise<void> {
    await this.admin?.then((a) => a.disconnect());
  }
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
