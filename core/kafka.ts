/**
 * Appwarden's Kafka bus: one object per process part that publishes (idempotent, acks=all),
 * consumes as a group member, reads compacted topics whole and manages the topics of one prefix.
 * Each job lives in its own module under `core/kafka/`; this file puts them together.
 */
import { Kafka, logLevel } from 'kafkajs';
import { AppwardenError } from './errors.js';
import { kafkajsSecurity } from './kafka-security.js';
import { BusAdmin } from './kafka/admin.js';
import { readCompactedTopic } from './kafka/compacted-reader.js';
import { startConsumer } from './kafka/consumer.js';
import { kafkaLogCreator } from './kafka/errors.js';
import { createBusProducer } from './kafka/producer-choice.js';
import { topicNames } from './kafka/topics.js';
import type { ConsumeOptions, ConsumerHandle, KafkaBus, KafkaBusOptions } from './kafka/types.js';

export { probeKafka } from './kafka/admin.js';
export { messageSize } from './kafka/producer.js';
export { partitionOfKey } from './kafka/partition-of-key.js';
export { topicNames, type TopicNames } from './kafka/topics.js';
export type {
  BatchContext, ConsumedBatch, ConsumedRecord, ConsumeOptions, ConsumerHandle, KafkaBus, KafkaBusOptions, KafkaMessage,
  PartitionLag, ProcessedPosition, ProducerClientSetting, ProducerCompression, TopicPartition,
} from './kafka/types.js';
export { PRODUCER_CLIENTS } from './kafka/types.js';

const DEFAULT_MAX_MESSAGE_BYTES = 1_000_000;

export function createKafkaBus(options: KafkaBusOptions): KafkaBus {
  const log = options.log.child({ component: 'kafka' });
  const topics = topicNames(options.prefix);
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
  const admin = new BusAdmin(kafka, log, topics, options);
  const producer = createBusProducer(kafka, options, log);
  const consumers = new Set<ConsumerHandle>();
  let closing: Promise<void> | undefined;

  function assertOpen(operation: string): void {
    if (closing) throw new AppwardenError('AW_KAFKA_FAILED', `${operation}: the Kafka bus is closed`, { retriable: false });
  }

  const consume: KafkaBus['consume'] = async (opts) => {
    assertOpen('consume');
    const handle = await startConsumer(kafka, log, withSessionTimeout(opts, options.consumerSessionTimeoutMs), (stopped) => consumers.delete(stopped));
    consumers.add(handle);
    return handle;
  };

  return {
    brokers: options.brokers,
    producerClient: producer.client,
    topics,
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    ensureTopics: async () => {
      assertOpen('ensureTopics');
      return admin.ensureTopics();
    },
    send: async (topic, messages) => {
      assertOpen('send');
      return producer.send(topic, messages);
    },
    consume,
    readCompactedTopic: async (topic, readOptions) => {
      assertOpen('readCompactedTopic');
      return readCompactedTopic(admin, consume, log, options.clientId, topic, readOptions);
    },
    fetchLag: async (groupId, lagTopics) => {
      assertOpen('fetchLag');
      return admin.fetchLag(groupId, lagTopics);
    },
    groupMembers: async (groupId) => {
      assertOpen('groupMembers');
      return admin.groupMembers(groupId);
    },
    deleteTopics: async () => {
      assertOpen('deleteTopics');
      return admin.deleteTopics();
    },
    disconnect: () => {
      closing ??= (async () => {
        await Promise.allSettled([...consumers].map((c) => c.stop()));
        const results = await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
        for (const r of results) if (r.status === 'rejected') log.debug({ err: r.reason }, 'error while disconnecting');
      })();
      return closing;
    },
  };
}

/** The bus's session timeout for a consumer that sets none, with a heartbeat a third of it (at most kafkajs's 3 s). */
function withSessionTimeout(opts: ConsumeOptions, sessionTimeoutMs: number | undefined): ConsumeOptions {
  if (sessionTimeoutMs === undefined || opts.sessionTimeoutMs !== undefined) return opts;
  return { ...opts, sessionTimeoutMs, heartbeatIntervalMs: opts.heartbeatIntervalMs ?? Math.min(3000, Math.floor(sessionTimeoutMs / 3)) };
}
