import type { Logger } from '../../core/logger.js';
import type { ActivityStream, TimeWindow } from '../contract.js';
import { obj } from '../runtime/json-fields.js';
import { isoTime } from '../runtime/provider-time.js';
import type { ManagementClient } from './management-client.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** `subscriptions/content` lists at most 24 hours at a time... */
export const MAX_LISTING_WINDOW_MS = DAY;
/** ...starting at most 7 days ago; a margin keeps a request queued for a while from crossing the limit. */
export const MAX_LISTING_AGE_MS = 7 * DAY - 10 * 60_000;

/**
 * The windows of `subscriptions/content` requests that cover `window`: clamped to the last 7 days and to
 * `now` (the cursor never moves past the present), cut into pieces of at most 24 hours.
 */
export function listingWindows(window: TimeWindow, now: number): TimeWindow[] {
  const until = Math.min(window.until, now);
  let since = Math.max(window.since, now - MAX_LISTING_AGE_MS);
  const out: TimeWindow[] = [];
  while (since < until) {
    const end = Math.min(until, since + MAX_LISTING_WINDOW_MS);
    out.push({ since, until: end });
    since = end;
  }
  return out;
}

/**
 * One content type of the Management Activity API as an activity stream (`management/Audit.Exchange`),
 * with its own cursor. The runtime's windows are availability times (a blob's `contentCreated`); records
 * inside may be hours older and out of order, so the runtime re-reads a long trailing window. A blob
 * already read and acknowledged is not fetched again while it stays in that window; the same record in
 * two blobs gets the same event id (from its `Id`), so it is stored once.
 */
export class ManagementActivityStream implements ActivityStream {
  readonly name: string;
  readonly capabilities = ['activities:logon', 'activities:user', 'activities:admin'] as const;
  readonly permission: string;
  /** Blobs skipped because they expired before they could be fetched, since start. */
  expiredSkipped = 0;
  /** Blobs fetched since start. */
  blobsFetched = 0;
  /** contentId → contentCreated of blobs whose records Kafka acknowledged. */
  readonly #done = new Map<string, number>();
  #subscribed: Promise<unknown> | null = null;

  constructor(
    readonly contentType: string,
    private readonly client: ManagementClient,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.name = `management/${contentType}`;
    // DLP events carry sensitive data: their feed needs its own permission.
    this.permission = contentType === 'DLP.All' ? 'ActivityFeed.ReadDlp' : 'ActivityFeed.Read';
  }

  async *read(window: TimeWindow, signal: AbortSignal): AsyncIterable<unknown[]> {
    await this.#ensureSubscription();
    for (const listing of listingWindows(window, this.now())) {
      for await (const blobs of this.client.listContent(this.contentType, listing)) {
        for (const blob of blobs) {
          if (signal.aborted) return;
          if (this.#done.has(blob.contentId)) continue;
          if (blob.contentExpiration !== null && blob.contentExpiration <= this.now()) {
            this.#skipExpired(blob.contentId, blob.contentCreated);
            continue;
          }
          const content = await this.client.fetchContent(blob);
          if (content.status !== 'ok') {
            if (content.status === 'expired') this.#skipExpired(blob.contentId, blob.contentCreated);
            else this.log.warn({ stream: this.name, contentId: blob.contentId }, 'a listed content blob is gone; skipped');
            continue;
          }
          this.blobsFetched++;
          if (content.records.length > 0) yield sortByCreationTime(content.records);
          // Reached only after the runtime published the page and Kafka acknowledged it.
          this.#done.set(blob.contentId, blob.contentCreated);
        }
      }
    }
    this.#forget(this.now() - 7 * DAY - HOUR);
  }

  timeOf(raw: unknown): number | null {
    return isoTime(obj(raw)?.CreationTime);
  }

  #ensureSubscription(): Promise<unknown> {
    this.#subscribed ??= this.client.startSubscription(this.contentType).then(
      (state) => this.log.info({ stream: this.name, state }, 'audit subscription ready'),
      (err: unknown) => {
        this.#subscribed = null; // the next poll tries again
        throw err;
      },
    );
    return this.#subscribed;
  }

  #skipExpired(contentId: string, contentCreated: number): void {
    this.expiredSkipped++;
    this.#done.set(contentId, contentCreated);
    this.log.warn({ stream: this.name, contentId, expiredSkipped: this.expiredSkipped }, 'a content blob expired before it was fetched; its records are lost');
  }

  #forget(before: number): void {
    for (const [id, created] of this.#done) if (created < before) this.#done.delete(id);
  }
}

function sortByCreationTime(records: unknown[]): unknown[] {
  const keyed = records.map((raw, i) => ({ raw, i, t: isoTime(obj(raw)?.CreationTime) ?? Number.POSITIVE_INFINITY }));
  keyed.sort((a, b) => a.t - b.t || a.i - b.i);
  return keyed.map((k) => k.raw);
}
