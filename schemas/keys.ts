import type { AuditEvent } from './types.js';

/**
 * The Kafka key of an audit event: the normalized user, so that one user's events stay in order
 * on one partition. Lower-cased actor email, else actor id, else the event id.
 */
export function auditKey(event: Pick<AuditEvent, 'actor' | 'event_id'>): string {
  const { email, id } = event.actor;
  if (email) return email.toLowerCase();
  if (id) return id;
  return event.event_id;
}

/**
 * The Kafka key of an account or file record: its record_id, so that compaction keeps the latest
 * state of each object and its observations stay in order.
 */
export function stateKey(record: { record_id: string }): string {
  return record.record_id;
}
