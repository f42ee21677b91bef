import type { Logger } from '../../core/logger.js';
import { normalizeItem, type SnapshotStream } from '../contract.js';
import { CursorStore } from './cursor-store.js';
import type { EventPublisher, StreamRef } from './publisher.js';
import type { StreamStatus } from './stream-status.js';

/**
 * Runs one full scan of a snapshot stream (accounts, files) and records when it completed, so a
 * restarted process does not rescan a large tenant before the period is over.
 */
export class SnapshotScanner {
  private readonly cursorKey: string;

  constructor(
    private readonly ref: StreamRef,
    private readonly stream: SnapshotStream,
    private readonly cursors: CursorStore,
    private readonly publisher: EventPublisher,
    readonly status: StreamStatus,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.cursorKey = CursorStore.key(ref.provider, ref.instance, stream.name);
  }

  get topic(): SnapshotStream['topic'] {
    return this.stream.topic;
  }

  /** When the last complete scan finished (epoch ms), or null. */
  lastCompletedAt(): number | null {
    const value = this.cursors.get(this.cursorKey)?.position.completedAt;
    return typeof value === 'number' ? value : null;
  }

  async scan(signal: AbortSignal): Promise<void> {
    const startedAt = this.now();
    let records = 0;
    for await (const page of this.stream.read(signal)) {
      this.status.fetched += page.length;
      const outcome = await this.publisher.publishSnapshot(this.ref, this.stream.topic, page, (item, ctx) => normalizeItem(this.stream, item, ctx));
      this.status.published += outcome.published.length;
      this.status.deadLettered += outcome.deadLettered.length;
      records += page.length;
    }
    if (signal.aborted) return;
    await this.cursors.save(this.cursorKey, { completedAt: this.now(), startedAt, records });
    this.log.info({ stream: this.stream.name, records, ms: this.now() - startedAt }, 'snapshot scan complete');
  }
}
