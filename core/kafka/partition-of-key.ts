import { Partitioners } from 'kafkajs';

const keyPartitioner = Partitioners.DefaultPartitioner();

/** The partition the producer sends a message with this key to, in a topic of `partitions` partitions (murmur2, as Java's client). */
export function partitionOfKey(key: string, partitions: number): number {
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
  return keyPartitioner({ topic: '', partitionMetadata, message: { key, value: null } });
}
