import type { MemoryPolicyState, PolicyState } from './state.js';

/**
 * Kinds of state entry that are about a policy as a whole rather than a group of records: `s`
 * (targets acted on in an hour, the safety limit), `l` (alerts raised in a day, the daily limit) and
 * `x` (disabled or stopped acting). Kept per partition they would multiply each limit by the number
 * of partitions; the evaluator reads them from the state at each use, so one shared copy per process
 * makes the limits hold across the partitions that process evaluates.
 */
const SHARED_TAGS = new Set(['s', 'l', 'x']);
const SEP = '\u001f';

function isShared(key: string): boolean {
  const at = key.indexOf(SEP);
  return at !== -1 && key.charCodeAt(at + 2) === 0x1f && SHARED_TAGS.has(key[at + 1]!);
}

/** One partition's state, with the policy-wide entries (see SHARED_TAGS) kept in a state shared by every partition of the process. */
export class PartitionPolicyState implements PolicyState {
  constructor(
    /** The partition's own entries: windows, histories, locations, open alerts, match counters. */
    readonly own: MemoryPolicyState,
    /** The entries shared by every partition of this process. */
    readonly shared: MemoryPolicyState,
  ) {}

  get(key: string): unknown {
    return (isShared(key) ? this.shared : this.own).get(key);
  }

  set(key: string, value: unknown): void {
    (isShared(key) ? this.shared : this.own).set(key, value);
  }

  delete(key: string): void {
    (isShared(key) ? this.shared : this.own).delete(key);
  }

  *keys(): Iterable<string> {
    yield* this.own.keys();
    yield* this.shared.keys();
  }
}
