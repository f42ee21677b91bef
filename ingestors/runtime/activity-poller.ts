import { createHash } from 'node:crypto';
import type { Logger } from '../../core/logger.js';
import type { InstanceSettings } from '../../core/config.js';
import type { ActivityStream, ConnectorDefinition, TimeWindow } from '../contract.js';
import { CursorStore } from './cursor-store.js';
import { readWindow } from './window-read.js';
import type { EventPublisher, RepeatFilter, StreamRef } from './publisher.js';
import type { StreamStatus } from './stream-status.js';

const DEFAULT_LATE_SWEEP_EVERY_MS = 15 * 60_000;

/**
 * Polls one activity stream. Each poll reads from the cursor minus a trailing window (providers
 * deliver late and out of order) up to now, in bounded windows, oldest first. A provider that documents
 * events visible hours late (`latenessMs`) gets a sweep: every `lateSweepEveryMs` one poll reaches back
 * that far instead, so the frequent polls stay short. The time of the last sweep is saved with the cursor,
 * so a restart does not sweep again before it is due (a restart's own re-read is the trailing window). After each page is
 * acknowledged by Kafka the cursor moves to the page's newest record time (for a stream that reads
 * newest first, only at the end of each window); the deterministic event ids make the re-read part
 * harmless, and ids published by this process are not sent again. A continuation the provider refuses
 * as expired mid-window restarts that window's read from the saved position (`readWindow`).
 */
export class ActivityPoller {
  private readonly cursorKey: string;
  /** event_id → occurred_at of events this process published that a later re-read may return again. */
  private readonly recent = new Map<string, number>();
  /** When the last lateness sweep completed; read from the cursor at the first poll. */
  private lastSweepAt: number | null = null;
  /** Hash of the raw text → when it was dead-lettered, for records that a re-read returns again. */
  private readonly recentDead = new Map<string, number>();
  private readonly repeats: RepeatFilter = {
    isRepeatEvent: (id) => this.recent.has(id),
    isRepeatDeadLetter: (raw) => this.recentDead.has(hashOf(raw)),
  };

  constructor(
    private readonly ref: StreamRef,
    private readonly stream: ActivityStream,
    /** The connector's `normalizeActivity`. */
    private readonly normalize: ConnectorDefinition['normalizeActivity'],
    private readonly settings: InstanceSettings['activities'],
    private readonly cursors: CursorStore,
    private readonly publisher: EventPublisher,
    readonly status: StreamStatus,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.cursorKey = CursorStore.key(ref.provider, ref.instance, stream.name);
    const saved = cursors.get(this.cursorKey)?.position.readUntil;
    if (typeof saved === 'number') this.status.readUntil = new Date(saved).toISOString();
  }

  /** One poll: reads everything new since the cursor. Throws on a failed page; the cursor stays at the last acknowledged page. */
  async poll(signal: AbortSignal): Promise<void> {
    const now = this.now();
    const end = now - this.settings.settleMs;
    const position = this.cursors.get(this.cursorKey)?.position;
    const saved = position?.readUntil;
    let readUntil = typeof saved === 'number' ? saved : now - this.settings.initialLookbackMs;
    // The first read of an instance (no cursor) covers its initial lookback and no more; a cursor saved
    // before sweeps existed counts as swept now (its trailing window is read as always).
    this.lastSweepAt ??= typeof position?.sweptAt === 'number' ? position.sweptAt : now;
    const sweep = typeof saved === 'number' && this.sweepDue(now);
    let since = Math.max(0, readUntil - (sweep ? this.reReadMs() : this.settings.trailingWindowMs));
    while (since < end && !signal.aborted) {
      const window: TimeWindow = { since, until: Math.min(end, since + this.settings.maxWindowMs) };
      for await (const { records: page, newest } of readWindow(this.stream, window, signal, this.log)) {
        this.status.fetched += page.length;
        const outcome = await this.publisher.publishActivities(this.ref, page, this.normalize, this.repeats);
        for (const event of outcome.published) this.recent.set(event.event_id, event.occurred_at);
        for (const raw of outcome.deadLettered) this.recentDead.set(hashOf(raw), this.now());
        this.status.published += outcome.published.length;
        this.status.deadLettered += outcome.deadLettered.length;
        this.status.repeated += outcome.skipped;
        // Everything strictly before the newest record has been read; records sharing its millisecond may
        // be on the next page. Newest first, older records of the window may follow: `newest` is -Infinity.
        if (newest > readUntil) readUntil = await this.saveCursor(newest);
      }
      if (signal.aborted) return;
      if (window.until > readUntil) readUntil = await this.saveCursor(window.until);
      this.forgetOlderThan(readUntil - this.reReadMs());
      since = window.until;
    }
    if (sweep && !signal.aborted) {
      this.lastSweepAt = now;
      await this.saveCursor(readUntil);
    }
    this.status.freshnessMs = Math.max(0, this.now() - readUntil);
  }

  /** How far before the cursor a read may reach: the trailing window, or the lateness window when longer. */
  private reReadMs(): number {
    return Math.max(this.settings.trailingWindowMs, this.settings.latenessMs ?? 0);
  }

  private sweepDue(now: number): boolean {
    if (this.reReadMs() <= this.settings.trailingWindowMs) return false;
    return now - (this.lastSweepAt ?? now) >= (this.settings.lateSweepEveryMs ?? DEFAULT_LATE_SWEEP_EVERY_MS);
  }

  private async saveCursor(readUntil: number): Promise<number> {
    await this.cursors.save(this.cursorKey, { readUntil, ...(this.lastSweepAt !== null ? { sweptAt: this.lastSweepAt } : {}) });
    this.status.readUntil = new Date(readUntil).toISOString();
    this.status.freshnessMs = Math.max(0, this.now() - readUntil);
    this.log.debug({ stream: this.stream.name, readUntil: this.status.readUntil }, 'cursor saved');
    return readUntil;
  }

  private forgetOlderThan(cutoff: number): void {
    for (const [id, at] of this.recent) if (at < cutoff) this.recent.delete(id);
    // A dead record may have no usable time: forget it once the trailing window has surely moved past it.
    const deadCutoff = this.now() - 2 * this.reReadMs() - this.settings.maxWindowMs;
    for (const [hash, at] of this.recentDead) if (at < deadCutoff) this.recentDead.delete(hash);
  }
}

function hashOf(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}
