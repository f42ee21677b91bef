import type { AuditEvent } from '../../schemas/types.js';
import type { NormalizeContext } from '../contract.js';
import { failure, requireObject } from './fields.js';
import { normalizeGraphDirectoryAudit, normalizeGraphSignIn } from './normalize-graph-audit.js';
import { normalizeManagementRecord } from './normalize-management.js';

/** Which of the audit shapes a record has, told by its fields. */
export type Office365AuditShape = 'management' | 'graph_directory_audit' | 'graph_sign_in';

export function auditShapeOf(e: Record<string, unknown>): Office365AuditShape | null {
  if ('Operation' in e || 'CreationTime' in e || 'RecordType' in e) return 'management';
  if ('activityDisplayName' in e || 'activityDateTime' in e) return 'graph_directory_audit';
  if ('createdDateTime' in e && ('status' in e || 'appDisplayName' in e || 'userPrincipalName' in e)) return 'graph_sign_in';
  return null;
}

/**
 * The Office 365 audit normalizer (also `appwarden normalize --provider office365`): a Management
 * Activity API record, a Graph `directoryAudit` or a Graph `signIn`, told apart by their fields.
 */
export function normalizeOffice365Activity(raw: unknown, ctx: NormalizeContext): AuditEvent {
  const e = requireObject(raw, '(record)');
  switch (auditShapeOf(e)) {
    case 'management': return normalizeManagementRecord(e, ctx);
    case 'graph_directory_audit': return normalizeGraphDirectoryAudit(e, ctx);
    case 'graph_sign_in': return normalizeGraphSignIn(e, ctx);
    default:
      throw failure('(record)', 'neither a Management Activity API record (CreationTime, Operation) nor a Graph audit log (activityDateTime, createdDateTime)');
  }
}
