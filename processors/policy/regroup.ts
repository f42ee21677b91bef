import type { ConsumedRecord, KafkaMessage } from '../../core/kafka.js';
import type { CompiledPolicy } from './compile.js';
import { RecordContext, type Enricher, type PolicyRecord, type RecordKind } from './record-context.js';

/** On `<prefix>.policy.regroup`: the id of the policy a forwarded record is for. */
export const POLICY_HEADER = 'aw-policy';

/**
 * True when one input partition sees every record of each of the policy's groups: audit events are
 * keyed by user, so a stateful policy must group by the user (and maybe more); a stateless one has no groups.
 */
export function groupsFollowPartitions(policy: CompiledPolicy): boolean {
  const spec = policy.policy;
  const groupBy = spec.threshold?.group_by ?? spec.new_value?.group_by ?? spec.impossible_travel?.group_by ?? null;
  return groupBy === null || (policy.recordKind === 'audit' && groupBy.includes('actor.email'));
}

/**
 * The two stages of policies whose groups do not follow the input partitions (e.g. password spray,
 * counted per source address over events keyed by user). Stage one, on the input partitions, runs
 * their stateless part (`CompiledPolicy.test`) and forwards each matching record to
 * `<prefix>.policy.regroup`, keyed by policy and group, so that stage two, on the regroup
 * partitions, sees all of a group's records in one place and runs the stateful part there.
 */
export class Regrouping {
  private readonly byKind: Record<RecordKind, CompiledPolicy[]> = { audit: [], file: [], account: [] };
  private readonly byId: ReadonlyMap<string, CompiledPolicy>;

  constructor(policies: readonly CompiledPolicy[]) {
    const spread = policies.filter((p) => !groupsFollowPartitions(p));
    for (const p of spread) if (p.policy.enabled) this.byKind[p.recordKind].push(p);
    this.byId = new Map(spread.map((p) => [p.id, p]));
  }

  /** The policies run in two stages, by id. */
  get policies(): ReadonlyMap<string, CompiledPolicy> {
    return this.byId;
  }

  /** Stage one: the messages forwarding `record` (its bytes as they came) for each such policy it matches. */
  forward(record: PolicyRecord, kind: RecordKind, message: ConsumedRecord, enricher: Enricher): KafkaMessage[] {
    const candidates = this.byKind[kind];
    if (candidates.length === 0) return [];
    const ctx = new RecordContext(record, enricher);
    const out: KafkaMessage[] = [];
    for (const policy of candidates) {
      if (!policy.test(ctx)) continue;
      const group = policy.groupKey(ctx);
      if (group === null) continue;
      out.push({ key: `${policy.id}\u001f${group}`, value: message.value, headers: { [POLICY_HEADER]: policy.id } });
    }
    return out;
  }
}
