import { randomUUID } from 'node:crypto';
import { AppwardenError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { BusAdmin } from './admin.js';
import { kafkaError, retryRetriable } from './errors.js';
import type { ConsumedRecord, ConsumeOptions, ConsumerHandle } from './types.js';

/**
 * Reads a topic from its beginning up to its high watermark at the time of the call, without
 * leaving committed offsets behind. Records come in offset order per partition.
 */
export async function readCompactedTopic(
  admin: BusAdmin,
  consume: (options: ConsumeOptions) => Promise<ConsumerHandle>,
  log: Logger,
  clientId: string,
  topic: string,
  readOptions: { timeoutMs?: number } = {},
): Promise<ConsumedRecord[]> {
  const timeoutMs = readOptions.timeoutMs ?? 30000;
  let ends: Map<number, number>;
  try {
    const a = await admin.connected();
    const offsets = await retryRetriable(() => a.fetchTopicOffsets(topic));
    ends = new Map(offsets.filter((o) => Number(o.high) > Number(o.low)).map((o) => [o.partition, Number(o.high)]));
  } catch (err) {
    throw kafkaError('readCompactedTopic', err, { topic });
  }
  if (ends.size === 0) return [];

  // kafkajs cannot assign partitions by hand, so read through a one-off group and delete it after.
  const groupId = `${clientId}.read.${randomUUID()}`;
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
    await (await admin.connected()).deleteGroups([groupId]).catch((err: unknown) => {
      log.debug({ err, groupId }, 'could not delete the reader group');
    });
  }
  return records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}
