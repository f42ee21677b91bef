import type { Logger } from '../../core/logger.js';
import { AppwardenError } from '../../core/errors.js';
import type { KafkaBus } from '../../core/kafka.js';

/** A cursor's saved state: the stream decides what `position` means (a time, a page token...). */
export interface Cursor {
  position: Record<string, unknown>;
  savedAt: number;
}

/**
 * Durable cursors, one per instance and stream (`okta/main/system_log`), kept in a compacted Kafka
 * topic so every worker sees them and a restarted process resumes where the last one stopped.
 * `save` resolves only once Kafka acknowledged the write.
 */
export class CursorStore {
  private readonly cursors = new Map<string, Cursor>();
  private loaded = false;

  constructor(private readonly bus: Pick<KafkaBus, 'send' | 'readCompactedTopic' | 'topics'>, private readonly log: Logger) {}

  static key(provider: string, instance: string, stream: string): string {
    return `${provider}/${instance}/${stream}`;
  }

  /**
   * Reads the topic. With `instances` (`provider/instance`), only their cursors are (re)read: those of
   * the other instances this process runs stay as its own saves left them.
   */
  async load(instances?: readonly string[]): Promise<void> {
    const records = await this.bus.readCompactedTopic(this.bus.topics.cursors);
    const wanted = instances && new Set(instances);
    for (const record of records) {
      if (!record.key) continue;
      const key = record.key.toString();
      if (wanted && !wanted.has(key.split('/', 2).join('/'))) continue;
      if (!record.value) {
        this.cursors.delete(key);
        continue;
      }
      try {
        this.cursors.set(key, JSON.parse(record.value.toString()) as Cursor);
      } catch (err) {
        this.log.warn({ err, key }, 'ignoring an unreadable cursor record');
      }
    }
    this.loaded = true;
    this.log.info({ cursors: this.cursors.size }, 'cursors loaded');
  }

  get(key: string): Cursor | undefined {
    if (!this.loaded) throw new AppwardenError('AW_NOT_READY', 'the cursor store was read before it was loaded');
    return this.cursors.get(key);
  }

  async save(key: string, position: Record<string, unknown>, now = Date.now()): Promise<void> {
    const cursor: Cursor = { position, savedAt: now };
    await this.bus.send(this.bus.topics.cursors, [{ key, value: Buffer.from(JSON.stringify(cursor)) }]);
    this.cursors.set(key, cursor);
  }

  entries(): Array<[string, Cursor]> {
    return [...this.cursors.entries()];
  }
}
