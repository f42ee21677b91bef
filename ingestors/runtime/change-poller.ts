import { AppwardenError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { normalizeItem, type ChangeStream, type FeedRestart, type Removal } from '../contract.js';
import { CursorStore } from './cursor-store.js';
import { deletionEvent, type EntityIdentity } from './deletions.js';
import type { EventPublisher, StreamRef } from './publisher.js';
import type { SeenEntity } from './scan-sets.js';
import type { StreamStatus } from './stream-status.js';

/** What the last complete scan of the same topic saw, by record id. */
export type KnownEntities = (ids: readonly string[]) => Promise<Map<string, SeenEntity>>;

/** What a change poller is connected to: the scan of the same topic, when the instance has one. */
export interface CoveringScan {
  /** Its stream's name, for the log. */
  name: string;
  /** What its last complete scan saw, by record id. */
  known: KnownEntities;
  /** Called after a restart of the feed was saved: the scan's lane wakes, and the scan is due (see `rescanWantedAt`). */
  wanted(): void;
}

/** The cursor of a change stream: the provider's cursor, and the feed's restarts (kept, so that a restarted process still rescans). */
interface ChangePosition {
  cursor?: string;
  /** `pending`: the parts the last poll restarted, until a later poll reads them without a refusal. */
  restarts?: { count: number; lastAt: number; parts: string[]; reason: string; pending?: string[] };
}

/**
 * Reads a provider change feed (delta link, page token) from its saved cursor. Each page's events
 * are acknowledged by Kafka before the cursor that follows the page is saved, so a restart re-reads
 * at most one page. A removal the feed reports becomes a deletion event when the last complete
 * scan saw the entity in the view it left. When the provider refuses a cursor, the stream restarts
 * from the present (see `ChangePage.restarted`): the poll goes on, and the scan of the same topic
 * runs early, since what changed in between is no longer in the feed.
 */
export class ChangePoller {
  private readonly cursorKey: string;

  constructor(
    private readonly ref: StreamRef,
    readonly stream: ChangeStream,
    private readonly cursors: CursorStore,
    private readonly publisher: EventPublisher,
    readonly status: StreamStatus,
    private readonly log: Logger,
    private readonly scan: CoveringScan | null = null,
  ) {
    this.cursorKey = CursorStore.key(ref.provider, ref.instance, stream.name);
  }

  get name(): string {
    return this.stream.name;
  }

  /**
   * When the feed last restarted from the present (epoch ms), or null: a complete scan of the same
   * topic that started before then does not cover what the feed lost, so the scan is due.
   */
  rescanWantedAt(): number | null {
    return this.position().restarts?.lastAt ?? null;
  }

  async poll(signal: AbortSignal): Promise<void> {
    const saved = this.position().cursor;
    let cursor: string;
    if (typeof saved === 'string') cursor = saved;
    else {
      cursor = await this.stream.initialCursor(signal);
      await this.save({ cursor });
      this.log.info({ stream: this.stream.name }, 'change feed starts from the present; the full scan covers the past');
    }
    const restartedNow: string[] = [];
    for await (const page of this.stream.read(cursor, signal)) {
      this.status.fetched += page.items.length + (page.removed?.length ?? 0);
      if (page.items.length > 0) {
        const outcome = await this.publisher.publishSnapshot(this.ref, this.stream.topic, page.items, (item, ctx) => normalizeItem(this.stream, item, ctx));
        this.status.published += outcome.published.length;
        this.status.deadLettered += outcome.deadLettered.length;
      }
      if (page.removed && page.removed.length > 0) await this.publishRemovals(page.removed);
      if (page.restarted && page.restarted.length > 0) {
        cursor = page.cursor;
        restartedNow.push(...page.restarted.map(partOf));
        await this.restarted(cursor, page.restarted, restartedNow);
      } else if (page.cursor !== cursor) {
        cursor = page.cursor;
        await this.save({ cursor });
      }
      if (signal.aborted) return;
    }
    const restarts = this.position().restarts;
    // The parts restarted by an earlier poll were read this time without a refusal.
    if (restarts?.pending?.some((part) => !restartedNow.includes(part))) await this.save({ restarts: { ...restarts, pending: restartedNow } });
  }

  /**
   * The provider refused the cursor of (parts of) the feed, and the stream went on from the present:
   * the new cursor is saved with the restart, whose time makes the covering scan due at once.
   */
  private async restarted(cursor: string, restarts: readonly FeedRestart[], pending: readonly string[]): Promise<void> {
    const previous = this.position().restarts;
    const parts = restarts.map(partOf);
    const reason = restarts[0]!.reason;
    // A cursor the provider handed out at the last restart, refused before it was ever read, did not expire:
    // restarting again would only rescan over and over. The poll fails, and shows it, until one is accepted.
    const again = parts.filter((part) => previous?.pending?.includes(part));
    if (again.length > 0) {
      throw new AppwardenError('AW_PROVIDER_CONTINUATION_EXPIRED', `the provider refused the cursor it handed out when the feed restarted (${again.join(', ')}): ${reason}`, { details: { parts: again } });
    }
    await this.save({ cursor, restarts: { count: (previous?.count ?? 0) + restarts.length, lastAt: Date.now(), parts, reason, pending: [...pending] } });
    this.log.warn({ stream: this.stream.name, parts, reason, rescan: this.scan?.name ?? null },
      this.scan
        ? `the provider refused the change feed's cursor; the feed restarts from the present, and the ${this.scan.name} scan runs now to cover what changed meanwhile`
        : "the provider refused the change feed's cursor; the feed restarts from the present (no scan of this topic covers what changed meanwhile)");
    this.scan?.wanted();
  }

  private position(): ChangePosition {
    return (this.cursors.get(this.cursorKey)?.position ?? {}) as ChangePosition;
  }

  /** Saves the cursor, keeping the record of restarts. */
  private async save(position: ChangePosition): Promise<void> {
    await this.cursors.save(this.cursorKey, { ...this.position(), ...position });
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
    const known = this.scan ? await this.scan.known(candidates.map((c) => c.id)) : new Map<string, SeenEntity>();
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

const partOf = (restart: FeedRestart): string => restart.part ?? '*';
