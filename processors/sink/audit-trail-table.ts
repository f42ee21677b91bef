import { parseAuditTrailEntry, type AuditTrailEntry } from '../../core/audit-trail.js';
import { AUDIT_TRAIL } from './catalogue/index.js';

export const AUDIT_TRAIL_TABLE = AUDIT_TRAIL.name;

/** The entry of an audit trail message (JSON); throws when the message is not an entry. */
export function auditTrailMessageToEntry(value: Buffer): AuditTrailEntry {
  return parseAuditTrailEntry(value);
}
