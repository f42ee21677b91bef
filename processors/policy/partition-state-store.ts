import type { KafkaBus, KafkaMessage } from '../../core/kafka.js';
import type { Logger } from '../../core/logger.js';
import { MemoryPolicyState } from './state.js';

const SEP = '\u001f';
/**
 * Largest state value written. Kafka refuses messages over `max.message.bytes` (1 MiB by default);
 * the evaluator bounds its entries well below that (a window keeps at most 10,000 events).
 */
export const MAX_STATE_VALUE_BYTES = 900_000;

/** `<topic>/<partition>`: the name of one input partition, of its evaluator and of its state's scope. */
export function partitionName(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

/** The scope of the entries shared by every partition of a process (see shared-state.ts). */
export const SHARED_SCOPE = 'shared';

/**
 * The policy evaluators' state as a changelog in the compacted `<prefix>.policy.state` topic, per
 * consumer group and scope (an input partition, `<topic>/<partition>`, or SHARED_SCOPE): one message
 * per piece of state (key `group␟scope␟state key`, value its JSON, a tombstone when it was dropped),
 * so values stay small and compaction keeps the latest of each. A processor that is given a partition
 * reads the pieces of that partition back and carries on where the previous owner stopped.
 */
export class PartitionStateStore {
  constructor(
    private readonly bus: Pick<KafkaBus, 'send' | 'readCompactedTopic' | 'topics'>,
    private readonly groupId: string,
    private readonly log: Logger,
  ) {}

  /** Reads the state of the given scopes; a scope never saved gets an empty state. */
  async load(scopes: readonly string[]): Promise<Map<string, MemoryPolicyState>> {
    const wanted = new Set(scopes);
    const entries = new Map<string, Map<string, unknown>>();
    const prefix = `${this.groupId}${SEP}`;
    let bad = 0;
    for (const record of await this.bus.readCompactedTopic(this.bus.topics.policyState)) {
      const key = record.key?.toString();
      if (!key?.startsWith(prefix)) continue;
      const at = key.indexOf(SEP, prefix.length);
      const scope = key.slice(prefix.length, at);
      if (at === -1 || !wanted.has(scope)) continue;
      const stateKey = key.slice(at + 1);
      let of = entries.get(scope);
      if (!of) entries.set(scope, (of = new Map()));
      if (record.value === null) {
        of.delete(stateKey);
        continue;
      }
      try {
        of.set(stateKey, JSON.parse(record.value.toString()));
      } catch {
        bad++;
      }
    }
    if (bad > 0) this.log.warn({ entries: bad }, 'ignored unreadable policy state entries');
    const out = new Map<string, MemoryPolicyState>();
    for (const scope of wanted) {
      out.set(scope, MemoryPolicyState.fromJSON({ version: 1, entries: [...(entries.get(scope) ?? [])] }));
    }
    return out;
  }

  /** Writes changed pieces of state per scope (undefined: dropped); resolves once Kafka acknowledged them all. */
  async save(changes: ReadonlyArray<readonly [scope: string, changes: ReadonlyArray<readonly [string, unknown]>]>): Promise<void> {
    const messages: KafkaMessage[] = [];
    for (const [scope, list] of changes) {
      for (const [stateKey, value] of list) {
        const key = `${this.groupId}${SEP}${scope}${SEP}${stateKey}`;
        if (value === undefined) {
          messages.push({ key, value: null });
          continue;
        }
        const bytes = Buffer.from(JSON.stringify(value));
        if (bytes.length > MAX_STATE_VALUE_BYTES) {
          // Kept in memory only: after a restart this piece starts afresh rather than stop the partition.
          this.log.error({ scope, stateKey: stateKey.replaceAll(SEP, '/'), bytes: bytes.length }, 'a piece of policy state is too large to persist; it is kept in memory only');
          continue;
        }
        messages.push({ key, value: bytes });
      }
    }
    await this.bus.send(this.bus.topics.policyState, messages);
  }
}
