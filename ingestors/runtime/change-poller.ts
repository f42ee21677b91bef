import type { Logger } from '../../core/logger.js';
import { normalizeItem, type ChangeStream, type Removal } from '../contract.js';
import { CursorStore } from './cursor-store.js';
import { deletionEvent, type EntityIdentity } from './deletions.js';
import type { EventPublisher, StreamRef } from './publisher.js';
import type { SeenEntity } from './scan-sets.js';
import type { StreamStatus } from './stream-status.js';

/** What the last complete scan of the same topic saw, by record id. */
export type KnownEntities = (ids: readonly string[]) => Promise<Map<string, SeenEntity>>;

/**
 * Reads a provider change feed (delta link, page token) from its saved cursor. Each page's events
 * are acknowledged by Kafka before the cursor that follows the page is saved, so a restart re-reads
 * at most one page. A removal the feed reports becomes a deletion event when the last complete
 * scan saw the entity in the view it left.
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
    private readonly known: KnownEntities = async () => new Map(),
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
      this.status.fetched += page.items.length + (page.removed?.length ?? 0);
      if (page.items.length > 0) {
        const outcome = await this.publisher.publishSnapshot(this.ref, this.stream.topic, page.items, (item, ctx) => normalizeItem(this.stream, item, ctx));
        this.status.published += outcome.published.length;
        this.status.deadLettered += outcome.deadLettered.length;
      }
      if (page.removed && page.removed.length > 0) await this.publishRemovals(page.removed);
      if (page.cursor !== cursor) {
        cursor = page.cursor;
        await this.cursors.save(this.cursorKey, { cursor });
      }
      if (signal.aborted) return;
    }
  }

  /** Deletions for the removed entities the last complete scan saw in the view they left; the others are no news. */
  private async publishRemovals(removed: readonly Removal[]): Promise<void> {
    const ctx = { instance: this.ref.instance, observedAt: Date.now() };
    const candidates: Array<{ id: string; scopes: string[] }> = [];
    for (const removal of removed) {
      try {
        candidates.push({ id: normalizeItem(this.stream, removal.item, ctx).record_id, scopes: removal.scopes });
      } catch (err) {
        this.log.warn({ err, stream: this.stream.name }, 'a removal the feed reported names no entity; ignored');
      }
    }
    const known = await this.known(candidates.map((c) => c.id));
    const gone = candidates.flatMap(({ id, scopes }) => {
      const entity = known.get(id);
      return entity && scopes.some((s) => (s.endsWith('*') ? entity.scope.startsWith(s.slice(0, -1)) : entity.scope === s)) ? [entity.identity as EntityIdentity] : [];
    });
    if (gone.length === 0) return;
    const outcome = await this.publisher.publishSnapshot(this.ref, this.stream.topic, gone.map((raw) => ({ kind: 'deleted', raw })),
      (item) => deletionEvent(item.raw as EntityIdentity, this.ref, ctx.observedAt, 'change_feed'));
    this.status.published += outcome.published.length;
  }
}
