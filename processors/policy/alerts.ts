import { stableId } from '../../schemas/event-id.js';
import type { AccountEvent, Actor, Alert, AuditEvent, FileEvent } from '../../schemas/types.js';
import type { CompiledPolicy } from './compile.js';
import type { PolicyRecord } from './record-context.js';

/** An open alert as the evaluator keeps it. */
export interface AlertState {
  alert: Alert;
  /** Ids of the records counted, most recent last (bounded): a replayed record is not counted twice. */
  seen: string[];
}

/** How many event ids an alert lists (the most recent). */
export const ALERT_EVENT_IDS = 20;

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
