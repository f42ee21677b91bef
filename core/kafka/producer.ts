import type { KafkaMessage } from './types.js';

// Per-record overhead of the record batch format (varints, attributes, header counts), rounded up.
const RECORD_OVERHEAD_BYTES = 70;

/**
 * The idempotent producer (acks=all) of one bus. Two implementations: librdkafka's
 * (`rdkafka-producer.ts`) and kafkajs's (`kafkajs-producer.ts`); `producer-choice.ts` picks one.
 */
export interface BusProducer {
  /** Which client publishes. */
  readonly client: 'rdkafka' | 'kafkajs';
  /**
   * Resolves once the broker acknowledged every message on all in-sync replicas; rejects (an
   * `AW_KAFKA_FAILED`) when any one was not, after the others of the call are settled.
   */
  send(topic: string, messages: KafkaMessage[]): Promise<void>;
  /** Delivers what is queued, then closes the connections. */
  disconnect(): Promise<void>;
}

/** A message's size on the wire, as the brokers count it against their message limit (rounded up). */
export function messageSize(m: KafkaMessage): number {
  let size = RECORD_OVERHEAD_BYTES + (m.value?.length ?? 0);
  size += m.key === null ? 0 : Buffer.byteLength(m.key);
  for (const [name, value] of Object.entries(m.headers ?? {})) size += Buffer.byteLength(name) + Buffer.byteLength(value);
  return size;
}
