import type { EventKind } from './event-kinds.js';

interface EntryBase {
  /** The event's uuid, or for a raw record without one, an internal id used only for ordering. */
  readonly uuid: string;
  readonly publishedMs: number;
  /** When the event becomes readable: it is served once the clock reaches this instant. */
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

/** How one of the two arrays is ordered: its time key, and how an entry compares with a position. */
interface Ordering {
  time(e: LogEntry): number;
  compare(e: LogEntry, pos: LogPosition): number;
  sort(a: LogEntry, b: LogEntry): number;
}

const PUBLISHED: Ordering = {
  time: (e) => e.publishedMs,
  compare: (e, pos) => {
    if (e.publishedMs !== pos.ms) return e.publishedMs - pos.ms;
    if (e.uuid !== pos.uuid) return e.uuid < pos.uuid ? -1 : 1;
    return e.seq - pos.seq;
  },
  sort: (a, b) => {
    if (a.publishedMs !== b.publishedMs) return a.publishedMs - b.publishedMs;
    if (a.uuid !== b.uuid) return a.uuid < b.uuid ? -1 : 1;
    return a.seq - b.seq;
  },
};

// Ties in visibility time go by insertion, so an entry added later always sorts after every position
// already handed out: a polling cursor can never be overtaken by a newly visible event.
const VISIBLE: Ordering = {
  time: (e) => e.visibleAtMs,
  compare: (e, pos) => (e.visibleAtMs !== pos.ms ? e.visibleAtMs - pos.ms : e.seq - pos.seq),
  sort: (a, b) => (a.visibleAtMs !== b.visibleAtMs ? a.visibleAtMs - b.visibleAtMs : a.seq - b.seq),
};

/** First index whose entry is strictly after `pos`. */
function indexAfter(list: readonly LogEntry[], ordering: Ordering, pos: LogPosition): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ordering.compare(list[mid]!, pos) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose time is at or after `ms`. */
function indexAtOrAfter(list: readonly LogEntry[], ordering: Ordering, ms: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ordering.time(list[mid]!) < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function positionOf(entry: LogEntry, order: LogOrder): LogPosition {
  return order === 'visible-asc' ? { ms: entry.visibleAtMs, uuid: '', seq: entry.seq } : { ms: entry.publishedMs, uuid: entry.uuid, seq: entry.seq };
}

/**
 * The System Log's events in two sorted arrays: by (published, uuid, insertion) for bounded reads and
 * by (visibility time, insertion) for polling reads. Reads binary-search their start and walk only the
 * page they return.
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
    this.byPublished.sort(PUBLISHED.sort);
    this.byVisible.sort(VISIBLE.sort);
  }

  insert(entry: LogEntry): void {
    entry.seq = this.nextSeq++;
    insertSorted(this.byPublished, PUBLISHED, entry);
    insertSorted(this.byVisible, VISIBLE, entry);
  }

  /** One page of entries that are visible at `nowMs` and match, in the query's order. */
  page(query: PageQuery): LogPage {
    const { order, limit, nowMs, matches } = query;
    const entries: LogEntry[] = [];
    const readable = (e: LogEntry) => e.visibleAtMs <= nowMs && matches(e);

    if (order === 'visible-asc') {
      const list = this.byVisible;
      let i = query.after ? indexAfter(list, VISIBLE, query.after) : indexAtOrAfter(list, VISIBLE, query.sinceMs);
      // Sorted by visibility: everything from the first entry not yet visible on is unreadable.
      for (; i < list.length && entries.length < limit; i++) {
        const e = list[i]!;
        if (e.visibleAtMs > nowMs) break;
        if (matches(e)) entries.push(e);
      }
      const last = entries[entries.length - 1];
      // A polling read always has a next page, even an empty one.
      const next = last ? positionOf(last, order) : (query.after ?? { ms: query.sinceMs, uuid: '', seq: -1 });
      return { entries, next };
    }

    const list = this.byPublished;
    const ascending = order === 'published-asc';
    const step = ascending ? 1 : -1;
    const inRange = (j: number) => j >= 0 && j < list.length && (ascending ? list[j]!.publishedMs < query.untilMs : list[j]!.publishedMs >= query.sinceMs);
    let i = ascending
      ? (query.after ? indexAfter(list, PUBLISHED, query.after) : indexAtOrAfter(list, PUBLISHED, query.sinceMs))
      // Descending: the last entry strictly before the cursor (seq - 1 counts the cursor's own entry as after it).
      : (query.after ? indexAfter(list, PUBLISHED, { ...query.after, seq: query.after.seq - 1 }) : indexAtOrAfter(list, PUBLISHED, query.untilMs)) - 1;
    for (; inRange(i) && entries.length < limit; i += step) {
      if (readable(list[i]!)) entries.push(list[i]!);
    }
    // A bounded read offers a next page only while another readable entry remains in range.
    let more = false;
    for (; !more && entries.length === limit && inRange(i); i += step) more = readable(list[i]!);
    const last = entries[entries.length - 1];
    return more && last ? { entries, next: positionOf(last, order) } : { entries };
  }

  /** Entries published in [sinceMs, untilMs), visible or not, in published order. */
  *publishedBetween(sinceMs: number, untilMs: number): Generator<LogEntry> {
    const list = this.byPublished;
    for (let i = indexAtOrAfter(list, PUBLISHED, sinceMs); i < list.length && list[i]!.publishedMs < untilMs; i++) yield list[i]!;
  }
}

function insertSorted(list: LogEntry[], ordering: Ordering, entry: LogEntry): void {
  const pos = positionOf(entry, ordering === VISIBLE ? 'visible-asc' : 'published-asc');
  const last = list[list.length - 1];
  if (!last || ordering.compare(last, pos) < 0) list.push(entry);
  else list.splice(indexAfter(list, ordering, pos), 0, entry);
}
