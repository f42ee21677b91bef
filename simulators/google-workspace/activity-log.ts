/** One stored Reports API activity and when it becomes readable. */
export interface StoredActivity {
  application: string;
  timeMs: number;
  uniqueQualifier: string;
  /** Insertion number: breaks ties and keeps paging positions stable. */
  seq: number;
  visibleAtMs: number;
  actorEmail: string | null;
  body: unknown;
}

/** A place in the newest-first order, strictly between two activities: a paging position. */
export interface ActivityPosition {
  t: number;
  u: string;
  s: number;
}

export interface ActivityQuery {
  application: string;
  /** Inclusive bounds on the activity's time, as Google's startTime/endTime are. */
  startMs: number;
  endMs: number;
  nowMs: number;
  limit: number;
  after?: ActivityPosition;
  matches(entry: StoredActivity): boolean;
}

/** Newest first; ties by unique qualifier, then by insertion, both descending. */
function compare(a: { timeMs: number; uniqueQualifier: string; seq: number }, b: { timeMs: number; uniqueQualifier: string; seq: number }): number {
  if (a.timeMs !== b.timeMs) return b.timeMs - a.timeMs;
  if (a.uniqueQualifier !== b.uniqueQualifier) return a.uniqueQualifier < b.uniqueQualifier ? 1 : -1;
  return b.seq - a.seq;
}

function asEntry(pos: ActivityPosition): { timeMs: number; uniqueQualifier: string; seq: number } {
  return { timeMs: pos.t, uniqueQualifier: pos.u, seq: pos.s };
}

/**
 * The tenant's audit log, one newest-first array per application. Reads binary-search their start
 * and walk only the page they return; an activity is served once the clock reaches its visibility time.
 */
export class ActivityLog {
  readonly #byApplication = new Map<string, StoredActivity[]>();
  #nextSeq = 0;

  get size(): number {
    let n = 0;
    for (const list of this.#byApplication.values()) n += list.length;
    return n;
  }

  /** Adds many entries at once (the generated history): one sort per application. */
  load(entries: Array<Omit<StoredActivity, 'seq'>>): void {
    for (const entry of entries) this.#list(entry.application).push({ ...entry, seq: this.#nextSeq++ });
    for (const list of this.#byApplication.values()) list.sort(compare);
  }

  insert(entry: Omit<StoredActivity, 'seq'>): StoredActivity {
    const stored = { ...entry, seq: this.#nextSeq++ };
    const list = this.#list(entry.application);
    list.splice(this.#firstAfter(list, stored), 0, stored);
    return stored;
  }

  /** One page in newest-first order, and the position of the next page when more readable entries remain. */
  page(query: ActivityQuery): { entries: StoredActivity[]; next?: ActivityPosition } {
    const list = this.#byApplication.get(query.application) ?? [];
    const readable = (e: StoredActivity) => e.visibleAtMs <= query.nowMs && query.matches(e);
    let i = query.after ? this.#firstAfter(list, asEntry(query.after)) : this.#firstAtOrBefore(list, query.endMs);
    const entries: StoredActivity[] = [];
    for (; i < list.length && list[i]!.timeMs >= query.startMs && entries.length < query.limit; i++) {
      if (readable(list[i]!)) entries.push(list[i]!);
    }
    let more = false;
    for (; !more && entries.length === query.limit && i < list.length && list[i]!.timeMs >= query.startMs; i++) more = readable(list[i]!);
    const last = entries[entries.length - 1];
    return more && last ? { entries, next: { t: last.timeMs, u: last.uniqueQualifier, s: last.seq } } : { entries };
  }

  /** Every entry of an application (or all), newest first, visible or not. */
  entries(application?: string): StoredActivity[] {
    if (application !== undefined) return [...(this.#byApplication.get(application) ?? [])];
    return [...this.#byApplication.values()].flat().sort(compare);
  }

  #list(application: string): StoredActivity[] {
    let list = this.#byApplication.get(application);
    if (!list) {
      list = [];
      this.#byApplication.set(application, list);
    }
    return list;
  }

  /** First index whose entry comes strictly after `pos` in newest-first order. */
  #firstAfter(list: readonly StoredActivity[], pos: { timeMs: number; uniqueQualifier: string; seq: number }): number {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(list[mid]!, pos) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index whose time is at or before `ms`. */
  #firstAtOrBefore(list: readonly StoredActivity[], ms: number): number {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]!.timeMs > ms) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
