import type { Alert, GovernanceCommand } from '../../schemas/types.js';
import type { PolicyNoticeKind } from './alerts.js';
import type { GeoLocator } from './geo.js';
import type { PolicyMode } from './policy-schema.js';
import type { Enricher } from './record-context.js';
import type { PolicyState } from './state.js';

/** A policy fired on a record. */
export interface PolicyMatch {
  policy_id: string;
  policy_version: number;
  mode: PolicyMode;
  /** The record's event_id (audit) or record_id (file, account). */
  record_id: string;
  /** The record's time (epoch ms). */
  at: number;
  /** The alert it was counted in; null when the daily alert limit dropped it. */
  alert_id: string | null;
  suppressed: 'daily_alert_limit' | null;
  /** What the stateful section found (count, new_value, distance_km...). */
  details: Record<string, string>;
}

/** An alert to publish: a new one, or a new state of an open one (same alert_id, higher count). */
export interface AlertDecision {
  alert: Alert;
  isNew: boolean;
}

/** Something that happened to a policy itself; the processor records it (and the API shows it). */
export interface PolicyNotice {
  policy_id: string;
  policy_version: number;
  kind: PolicyNoticeKind;
  at: number;
  message: string;
}

/** What one record caused. Empty results are shared and frozen: treat results as read-only. */
export interface EvaluationResult {
  matches: PolicyMatch[];
  alerts: AlertDecision[];
  commands: GovernanceCommand[];
  notices: PolicyNotice[];
}

export interface EvaluatorOptions {
  /** Where windows, histories and open alerts live; default: a new MemoryPolicyState. */
  state?: PolicyState;
  /** Answers `actor_account.*` and `grant.user_count`. */
  enricher?: Enricher | null;
  /** Locates IP addresses for impossible travel; required when such a policy is enabled. */
  geo?: GeoLocator | null;
  /**
   * How far behind the newest record a record may arrive and still find its window, history or
   * alert (state older than that is swept). Default 1 hour. Give each partition its own evaluator:
   * records of one partition arrive nearly in order, records of several partitions need not.
   */
  lateArrivalMs?: number;
  /**
   * Live evaluation (the policy processor): the safety limit counts on this wall clock instead of
   * the records' times, which a backfill replays; records older than `maxEventAgeMs` do not count
   * against it (the executor records their commands as skipped). Absent in backtests and inline
   * tests, where the records' times count, so they replay what a live run would have asked for.
   */
  live?: LiveSettings;
  /** Called when a policy throws on a record; the other policies still see the record. */
  onPolicyError?: (policyId: string, err: unknown) => void;
}

export interface LiveSettings {
  /** Wall clock (epoch ms). */
  now: () => number;
  maxEventAgeMs: number;
  /** The admin's ceiling of `safety.max_targets_per_hour`: a policy asking more gets this. */
  maxTargetsPerHour: number;
  /** Time one policy may take on one record (ms), and how many measured records in a row over it disable the policy. */
  budgetMs: number;
  strikes: number;
  /** A monotonic clock in ms for the budget (default performance.now). */
  clock?: () => number;
  /** Measure one record in this many per policy (default 8): timing every record would cost more than most policies. */
  sampleEvery?: number;
}
