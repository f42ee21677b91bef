import type { EventKind } from './event-kinds.js';

interface EntryBase {
  /** The event's uuid, or for a raw record without one, an internal id used only for ordering. */
  readonly uuid: string;
  readonly publishedMs: number;
  /** When the event becomes readable: it is served once the clock is past this instant. */
  readonly visibleAtMs: number;
  /** Insertion number; breaks ties between entries with the same time and uuid. */
  seq: number;
}

/** A generated event, kept compact (indexes into the directory) and rendered when served. */
export interface GeneratedEntry extends EntryBase {
  readonly source: 'generated';
  readonly kind: EventKind;
  /** Index of the acting user (-1 when the actor is not a user). */
  readonly actor: number;
  /** Index of the user the event is about. */
  readonly subject: number;
  readonly app: number;
  readonly group: number;
  readonly location: number;
  readonly debugData?: Record<string, string>;
}

/** An event given whole (added by a test or injected raw); served exactly as given. */
export interface StoredEntry extends EntryBase {
  readonly source: 'stored';
  readonly body: unknown;
}

export type LogEntry = GeneratedEntry | StoredEntry;

/** The three orders the System Log is read in; the polling order is by visibility (persistence) time. */
export type LogOrder = 'published-asc' | 'published-desc' | 'visible-asc';

/** A place in one order, strictly between two entries: a paging cursor. */
export interface LogPosition {
  ms: number;
  uuid: string;
  seq: number;
}

export interface PageQuery {
  order: LogOrder;
  /** Lower bound (inclusive) of published time, or of visibility time for `visible-asc`. */
  sinceMs: number;
  /** Upper bound (exclusive) of published time; required for the published orders. */
  untilMs: number;
  after?: LogPosition;
  limit: number;
  nowMs: number;
  matches(entry: LogEntry): boolean;
}

export interface LogPage {
  entries: LogEntry[];
  /** Where the next page starts; absent when a bounded read is exhausted. */
  next?: LogPosition;
}

function compareKeys(aMs: number, aUuid: string, aSeq: number, bMs: number, bUuid: string, bSeq: number): number {
  if (aMs !== bMs) return aMs - bMs;
  if (aUuid !== bUuid) return aUuid < bUuid ? -1 : 1;
  return aSeq - bSeq;
}

const published = (e: LogEntry) => e.publishedMs;
const visible = (e: LogEntry) => e.visibleAtMs;

/** First index whose key is strictly after `pos`. */
function indexAfter(list: readonly LogEntry[], key: (e: LogEntry) => number, pos: LogPosition): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const e = list[mid]!;
    if (compareKeys(key(e), e.uuid, e.seq, pos.ms, pos.uuid, pos.seq) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose key time is at or after `ms`. */
function indexAtOrAfter(list: readonly LogEntry[], key: (e: LogEntry) => number, ms: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(list[mid]!) < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function positionOf(entry: LogEntry, order: LogOrder): LogPosition {
  return { ms: order === 'visible-asc' ? entry.visibleAtMs : entry.publishedMs, uuid: entry.uuid, seq: entry.seq };
}

/**
 * The System Log's events in two sorted arrays: by published time (bounded reads) and by visibility
 * time (polling reads), each ordered by (time, uuid, insertion). Reads binary-search their start and
 * walk only the page they return.
 */
export class EventStore {
  private readonly byPublished: LogEntry[] = [];
  private readonly byVisible: LogEntry[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.byPublished.length;
  }

  /** All entries in published order (read-only view of the live array). */
  get entries(): readonly LogEntry[] {
    return this.byPublished;
  }

  /** Adds many entries at once (the generated history): one sort instead of many inserts. */
  load(entries: LogEntry[]): void {
    for (const entry of entries) {
      entry.seq = this.nextSeq++;
      this.byPublished.push(entry);
      this.byVisible.push(entry);
    }
    this.byPublished.sort((a, b) => compareKeys(a.publishedMs, a.uuid, a.seq, b.publishedMs, b.uuid, b.seq));
    this.byVisible.sort((a, b) => compareKeys(a.visibleAtMs, a.uuid, a.seq, b.visibleAtMs, b.uuid, b.seq));
  }

  insert(entry: LogEntry): void {
    entry.seq = this.nextSeq++;
    insertSorted(this.byPublished, published, entry);
    insertSorted(this.byVisible, visible, entry);
  }

  /** One page of entries that are visible at `nowMs` and match, in the query's order. */
  page(query: PageQuery): LogPage {
    const { order, limit, nowMs, matches } = query;
    const entries: LogEntry[] = [];
    const readable = (e: LogEntry) => e.visibleAtMs < nowMs && matches(e);

    if (order === 'visible-asc') {
      const list = this.byVisible;
      let i = query.after ? indexAfter(list, visible, query.after) : indexAtOrAfter(list, visible, query.sinceMs);
      // Sorted by visibility: everything from the first entry not yet visible on is unreadable.
      for (; i < list.length && entries.length < limit; i++) {
        const e = list[i]!;
        if (e.visibleAtMs >= nowMs) break;
        if (matches(e)) entries.push(e);
      }
      const last = entries[entries.length - 1];
      // A polling read always has a next page, even an empty one.
      const next = last ? positionOf(last, order) : (query.after ?? { ms: query.sinceMs, uuid: '', seq: -1 });
      return { entries, next };
    }

    const list = this.byPublished;
    if (order === 'published-asc') {
      let i = query.after ? indexAfter(list, published, query.after) : indexAtOrAfter(list, published, query.sinceMs);
      for (; i < list.length && list[i]!.publishedMs < query.untilMs && entries.length < limit; i++) {
        if (readable(list[i]!)) entries.push(list[i]!);
      }
      let more = false;
      for (; i < list.length && list[i]!.publishedMs < query.untilMs && entries.length === limit; i++) {
        if (readable(list[i]!)) {
          more = true;
          break;
        }
      }
      const last = entries[entries.length - 1];
      return more && last ? { entries, next: positionOf(last, order) } : { entries };
    }

    let i = (query.after ? indexAfter(list, published, { ...query.after, seq: query.after.seq - 1 }) : indexAtOrAfter(list, published, query.untilMs)) - 1;
    for (; i >= 0 && list[i]!.publishedMs >= query.sinceMs && entries.length < limit; i--) {
      if (readable(list[i]!)) entries.push(list[i]!);
    }
    let more = false;
    for (; i >= 0 && list[i]!.publishedMs >= query.sinceMs && entries.length === limit; i--) {
      if (readable(list[i]!)) {
        more = true;
        break;
      }
    }
    const last = entries[entries.length - 1];
    return more && last ? { entries, next: positionOf(last, order) } : { entries };
  }

  /** Entries published in [sinceMs, untilMs), visible or not, in published order. */
  *publishedBetween(sinceMs: number, untilMs: number): Generator<LogEntry> {
    const list = this.byPublished;
    for (let i = indexAtOrAfter(list, published, sinceMs); i < list.length && list[i]!.publishedMs < untilMs; i++) yield list[i]!;
  }
}

function insertSorted(list: LogEntry[], key: (e: LogEntry) => number, entry: LogEntry): void {
  const last = list[list.length - 1];
  if (!last || compareKeys(key(last), last.uuid, last.seq, key(entry), entry.uuid, entry.seq) < 0) {
    list.push(entry);
    return;
  }
  list.splice(indexAfter(list, key, positionOf(entry, key === visible ? 'visible-asc' : 'published-asc')), 0, entry);
}
