import { randomUUID } from 'node:crypto';
import type { ConsumedRecord, ConsumerHandle, KafkaBus } from '../../core/kafka.js';
import type { Logger } from '../../core/logger.js';

export interface FollowOptions {
  topic: string;
  /** Names the throwaway consumer group (`<name>.<uuid>`), so it can be told apart in the broker's list. */
  name: string;
  /** Called with every record in offset order per partition; must not throw. */
  onRecord(record: ConsumedRecord): void;
  log: Logger;
  /** How long a fetch waits for new records; bounds how late a change is seen. Default 500 ms. */
  maxWaitTimeMs?: number;
}

/** A reader that saw a whole topic once and keeps following it. */
export interface TopicFollower {
  /** Resolves once every record present at the start was handed to `onRecord`. */
  readonly caughtUp: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Reads a whole topic from its beginning and then follows it, in every process that asks: a consumer
 * group of its own (a fresh name, never committing), so each reader gets every partition. Used for
 * what each policy processor must know in full: the account topic (enrichment) and the policies topic.
 */
export async function followTopic(bus: Pick<KafkaBus, 'consume' | 'fetchLag'>, options: FollowOptions): Promise<TopicFollower> {
  const groupId = `${options.name}.${randomUUID()}`;
  // Where each partition ended when we started; the group has no offsets, so lag is what is there.
  const ends = new Map<number, number>();
  for (const p of await bus.fetchLag(groupId, [options.topic])) if (p.lag > 0) ends.set(p.partition, p.highWatermark);
  let reached!: () => void;
  const caughtUp = new Promise<void>((resolve) => (reached = resolve));
  if (ends.size === 0) reached();

  const consumer: ConsumerHandle = await bus.consume({
    groupId,
    topics: [options.topic],
    fromBeginning: true,
    maxWaitTimeMs: options.maxWaitTimeMs ?? 500,
    eachBatch: async (batch) => {
      for (const record of batch.records) options.onRecord(record);
      const end = ends.get(batch.partition);
      if (end !== undefined && batch.records[batch.records.length - 1]!.offset >= end - 1) {
        ends.delete(batch.partition);
        if (ends.size === 0) reached();
      }
    },
  });
  options.log.debug({ topic: options.topic, groupId, partitionsToRead: ends.size }, 'following a topic');
  return { caughtUp, stop: () => consumer.stop() };
}
