import { OCSF_ACTIVITY as A, OCSF_CLASS as C } from '../../schemas/ocsf.js';
import type { AuditAction } from '../../schemas/vocabulary.js';
import { mapping as m, type EventMapping } from '../runtime/event-table.js';
import { CATALOGUE_OPERATIONS } from './operations-catalogue.js';

/** How one Office 365 operation maps to our category, action and OCSF class/activity. */
export type OperationMapping = EventMapping;

const login = m('logon', 'login', C.AUTHENTICATION, A.authentication.LOGON);
const file = (action: AuditAction, activityId: number) => m('file', action, C.FILE_HOSTING_ACTIVITY, activityId);
const F = A.fileHosting;
const fileView = file('file_view', F.OPEN);
const fileDownload = file('file_download', F.DOWNLOAD);
const fileShare = file('file_share', F.SHARE);
const fileUnshare = file('file_unshare', F.UNSHARE);
const linkCreate = file('file_link_create', F.SHARE);
const linkRemove = file('file_link_remove', F.UNSHARE);
const userChange = (action: AuditAction, activityId: number) => m('user', action, C.ACCOUNT_CHANGE, activityId);
const group = (action: AuditAction, activityId: number) => m('admin', action, C.GROUP_MANAGEMENT, activityId);
const appGrant = m('app', 'app_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES);
const appRevoke = m('app', 'app_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES);
const mailboxSetting = m('admin', 'settings_change', C.ENTITY_MANAGEMENT, A.entityManagement.UPDATE);
const mailRule = m('user', 'mail_rule_change', C.ENTITY_MANAGEMENT, A.entityManagement.UPDATE);

/**
 * Operations we know, keyed by `operationKey` (lower case, no trailing period): the Management Activity
 * API's `Operation` ("Add member to role.") and Graph's `activityDisplayName` ("Add member to role") share
 * a key. Sources: Microsoft Purview "Audit log activities" and the Management Activity API schema.
 * Operations not listed fall back to `byWorkload`.
 */
const OPERATIONS: Record<string, OperationMapping> = {
  ...CATALOGUE_OPERATIONS,
  // Sign-in (Audit.AzureActiveDirectory, RecordType 15; Exchange mailbox logins)
  userloggedin: login,
  userloginfailed: login,
  mailboxlogin: login,
  signin: login,

  // Users (Azure AD directory audit)
  'add user': userChange('user_create', A.accountChange.CREATE),
  'update user': userChange('user_update', A.OTHER),
  'delete user': userChange('user_delete', A.accountChange.DELETE),
  'hard delete user': userChange('user_delete', A.accountChange.DELETE),
  'restore user': userChange('user_activate', A.accountChange.ENABLE),
  'disable account': userChange('user_suspend', A.accountChange.DISABLE),
  'enable account': userChange('user_unsuspend', A.accountChange.ENABLE),
  'change user password': userChange('password_change', A.accountChange.PASSWORD_CHANGE),
  'change password (self-service)': userChange('password_change', A.accountChange.PASSWORD_CHANGE),
  'reset user password': userChange('password_reset', A.accountChange.PASSWORD_RESET),
  'reset password (self-service)': userChange('password_reset', A.accountChange.PASSWORD_RESET),
  'reset password (by admin)': userChange('password_reset', A.accountChange.PASSWORD_RESET),
  'set force change user password': userChange('password_reset', A.accountChange.PASSWORD_RESET),
  'change user license': userChange('user_update', A.OTHER),
  'update stsrefreshtokenvalidfrom timestamp': m('user', 'session_revoke', C.AUTHENTICATION, A.authentication.LOGOFF),
  'user registered security info': userChange('mfa_factor_enable', A.accountChange.MFA_FACTOR_ENABLE),
  'user deleted security info': userChange('mfa_factor_disable', A.accountChange.MFA_FACTOR_DISABLE),
  'admin deleted security info': userChange('mfa_factor_disable', A.accountChange.MFA_FACTOR_DISABLE),

  // Groups and roles
  'add group': group('group_create', A.groupManagement.CREATE),
  'delete group': group('group_delete', A.groupManagement.DELETE),
  'update group': group('group_update', A.OTHER),
  'add member to group': group('group_member_add', A.groupManagement.ADD_USER),
  'remove member from group': group('group_member_remove', A.groupManagement.REMOVE_USER),
  'add owner to group': group('group_member_add', A.groupManagement.ADD_USER),
  'remove owner from group': group('group_member_remove', A.groupManagement.REMOVE_USER),
  'add member to role': m('admin', 'privilege_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES),
  'remove member from role': m('admin', 'privilege_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES),
  'add eligible member to role': m('admin', 'privilege_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES),
  'remove eligible member from role': m('admin', 'privilege_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES),

  // Applications and consent
  'consent to application': appGrant,
  'add delegated permission grant': appGrant,
  'add app role assignment to service principal': appGrant,
  'add app role assignment grant to user': appGrant,
  'remove delegated permission grant': appRevoke,
  'remove app role assignment from service principal': appRevoke,
  'revoke consent': appRevoke,
  'add service principal': m('app', 'settings_change', C.ENTITY_MANAGEMENT, A.entityManagement.CREATE),
  'add application': m('app', 'settings_change', C.ENTITY_MANAGEMENT, A.entityManagement.CREATE),
  'update application': m('app', 'settings_change', C.ENTITY_MANAGEMENT, A.entityManagement.UPDATE),
  'update application – certificates and secrets management': m('app', 'settings_change', C.ENTITY_MANAGEMENT, A.entityManagement.UPDATE),

  // Files, folders and sharing (Audit.SharePoint: SharePoint and OneDrive)
  fileaccessed: fileView,
  fileaccessedextended: fileView,
  filepreviewed: file('file_view', F.PREVIEW),
  filedownloaded: fileDownload,
  filesyncdownloadedfull: fileDownload,
  filesyncdownloadedpartial: fileDownload,
  fileuploaded: file('file_upload', F.UPLOAD),
  filesyncuploadedfull: file('file_upload', F.UPLOAD),
  filemodified: file('file_edit', F.UPDATE),
  filemodifiedextended: file('file_edit', F.UPDATE),
  filedeleted: file('file_delete', F.DELETE),
  filerecycled: file('file_delete', F.DELETE),
  filedeletedfirststagerecyclebin: file('file_delete', F.DELETE),
  filedeletedsecondstagerecyclebin: file('file_delete', F.DELETE),
  filerenamed: file('file_rename', F.RENAME),
  filemoved: file('file_move', F.MOVE),
  folderdeleted: file('file_delete', F.DELETE),
  folderrenamed: file('file_rename', F.RENAME),
  foldermoved: file('file_move', F.MOVE),
  filemalwaredetected: m('file', 'malware_detected', C.FILE_HOSTING_ACTIVITY, A.OTHER),
  sharingset: fileShare,
  sharinginvitationcreated: fileShare,
  sharinginvitationaccepted: fileShare,
  addedtosecurelink: fileShare,
  addedtogroup: fileShare,
  sharingrevoked: fileUnshare,
  sharinginvitationrevoked: fileUnshare,
  removedfromsecurelink: fileUnshare,
  anonymouslinkcreated: linkCreate,
  anonymouslinkupdated: linkCreate,
  companylinkcreated: linkCreate,
  securelinkcreated: linkCreate,
  anonymouslinkremoved: linkRemove,
  companylinkremoved: linkRemove,
  securelinkdeleted: linkRemove,
  anonymouslinkused: file('file_view', F.OPEN),
  companylinkused: file('file_view', F.OPEN),

  // Exchange: mailbox settings and rules. Forwarding is decided from the parameters (see normalize).
  'set-mailbox': mailboxSetting,
  'new-inboxrule': mailRule,
  'set-inboxrule': mailRule,
  'enable-inboxrule': mailRule,
  'remove-inboxrule': mailRule,
  updateinboxrules: mailRule,
  'new-transportrule': m('admin', 'settings_change', C.ENTITY_MANAGEMENT, A.entityManagement.CREATE),
  'set-transportrule': mailboxSetting,
  'add-mailboxpermission': m('admin', 'privilege_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES),
  'remove-mailboxpermission': m('admin', 'privilege_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES),
  'add-recipientpermission': m('admin', 'privilege_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES),
  'remove-recipientpermission': m('admin', 'privilege_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES),
  'add-rolegroupmember': m('admin', 'privilege_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES),
  'remove-rolegroupmember': m('admin', 'privilege_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES),
};

/** Forwarding set on a mailbox or by an inbox rule: the classic sign of a compromised mailbox. */
export const MAIL_FORWARD: OperationMapping = m('user', 'mail_forward_set', C.ENTITY_MANAGEMENT, A.entityManagement.UPDATE);

/** Operation parameters (Exchange cmdlets) that send mail elsewhere when set to a value. */
export const FORWARDING_PARAMETERS = [
  'ForwardTo', 'RedirectTo', 'ForwardAsAttachmentTo', 'ForwardingSmtpAddress', 'ForwardingAddress',
] as const;

/** The lookup key of an operation name: lower case, spaces kept, one trailing period dropped. */
export function operationKey(operation: string): string {
  return operation.trim().replace(/\.$/, '').toLowerCase();
}

/**
 * The mapping of a Management Activity API `Operation` (or a Graph `activityDisplayName`); unknown
 * operations map to action `other` with a category from the record's workload and record type.
 */
export function operationMapping(operation: string, workload: string | null, recordType: number | null): OperationMapping {
  return OPERATIONS[operationKey(operation)] ?? byWorkload(workload, recordType);
}

/** Whether the operation is one we map explicitly. */
export function isKnownOperation(operation: string): boolean {
  return Object.hasOwn(OPERATIONS, operationKey(operation));
}

/** Every operation key mapped explicitly (tests and documentation). */
export const KNOWN_OPERATIONS: readonly string[] = Object.keys(OPERATIONS);

// Record types from the Management Activity API schema (AuditLogRecordType).
const STS_LOGON = 15;
const EXCHANGE_ADMIN = 1;
const SECURITY_COMPLIANCE_ALERTS = 40;
// Security and compliance alerts, threat intelligence (mail, URL clicks, ATP) and DLP record types.
const SECURITY_RECORD_TYPES: ReadonlySet<number> = new Set([SECURITY_COMPLIANCE_ALERTS, 11, 13, 28, 41, 47, 64]);

function byWorkload(workload: string | null, recordType: number | null): OperationMapping {
  if (recordType === STS_LOGON) return m('logon', 'other', C.AUTHENTICATION, A.OTHER);
  if (recordType !== null && SECURITY_RECORD_TYPES.has(recordType)) return m('security', 'other', C.BASE_EVENT, A.OTHER);
  switch (workload) {
    case 'AzureActiveDirectory':
      return m('admin', 'other', C.ENTITY_MANAGEMENT, A.OTHER);
    case 'SharePoint':
    case 'OneDrive':
      return m('file', 'other', C.FILE_HOSTING_ACTIVITY, A.OTHER);
    case 'Exchange':
      return recordType === EXCHANGE_ADMIN ? m('admin', 'other', C.ENTITY_MANAGEMENT, A.OTHER) : m('user', 'other', C.API_ACTIVITY, A.OTHER);
    case 'MicrosoftTeams':
    case 'Yammer':
    case 'PowerBI':
    case 'MicrosoftForms':
    case 'MicrosoftStream':
      return m('user', 'other', C.WEB_RESOURCES_ACTIVITY, A.OTHER);
    case 'ThreatIntelligence':
      return m('security', 'other', C.BASE_EVENT, A.OTHER);
    case 'SecurityComplianceCenter':
      return m('admin', 'other', C.BASE_EVENT, A.OTHER);
    default:
      return m('other', 'other', C.BASE_EVENT, A.OTHER);
  }
}

/** The key `/v1/connectors` counts an unknown record under: its `Operation` (or Graph activity name). */
export function office365UnknownEventType(event: { action_raw: string }): string | null {
  return isKnownOperation(event.action_raw) ? null : event.action_raw;
}

/** Names of the record types seen most, for the `record_type_name` attribute (AuditLogRecordType). */
export const RECORD_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'ExchangeAdmin', 2: 'ExchangeItem', 3: 'ExchangeItemGroup', 4: 'SharePoint', 6: 'SharePointFileOperation',
  7: 'OneDrive', 8: 'AzureActiveDirectory', 9: 'AzureActiveDirectoryAccountLogon', 11: 'ComplianceDLPSharePoint',
  13: 'ComplianceDLPExchange', 14: 'SharePointSharingOperation', 15: 'AzureActiveDirectoryStsLogon',
  18: 'SecurityComplianceCenterEOPCmdlet', 25: 'MicrosoftTeams', 40: 'SecurityComplianceAlerts', 50: 'ExchangeItemAggregated',
};
