import type { Logger } from '../../core/logger.js';
import { type ChangeStream, normalizeItem } from '../contract.js';
import { CursorStore } from './cursor-store.js';
import type { EventPublisher, StreamRef } from './publisher.js';
import type { StreamStatus } from './stream-status.js';

/**
 * Reads a provider change feed (delta link, page token) from its saved cursor. Each page's events
 * are acknowledged by Kafka before the cursor that follows the page is saved, so a restart re-reads
 * at most one page.
 */
export class ChangePoller {
  private readonly cursorKey: string;

  constructor(
    private readonly ref: StreamRef,
    private readonly stream: ChangeStream,
    private readonly cursors: CursorStore,
    private readonly publisher: EventPublisher,
    readonly status: StreamStatus,
    private readonly log: Logger,
  ) {
    this.cursorKey = CursorStore.key(ref.provider, ref.instance, stream.name);
  }

  async poll(signal: AbortSignal): Promise<void> {
    const saved = this.cursors.get(this.cursorKey)?.position.cursor;
    let cursor: string;
    if (typeof saved === 'string') cursor = saved;
    else {
      cursor = await this.stream.initialCursor(signal);
      await this.cursors.save(this.cursorKey, { cursor });
      this.log.info({ stream: this.stream.name }, 'change feed starts from the present; the full scan covers the past');
    }
    for await (const page of this.stream.read(cursor, signal)) {
      this.status.fetched += page.items.length;
      if (page.items.length > 0) {
        const outcome = await this.publisher.publishSnapshot(this.ref, this.stream.topic, page.items, (item, ctx) => normalizeItem(this.stream, item, ctx));
        this.status.published += outcome.published.length;
        this.status.deadLettered += outcome.deadLettered.length;
      }
      if (page.cursor !== cursor) {
        cursor = page.cursor;
        await this.cursors.save(this.cursorKey, { cursor });
      }
      if (signal.aborted) return;
    }
  }
}
