import type { TopicPartition } from '../../core/kafka.js';
import type { Logger } from '../../core/logger.js';
import { partitionName, type PartitionStateStore } from './partition-state-store.js';
import type { MemoryPolicyState } from './state.js';

/**
 * The per-partition work of one consumer group member, opened from the state saved in Kafka. Any
 * change of assignment drops everything (another member may have moved a partition on meanwhile);
 * the state of the newly assigned partitions is then read back once, in one pass over the topic.
 */
export class AssignedPartitions<W> {
  private readonly open = new Map<string, W>();
  /** The assignment the open work belongs to: every rejoin gives a new array, even with the same partitions. */
  private seen: readonly TopicPartition[] | null = null;
  private snapshot: { names: Set<string>; states: Promise<Map<string, MemoryPolicyState>> } | null = null;

  constructor(
    private readonly store: PartitionStateStore,
    private readonly create: (topic: string, partition: number, state: MemoryPolicyState) => W,
    private readonly log: Logger,
  ) {}

  /** The work of a partition, reading its state back when it was not open. */
  async get(assignment: readonly TopicPartition[], topic: string, partition: number): Promise<W> {
    if (assignment !== this.seen) {
      this.seen = assignment;
      this.open.clear();
      this.snapshot = null;
      this.log.info({ partitions: assignment.map((p) => partitionName(p.topic, p.partition)) }, 'partitions assigned');
    }
    const name = partitionName(topic, partition);
    const known = this.open.get(name);
    if (known) return known;

    if (!this.snapshot?.names.has(name)) {
      const names = new Set([...assignment.map((p) => partitionName(p.topic, p.partition)), name]);
      this.snapshot = { names, states: this.store.load([...names]) };
    }
    const snapshot = this.snapshot;
    let states: Map<string, MemoryPolicyState>;
    try {
      states = await snapshot.states;
    } catch (err) {
      if (this.snapshot === snapshot) this.snapshot = null;
      throw err;
    }
    // Each partition's snapshot is used once: a partition opened again reads the topic again.
    snapshot.names.delete(name);
    const state = states.get(name)!;
    states.delete(name);
    const work = this.create(topic, partition, state);
    this.open.set(name, work);
    this.log.debug({ partition: name, stateEntries: state.size }, 'policy state read back');
    return work;
  }

  /** Forgets a partition's work (its memory may hold what was not saved): the next `get` reads it back. */
  drop(topic: string, partition: number): void {
    this.open.delete(partitionName(topic, partition));
  }

  values(): IterableIterator<W> {
    return this.open.values();
  }

  get size(): number {
    return this.open.size;
  }
}
