/**
 * Where the evaluator keeps what it must remember between events: threshold windows, the values
 * seen per group, the last location per group, open alerts, daily counters and safety counters.
 * Values are plain JSON. The evaluator calls `set` after every change, so a store can persist
 * changes as they happen (e.g. to a compacted changelog topic) or snapshot the whole state; keys
 * start with the policy id and a kind of entry, so one policy's state can be listed or dropped.
 */
export interface PolicyState {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  delete(key: string): void;
  keys(): Iterable<string>;
}

/** The serialized form of a `MemoryPolicyState`. */
export interface PolicyStateSnapshot {
  version: 1;
  entries: Array<[string, unknown]>;
}

/** A PolicyState in memory, serializable to JSON, that remembers which keys changed since the last `takeChanges()`. */
export class MemoryPolicyState implements PolicyState {
  private readonly entries = new Map<string, unknown>();
  private readonly changed = new Set<string>();

  get(key: string): unknown {
    return this.entries.get(key);
  }

  set(key: string, value: unknown): void {
    this.entries.set(key, value);
    this.changed.add(key);
  }

  delete(key: string): void {
    if (this.entries.delete(key)) this.changed.add(key);
  }

  keys(): Iterable<string> {
    return this.entries.keys();
  }

  get size(): number {
    return this.entries.size;
  }

  /** The keys changed since the last call, with their value (undefined: deleted). */
  takeChanges(): Array<[string, unknown]> {
    const out: Array<[string, unknown]> = [...this.changed].map((k) => [k, this.entries.get(k)]);
    this.changed.clear();
    return out;
  }

  /** A deep copy of the whole state as JSON-ready data. */
  toJSON(): PolicyStateSnapshot {
    return { version: 1, entries: [...this.entries].map(([k, v]) => [k, structuredClone(v)]) };
  }

  static fromJSON(snapshot: PolicyStateSnapshot): MemoryPolicyState {
    const state = new MemoryPolicyState();
    for (const [k, v] of snapshot.entries) state.entries.set(k, structuredClone(v));
    return state;
  }
}
