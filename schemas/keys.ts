import type { AuditEvent } from './types.js';

/** The normalized user: the lower-cased email, else the provider's id, else ''. What analysts filter by and policies group by. */
export function userKey(who: { email: string | null; id: string | null } | null): string {
  if (who?.email) return who.email.toLowerCase();
  return who?.id ?? '';
}

/**
 * The Kafka key of an audit event: the normalized user, so that one user's events stay in order
 * on one partition; the event id when the actor has neither email nor id.
 */
export function auditKey(event: Pick<AuditEvent, 'actor' | 'event_id'>): string {
  return userKey(event.actor) || event.event_id;
}

/**
 * The Kafka key of an account or file record: its record_id, so that compaction keeps the latest
 * state of each object and its observations stay in order.
 */
export function stateKey(record: { record_id: string }): string {
  return record.record_id;
}
