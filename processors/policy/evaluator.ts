import { AppwardenError } from '../../core/errors.js';
import type { Alert, GovernanceCommand } from '../../schemas/types.js';
import { alertSlot, joinOpenAlert, newAlertState, policyAlert, type AlertSlot, type PolicyNoticeKind } from './alerts.js';
import { planCommands } from './commands.js';
import type { CompiledPolicy, PolicyNeeds } from './compile.js';
import { staleKeys } from './expiry.js';
import type { GeoLocator } from './geo.js';
import type { PolicyMode } from './policy-schema.js';
import { RecordContext, recordIdOf, recordKindOf, recordTime, type Enricher, type PolicyRecord, type RecordKind } from './record-context.js';
import { loadPolicyStatus, savePolicyStatus, storedPolicyStatus, type PolicyStatus } from './policy-status.js';
import { MemoryPolicyState, type PolicyState } from './state.js';
import type { AlertDecision, EvaluationResult, EvaluatorOptions, LiveSettings, PolicyMatch, PolicyNotice } from './evaluation.js';
import { countDailyMatch, takeDailyAlert, takeSafetyTargets } from './limits.js';
import { impossibleTravel, newValue, REPLAYED, threshold, type Firing } from './stateful.js';

interface Run {
  compiled: CompiledPolicy;
  status: PolicyStatus;
  matchDay: number;
  matchCount: number;
  /** Records seen since the last measured one, and measured records in a row over the budget. */
  sinceSample: number;
  overBudget: number;
}

const HOUR_MS = 3_600_000;
const EMPTY: EvaluationResult = Object.freeze({
  matches: Object.freeze([]) as unknown as PolicyMatch[],
  alerts: Object.freeze([]) as unknown as AlertDecision[],
  commands: Object.freeze([]) as unknown as GovernanceCommand[],
  notices: Object.freeze([]) as unknown as PolicyNotice[],
});

/**
 * Evaluates records against compiled policies, in time order, with state behind a PolicyState.
 * Pure apart from that state: windows, alerts and ids follow the records' times (never the clock),
 * and a record already counted changes nothing when it is replayed, so a replay, a rebuild of the
 * windows from a partition, and a backtest give what the live run gave. Only the limits that guard
 * against a runaway (`live`: safety and daily alert limits, the time budget) read a clock.
 */
export class Evaluator {
  readonly state: PolicyState;
  private readonly enricher: Enricher | null;
  private readonly geo: GeoLocator | null;
  private readonly lateArrivalMs: number;
  private readonly live: LiveSettings | null;
  private readonly clock: () => number;
  private readonly sampleEvery: number;
  private readonly onPolicyError: ((policyId: string, err: unknown) => void) | null;
  private runs: Run[] = [];
  private byKind: Record<RecordKind, Run[]> = { audit: [], file: [], account: [] };
  private watermarkMs = -Infinity;
  private sweptHour = -Infinity;

  constructor(policies: readonly CompiledPolicy[], options: EvaluatorOptions = {}) {
    this.state = options.state ?? new MemoryPolicyState();
    this.enricher = options.enricher ?? null;
    this.geo = options.geo ?? null;
    this.lateArrivalMs = options.lateArrivalMs ?? HOUR_MS;
    this.live = options.live ?? null;
    this.clock = this.live?.clock ?? (() => performance.now());
    this.sampleEvery = Math.max(1, this.live?.sampleEvery ?? 8);
    this.onPolicyError = options.onPolicyError ?? null;
    this.setPolicies(policies);
  }

  /**
   * Replaces the policies (a deploy): takes effect with the next record. State is kept by policy
   * id, so windows and open alerts carry over to a new version of a policy.
   */
  setPolicies(policies: readonly CompiledPolicy[]): void {
    const enabled = policies.filter((p) => p.policy.enabled);
    const ids = new Set<string>();
    for (const p of enabled) {
      if (ids.has(p.id)) throw new AppwardenError('AW_BAD_REQUEST', `two policies have the id ${p.id}`);
      ids.add(p.id);
      if (p.needs.geo && !this.geo) {
        throw new AppwardenError('AW_CONFIG_INVALID', `policy ${p.id} detects impossible travel and no GeoIP locator was given`);
      }
    }
    this.runs = enabled.map((compiled) => ({
      compiled,
      status: loadPolicyStatus(this.state, compiled),
      matchDay: -1,
      matchCount: 0,
      sinceSample: 0,
      overBudget: 0,
    }));
    this.byKind = { audit: [], file: [], account: [] };
    for (const run of this.runs) this.byKind[run.compiled.recordKind].push(run);
  }

  /** What the enabled policies ask of the processor. */
  get needs(): PolicyNeeds {
    return {
      actorAccount: this.runs.some((r) => r.compiled.needs.actorAccount),
      grantUserCount: this.runs.some((r) => r.compiled.needs.grantUserCount),
      geo: this.runs.some((r) => r.compiled.needs.geo),
    };
  }

  /** The newest record time seen (epoch ms). */
  get watermark(): number {
    return this.watermarkMs;
  }

  /** Evaluates one record against every enabled policy of its kind. */
  process(record: PolicyRecord): EvaluationResult {
    const runs = this.byKind[recordKindOf(record)];
    const t = recordTime(record);
    if (t > this.watermarkMs) {
      this.watermarkMs = t;
      const hour = Math.floor(t / HOUR_MS);
      if (hour > this.sweptHour) {
        if (this.sweptHour !== -Infinity) this.sweep();
        this.sweptHour = hour;
      }
    }
    let result: EvaluationResult | null = null;
    let ctx: RecordContext | null = null;
    for (const run of runs) {
      if (run.status.disabled) continue;
      ctx ??= new RecordContext(record, this.enricher);
      const measured = this.live !== null && ++run.sinceSample >= this.sampleEvery;
      const started = measured ? this.clock() : 0;
      try {
        if (run.compiled.test(ctx)) {
          result ??= { matches: [], alerts: [], commands: [], notices: [] };
          this.matched(run, ctx, t, result);
        }
      } catch (err) {
        // One policy's failure is its own: the record still goes to every other policy.
        this.onPolicyError?.(run.compiled.id, err);
      }
      if (measured) {
        result = this.checkBudget(run, this.clock() - started, ctx, t, result);
      }
    }
    return result ?? EMPTY;
  }

  /** Counts a measured evaluation against the policy's time budget; disables a policy over it `strikes` times in a row. */
  private checkBudget(run: Run, tookMs: number, ctx: RecordContext, t: number, result: EvaluationResult | null): EvaluationResult | null {
    const live = this.live!;
    run.sinceSample = 0;
    if (tookMs <= live.budgetMs) {
      run.overBudget = 0;
      return result;
    }
    if (++run.overBudget < live.strikes) return result;
    const policy = run.compiled;
    const reason = `took more than its time budget of ${live.budgetMs} ms per record on ${live.strikes} measured records in a row (policies.evaluationBudgetMs); simplify its detection, then deploy a new version`;
    this.stop(run, 'disabled', t, reason);
    const out = result ?? { matches: [], alerts: [], commands: [], notices: [] };
    this.notice(run, 'too_slow', String(policy.version), ctx, t, `Policy "${policy.policy.name}" was disabled: it ${reason}`, out);
    return out;
  }

  /** Lets a policy stopped by its safety limit act again. */
  resumeActions(policyId: string): void {
    this.updateStatus(policyId, (s) => delete s.acting_stopped);
  }

  /** Re-enables a policy disabled for matching too much (a new version re-enables it too). */
  reenable(policyId: string): void {
    this.updateStatus(policyId, (s) => delete s.disabled);
  }

  /** Why a policy is disabled or not acting, if it is. */
  statusOf(policyId: string): { disabled: string | null; actingStopped: string | null } {
    const run = this.runs.find((r) => r.compiled.id === policyId);
    return { disabled: run?.status.disabled?.reason ?? null, actingStopped: run?.status.acting_stopped?.reason ?? null };
  }

  /** Drops every piece of state of a policy (after it was deleted). */
  forgetPolicy(policyId: string): void {
    const prefix = `${policyId}\u001f`;
    for (const key of [...this.state.keys()]) if (key.startsWith(prefix)) this.state.delete(key);
  }

  /**
   * Drops state no record arriving at most `lateArrivalMs` behind the watermark can need: expired
   * windows, histories, locations, closed alerts and old counters. Runs by itself when the records'
   * time crosses an hour.
   * Returns how many entries were dropped.
   */
  sweep(): number {
    const policies = new Map(this.runs.map((r) => [r.compiled.id, r.compiled]));
    const stale = staleKeys(this.state, policies, this.watermarkMs - this.lateArrivalMs);
    for (const key of stale) this.state.delete(key);
    return stale.length;
  }

  private updateStatus(policyId: string, change: (s: PolicyStatus) => void): void {
    const run = this.runs.find((r) => r.compiled.id === policyId);
    const status: PolicyStatus = run ? run.status : { ...storedPolicyStatus(this.state, policyId) };
    change(status);
    savePolicyStatus(this.state, policyId, status);
  }

  private matched(run: Run, ctx: RecordContext, t: number, result: EvaluationResult): void {
    const policy = run.compiled;
    const spec = policy.policy;
    const id = recordIdOf(ctx.record);

    let firing: Firing | typeof REPLAYED | null = null;
    if (spec.threshold || spec.new_value || spec.impossible_travel) {
      const group = policy.groupKey(ctx);
      if (group !== null) {
        firing = spec.threshold
          ? threshold(policy, this.state, group, ctx, id, t)
          : spec.new_value
            ? newValue(policy, this.state, group, ctx, id, t)
            : impossibleTravel(policy, this.state, this.geo!, group, ctx, id, t);
      }
    } else {
      firing = { count: 1, eventIds: [id], firstSeen: t, variables: { count: 1 }, attributes: {} };
    }
    if (firing === REPLAYED) return;
    const slot = firing ? alertSlot(this.state, policy, ctx, t) : null;
    if (slot?.open?.seen.includes(id)) return; // a replay of a record the alert already counts

    if (!this.countMatch(run, ctx, t, result) || !firing || !slot) return;
    this.raise(run, ctx, id, t, firing, slot, result);
  }

  /** Counts a match for the day; false when that disabled the policy. */
  private countMatch(run: Run, ctx: RecordContext, t: number, result: EvaluationResult): boolean {
    const reason = countDailyMatch(this.state, run.compiled, run, t);
    if (reason === null) return true;
    this.stop(run, 'disabled', t, reason);
    this.notice(run, 'auto_disabled', String(run.compiled.version), ctx, t, `Policy "${run.compiled.policy.name}" was disabled: it ${reason}`, result);
    return false;
  }

  /** Records why a policy stopped running (`disabled`) or acting, for this version. */
  private stop(run: Run, what: keyof PolicyStatus, t: number, reason: string): void {
    run.status[what] = { version: run.compiled.version, at: t, reason };
    savePolicyStatus(this.state, run.compiled.id, run.status);
  }

  private raise(run: Run, ctx: RecordContext, id: string, t: number, firing: Firing, slot: AlertSlot, result: EvaluationResult): void {
    const policy = run.compiled;
    const spec = policy.policy;
    const { open, key } = slot;
    const alertKey = slot.id;
    const match = (alert: string | null, suppressed: PolicyMatch['suppressed']): PolicyMatch => ({
      policy_id: policy.id, policy_version: policy.version, mode: spec.mode, record_id: id, at: t,
      alert_id: alert, suppressed, details: firing.attributes,
    });

    if (open) {
      joinOpenAlert(open, policy, ctx, id, t, firing);
      this.state.set(key, open);
      result.alerts.push({ alert: structuredClone(open.alert), isNew: false });
      result.matches.push(match(open.alert.alert_id, null));
      return;
    }

    // Live, the day is the wall clock's: a backfill of a week raises one day's worth of alerts at most.
    const dayStart = this.live ? this.live.now() : t;
    const taken = takeDailyAlert(this.state, policy, dayStart);
    if (!taken.allowed) {
      result.matches.push(match(null, 'daily_alert_limit'));
      if (taken.tell) {
        const date = new Date(dayStart).toISOString().slice(0, 10);
        this.notice(run, 'daily_alert_limit', date, ctx, t, `Policy "${spec.name}" reached its limit of ${spec.alert.daily_limit} alerts on ${date}; later matches that day raise no alert`, result);
      }
      return;
    }

    const created = newAlertState(policy, ctx, slot, firing, t);
    const { alert } = created;
    this.state.set(key, created);
    result.alerts.push({ alert: structuredClone(alert), isNew: true });
    result.matches.push(match(alertKey, null));

    if (spec.mode !== 'alert' && !run.status.acting_stopped && policy.actions.length > 0) this.act(run, ctx, alert, t, result);
  }

  private act(run: Run, ctx: RecordContext, alert: Alert, t: number, result: EvaluationResult): void {
    const policy = run.compiled;
    const planned = planCommands(policy, ctx, alert, t, policy.policy.mode === 'enforce' ? 'enforce' : 'dry_run');
    // Live, the hour is the wall clock's, and a record too old to be acted on counts for nothing.
    const live = this.live;
    const now = live ? live.now() : t;
    if (live && now - t > live.maxEventAgeMs) {
      for (const p of planned) result.commands.push(p.command);
      return;
    }
    const max = Math.min(policy.policy.safety.max_targets_per_hour, live?.maxTargetsPerHour ?? Infinity);
    const reason = takeSafetyTargets(this.state, policy, planned.map((p) => p.safetyKey), now, max);
    if (reason !== null) {
      this.stop(run, 'acting_stopped', t, reason);
      this.notice(run, 'safety_limit', String(policy.version), ctx, t, `Policy "${policy.policy.name}" stopped acting: it ${reason}`, result);
      return;
    }
    for (const p of planned) result.commands.push(p.command);
  }

  private notice(run: Run, kind: PolicyNoticeKind, scope: string, ctx: RecordContext, t: number, message: string, result: EvaluationResult): void {
    const policy = run.compiled;
    result.notices.push({ policy_id: policy.id, policy_version: policy.version, kind, at: t, message });
    result.alerts.push({ alert: policyAlert(policy, kind, scope, ctx.record, t, message), isNew: true });
  }
}
