import { stableId } from '../../schemas/event-id.js';
import type { AccountEvent, Actor, Alert, AuditEvent, FileEvent } from '../../schemas/types.js';
import type { CompiledPolicy } from './compile.js';
import type { PolicyRecord, RecordContext } from './record-context.js';
import type { PolicyState } from './state.js';
import { stateKey, type Firing } from './stateful.js';

/** An open alert as the evaluator keeps it. */
export interface AlertState {
  alert: Alert;
  /** Ids of the records counted, most recent last (bounded): a replayed record is not counted twice. */
  seen: string[];
}

/** How many event ids an alert lists (the most recent). */
export const ALERT_EVENT_IDS = 20;
const MAX_SEEN_PER_ALERT = 1000;

/** Where a firing's alert lives: its id, its state key, its dedup label, and the alert when one is open. */
export interface AlertSlot {
  id: string;
  key: string;
  label: string;
  open: AlertState | undefined;
}

/**
 * The id of the alert a match belongs to: the policy, the deduplication key and the period bucket
 * (periods aligned to UTC epoch), so a replay or a backtest gives the same id as the live run.
 */
export function alertId(policyId: string, dedupKey: string, bucket: number): string {
  return stableId('alert', policyId, dedupKey, String(bucket));
}

/** The actor an alert names: the event's actor, the file's owner, or the user who granted the app. */
export function alertActor(record: PolicyRecord): Actor | null {
  if ('event_id' in record) return { ...(record as AuditEvent).actor };
  if ('file' in record) {
    const owner = (record as FileEvent).file.owner;
    return owner ? { id: owner.id, email: owner.email, name: owner.name, type: 'user' } : null;
  }
  const subject = (record as AccountEvent).subject;
  return { id: subject.id, email: subject.email, name: subject.name, type: subject.type === 'service' ? 'service' : 'user' };
}

/** What happened to a policy itself. */
export type PolicyNoticeKind = 'auto_disabled' | 'safety_limit' | 'daily_alert_limit' | 'too_slow';

/**
 * An alert about the policy itself (disabled, stopped acting, alert limit reached). Its id depends
 * on the policy, the notice and its scope (version or day), so it is raised once.
 */
export function policyAlert(policy: CompiledPolicy, kind: PolicyNoticeKind, scope: string, record: PolicyRecord, at: number, title: string): Alert {
  return {
    alert_id: stableId('policy-notice', policy.id, kind, scope),
    policy_id: policy.id,
    policy_version: policy.version,
    title,
    severity: kind === 'daily_alert_limit' ? 'medium' : 'high',
    created_at: at,
    first_seen: at,
    last_seen: at,
    count: 1,
    dedup_key: `policy:${policy.id}:${kind}:${scope}`,
    provider: record.provider,
    instance: record.instance,
    actor: null,
    event_ids: [],
    status: 'open',
    attributes: { notice: kind, policy_kind: policy.policy.kind, mode: policy.policy.mode },
  };
}

/** The alert slot of a record: its dedup key's alert in the period of time `t`. */
export function alertSlot(state: PolicyState, policy: CompiledPolicy, ctx: RecordContext, t: number): AlertSlot {
  const dedup = policy.dedupKey(ctx);
  const id = alertId(policy.id, dedup.key, Math.floor(t / policy.periodMs));
  const key = stateKey(policy.id, 'a', id);
  return { id, key, label: dedup.label, open: state.get(key) as AlertState | undefined };
}

/** Counts one more firing (record `id` at `t`) in an open alert. */
export function joinOpenAlert(open: AlertState, policy: CompiledPolicy, ctx: RecordContext, id: string, t: number, firing: Firing): void {
  const alert = open.alert;
  alert.count += 1;
  alert.last_seen = Math.max(alert.last_seen, t);
  alert.first_seen = Math.min(alert.first_seen, t);
  alert.event_ids = [...alert.event_ids, id].slice(-ALERT_EVENT_IDS);
  alert.title = policy.title(ctx, { ...firing.variables, alert_count: alert.count });
  alert.policy_version = policy.version;
  Object.assign(alert.attributes, firing.attributes);
  open.seen.push(id);
  if (open.seen.length > MAX_SEEN_PER_ALERT) open.seen.splice(0, open.seen.length - MAX_SEEN_PER_ALERT);
}

/** The new alert of a firing in an empty slot, with the records it counts. */
export function newAlertState(policy: CompiledPolicy, ctx: RecordContext, slot: AlertSlot, firing: Firing, t: number): AlertState {
  const spec = policy.policy;
  const alert: Alert = {
    alert_id: slot.id,
    policy_id: policy.id,
    policy_version: policy.version,
    title: policy.title(ctx, { ...firing.variables, alert_count: firing.count }),
    severity: spec.severity,
    created_at: t,
    first_seen: Math.min(firing.firstSeen, t),
    last_seen: t,
    count: firing.count,
    dedup_key: slot.label,
    provider: ctx.record.provider,
    instance: ctx.record.instance,
    actor: alertActor(ctx.record),
    event_ids: firing.eventIds.slice(-ALERT_EVENT_IDS),
    status: 'open',
    attributes: { policy_kind: spec.kind, mode: spec.mode, dedup_period: spec.alert.dedup.period, ...firing.attributes },
  };
  return { alert, seen: firing.eventIds.slice(-MAX_SEEN_PER_ALERT) };
}
