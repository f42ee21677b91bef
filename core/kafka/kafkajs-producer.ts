import { CompressionTypes, Partitioners, type Kafka, type Producer } from 'kafkajs';
import { kafkaError } from './errors.js';
import { messageSize, type BusProducer } from './producer.js';
import type { KafkaMessage } from './types.js';

const DEFAULT_MAX_REQUEST_BYTES = 512 * 1024;

export interface KafkaJsProducerOptions {
  /** Upper bound of one produce request's payload; larger sends are split. */
  maxRequestBytes?: number;
  compression?: 'none' | 'gzip';
}

/**
 * kafkajs's idempotent producer (acks=all, one request in flight), connected on first use; large
 * arrays go out as several requests of bounded size.
 */
export class KafkaJsProducer implements BusProducer {
  readonly client = 'kafkajs';
  private producer: Promise<Producer> | undefined;
  private readonly maxRequestBytes: number;

  constructor(private readonly kafka: Kafka, private readonly options: KafkaJsProducerOptions) {
    this.maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  }

  async send(topic: string, messages: KafkaMessage[]): Promise<void> {
    if (messages.length === 0) return;
    try {
      const p = await this.connected();
      for (const chunk of chunkBySize(messages, this.maxRequestBytes)) {
        await p.send({
          topic,
          acks: -1,
          ...(this.options.compression === 'gzip' ? { compression: CompressionTypes.GZIP } : {}),
          messages: chunk.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
        });
      }
    } catch (err) {
      throw kafkaError('send', err, { topic });
    }
  }

  async disconnect(): Promise<void> {
    await this.producer?.then((p) => p.disconnect());
  }

  private connected(): Promise<Producer> {
    this.producer ??= (async () => {
      const p = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await p.connect();
      return p;
    })().catch((err: unknown) => {
      this.producer = undefined;
      throw err;
    });
    return this.producer;
  }
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
