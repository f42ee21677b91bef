import type { CompiledPolicy } from './compile.js';
import { Evaluator } from './evaluator.js';
import type { EvaluationResult, EvaluatorOptions } from './evaluation.js';
import type { GeoLocator } from './geo.js';
import type { Enricher, PolicyRecord } from './record-context.js';
import type { Regrouping } from './regroup.js';
import { PartitionPolicyState } from './shared-state.js';
import type { MemoryPolicyState } from './state.js';

/** What every partition's evaluators are built with. */
export interface PolicySet {
  /** Policies evaluated on the input partitions, whole. */
  aligned: readonly CompiledPolicy[];
  /** Policies whose stateful part runs on the regroup partitions. */
  regrouping: Regrouping;
  geo: GeoLocator | null;
}

export interface PartitionWorkOptions {
  /** The partition's own state entries. */
  state: MemoryPolicyState;
  /** The entries shared by every partition of the process. */
  shared: MemoryPolicyState;
  enricher: Enricher;
  lateArrivalMs: number;
  /** Wall clock, ceilings and time budget of live evaluation. */
  live: NonNullable<EvaluatorOptions['live']>;
  onPolicyError: NonNullable<EvaluatorOptions['onPolicyError']>;
  /** A partition of `<prefix>.policy.regroup`: one evaluator per policy, fed the records forwarded for it. */
  regrouped: boolean;
}

/**
 * The evaluation of one partition over its state: an input partition has one Evaluator with the
 * aligned policies; a regroup partition one Evaluator per policy (each record there is for one
 * policy), all over the same state, whose keys start with the policy id.
 */
export class PartitionWork {
  readonly state: MemoryPolicyState;
  private readonly policyState: PartitionPolicyState;
  private main: Evaluator | null = null;
  private readonly byPolicy = new Map<string, Evaluator>();
  private set: PolicySet;

  constructor(private readonly options: PartitionWorkOptions, set: PolicySet) {
    this.state = options.state;
    this.policyState = new PartitionPolicyState(options.state, options.shared);
    this.set = set;
    if (!options.regrouped) this.main = this.evaluator(set.aligned);
  }

  /** Evaluates a record; on a regroup partition, for the policy it was forwarded for (null: that policy no longer runs there). */
  process(record: PolicyRecord, policyId: string | undefined): EvaluationResult | null {
    if (this.main) return this.main.process(record);
    const policy = policyId === undefined ? undefined : this.set.regrouping.policies.get(policyId);
    if (!policy) return null;
    let evaluator = this.byPolicy.get(policy.id);
    if (!evaluator) this.byPolicy.set(policy.id, (evaluator = this.evaluator([policy])));
    return evaluator.process(record);
  }

  /** A deploy: new policies, state kept by policy id; the state of `removed` policies is dropped. */
  setPolicies(set: PolicySet, removed: readonly string[]): void {
    // Evaluators hold their GeoIP locator from construction: rebuild them over the same state.
    const rebuild = set.geo !== this.set.geo;
    this.set = set;
    if (!this.options.regrouped) {
      if (rebuild || !this.main) this.main = this.evaluator(set.aligned);
      else this.main.setPolicies(set.aligned);
      for (const id of removed) this.main.forgetPolicy(id);
      return;
    }
    for (const [id, evaluator] of this.byPolicy) {
      const policy = set.regrouping.policies.get(id);
      if (!policy) {
        this.byPolicy.delete(id);
        if (removed.includes(id)) evaluator.forgetPolicy(id);
      } else if (rebuild) this.byPolicy.set(id, this.evaluator([policy]));
      else evaluator.setPolicies([policy]);
    }
  }

  private evaluator(policies: readonly CompiledPolicy[]): Evaluator {
    return new Evaluator(policies, {
      state: this.policyState, enricher: this.options.enricher, geo: this.set.geo, lateArrivalMs: this.options.lateArrivalMs,
      live: this.options.live, onPolicyError: this.options.onPolicyError,
    });
  }
}
