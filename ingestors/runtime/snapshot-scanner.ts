import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { isAppwardenError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { normalizeItem, type SnapshotItem, type SnapshotStream } from '../contract.js';
import { CursorStore } from './cursor-store.js';
import { deletionEvent, identityOf, kindOf, type EntityIdentity } from './deletions.js';
import type { EventPublisher, StreamRef } from './publisher.js';
import { ScanSets, WHOLE_STREAM, type SeenEntity } from './scan-sets.js';
import type { StreamStatus } from './stream-status.js';

/** A scan under way, saved with the cursor so that a restarted process resumes it. */
interface RunningScan {
  id: string;
  startedAt: number;
  records: number;
  /** The stream's checkpoint after the last acknowledged page. */
  checkpoint?: string;
  /** The stream was read to its end; only the comparison with the previous scan is left. */
  read?: true;
}

/** The cursor of a snapshot stream: the last complete scan, and the one under way. */
interface ScanPosition {
  completedAt?: number;
  startedAt?: number;
  records?: number;
  running?: RunningScan;
}

const DELETIONS_PER_BATCH = 500;

/**
 * Runs full scans of a snapshot stream (accounts, files): publishes what it reads, checkpoints its
 * position after each acknowledged page so a restart resumes, and once a scan has read everything,
 * publishes a deletion event for each entity the previous complete scan saw and this one did not.
 * What each scan saw is kept on disk under `dataDir` (see ScanSets), never all in memory. A scan
 * that fails or is stopped deletes nothing; the next attempt resumes it.
 */
export class SnapshotScanner {
  private readonly cursorKey: string;
  private readonly sets: ScanSets;

  constructor(
    private readonly ref: StreamRef,
    private readonly stream: SnapshotStream,
    private readonly cursors: CursorStore,
    private readonly publisher: EventPublisher,
    readonly status: StreamStatus,
    private readonly log: Logger,
    dataDir: string,
    private readonly now: () => number = Date.now,
  ) {
    this.cursorKey = CursorStore.key(ref.provider, ref.instance, stream.name);
    this.sets = new ScanSets(path.join(dataDir, 'scans', ...this.cursorKey.split('/').map(encodeURIComponent)));
  }

  get topic(): SnapshotStream['topic'] {
    return this.stream.topic;
  }

  /** When the last complete scan finished (epoch ms), or null. */
  lastCompletedAt(): number | null {
    const value = this.position().completedAt;
    return typeof value === 'number' ? value : null;
  }

  /** When the last complete scan started (epoch ms), or null: what changed before then, it saw. */
  lastCompletedStartedAt(): number | null {
    const value = this.position().startedAt;
    return typeof value === 'number' ? value : null;
  }

  /** What the last complete scan saw of these record ids: its scope and identity. */
  known(ids: readonly string[]): Promise<Map<string, SeenEntity>> {
    return this.sets.find(ids);
  }

  async scan(signal: AbortSignal): Promise<void> {
    const run = await this.runningScan();
    if (!run.read) {
      await this.readPages(run, signal);
      if (signal.aborted) return;
      run.read = true;
      await this.saveRunning(run);
    }
    const deleted = await this.publishDeletions(run);
    await this.cursors.save(this.cursorKey, { completedAt: this.now(), startedAt: run.startedAt, records: run.records });
    this.log.info({ stream: this.stream.name, records: run.records, deleted, ms: this.now() - run.startedAt }, 'snapshot scan complete');
  }

  /**
   * Publishes the scan's pages from its checkpoint, recording what each saw before saving the
   * checkpoint past it. A checkpoint the provider refuses outright (an expired page token) is
   * dropped, so the next attempt reads from the start instead of failing forever.
   */
  private async readPages(run: RunningScan, signal: AbortSignal): Promise<void> {
    const resumedFrom = run.checkpoint;
    let pages = 0;
    try {
      for await (const page of this.stream.read(signal, run.checkpoint)) {
        pages++;
        this.status.fetched += page.items.length;
        const outcome = await this.publisher.publishSnapshot(this.ref, this.stream.topic, page.items, (item, ctx) => normalizeItem(this.stream, item, ctx));
        this.status.published += outcome.published.length;
        this.status.deadLettered += outcome.deadLettered.length;
        const seen: SeenEntity[] = outcome.published.map((event) => ({ id: event.record_id, scope: page.scope ?? kindOf(event), identity: identityOf(event) }));
        // A record that could not be normalized has no id: whatever its part of the stream held is kept.
        const skipped = [...(page.skipped ?? []), ...(outcome.deadLettered.length > 0 ? [page.scope ?? WHOLE_STREAM] : [])];
        await this.sets.append(run.id, seen, skipped);
        run.records += page.items.length;
        if (page.checkpoint !== undefined) {
          run.checkpoint = page.checkpoint;
          await this.saveRunning(run);
        }
        if (signal.aborted) return;
      }
    } catch (err) {
      if (pages === 0 && resumedFrom !== undefined && isAppwardenError(err) && !err.retriable && !signal.aborted) {
        this.log.warn({ stream: this.stream.name, err }, 'the provider refused to resume the scan from its checkpoint; the next attempt reads from the start');
        delete run.checkpoint;
        await this.saveRunning(run);
      }
      throw err;
    }
  }

  private position(): ScanPosition {
    return (this.cursors.get(this.cursorKey)?.position ?? {}) as ScanPosition;
  }

  /** The scan to continue, or a new one. A saved scan whose journal this process lacks starts over: its earlier pages' ids are unknown here. */
  private async runningScan(): Promise<RunningScan> {
    const saved = this.position().running;
    if (saved && (await this.sets.hasJournal(saved.id))) {
      this.log.info({ stream: this.stream.name, records: saved.records, resume: saved.checkpoint !== undefined }, 'resuming the snapshot scan');
      return { ...saved };
    }
    if (saved) this.log.warn({ stream: this.stream.name }, 'a scan under way was saved, but not what it saw: starting it over');
    const run: RunningScan = { id: randomUUID(), startedAt: this.now(), records: 0 };
    await this.sets.begin(run.id);
    await this.saveRunning(run);
    return run;
  }

  private async saveRunning(run: RunningScan): Promise<void> {
    await this.cursors.save(this.cursorKey, { ...this.position(), running: run });
  }

  /**
   * Compares the completed scan with the previous complete one and publishes the deletions, observed
   * at the scan's start: any observation made while it ran is newer and wins. Safe to repeat after a
   * crash (the same events again); once committed, the set is not compared with itself.
   */
  private async publishDeletions(run: RunningScan): Promise<number> {
    const previous = await this.sets.completeScan();
    if (previous === run.id) return 0;
    if (previous === null) this.log.info({ stream: this.stream.name }, 'no earlier complete scan on this machine: deletions are found from the next scan on');
    let deleted = 0;
    const toItem = (identity: unknown): SnapshotItem => ({ kind: 'deleted', raw: identity });
    const tombstone = (item: SnapshotItem) => deletionEvent(item.raw as EntityIdentity, this.ref, run.startedAt, 'scan');
    for await (const gone of this.sets.compare(run.id, previous)) {
      for (let i = 0; i < gone.length; i += DELETIONS_PER_BATCH) {
        const outcome = await this.publisher.publishSnapshot(this.ref, this.stream.topic, gone.slice(i, i + DELETIONS_PER_BATCH).map(toItem), tombstone);
        deleted += outcome.published.length;
        this.status.published += outcome.published.length;
      }
    }
    await this.sets.commit(run.id);
    return deleted;
  }
}
