import { OCSF_ACTIVITY as A, OCSF_CLASS as C } from '../../schemas/ocsf.js';
import type { AuditAction, Outcome } from '../../schemas/vocabulary.js';
import { deliberateOther as why, EventTable, mapping as m, type EventMapping } from '../runtime/event-table.js';
import { BOX_CATALOGUE_SOURCES } from './catalogue.js';

/** How one Box `event_type` maps to our category, action and OCSF class/activity. */
export type BoxEventMapping = EventMapping;

const FH = A.fileHosting;
const E = A.entityManagement;
const file = (action: AuditAction, activityId: number) => m('file', action, C.FILE_HOSTING_ACTIVITY, activityId);
const view = file('file_view', FH.PREVIEW);
const open = file('file_view', FH.OPEN);
const download = file('file_download', FH.DOWNLOAD);
const upload = file('file_upload', FH.UPLOAD);
const edit = file('file_edit', FH.UPDATE);
const remove = file('file_delete', FH.DELETE);
const restore = file('file_restore', FH.RESTORE);
const move = file('file_move', FH.MOVE);
const copy = file('file_copy', FH.COPY);
const rename = file('file_rename', FH.RENAME);
const share = file('file_share', FH.SHARE);
const unshare = file('file_unshare', FH.UNSHARE);
const linkCreate = file('file_link_create', FH.SHARE);
const linkRemove = file('file_link_remove', FH.UNSHARE);
const login = m('logon', 'login', C.AUTHENTICATION, A.authentication.LOGON);
const sessionRevoke = m('logon', 'session_revoke', C.AUTHENTICATION, A.authentication.LOGOFF);
const evaluate = m('logon', 'policy_evaluate', C.AUTHENTICATION, A.OTHER);
const userUpdate = m('user', 'user_update', C.ACCOUNT_CHANGE, A.OTHER);
const settings = m('admin', 'settings_change', C.ENTITY_MANAGEMENT, E.UPDATE);
const policy = (activityId: number) => m('admin', 'policy_change', C.ENTITY_MANAGEMENT, activityId);
const groupUpdate = m('admin', 'group_update', C.GROUP_MANAGEMENT, A.OTHER);
const privilegeGrant = m('admin', 'privilege_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES);
const privilegeRevoke = m('admin', 'privilege_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES);
const tokenRevoke = m('app', 'token_revoke', C.ENTITY_MANAGEMENT, E.DELETE);
const threat = m('security', 'threat_detected', C.DETECTION_FINDING, A.finding.CREATE);
const dlp = m('security', 'dlp_match', C.DATA_SECURITY_FINDING, A.finding.CREATE);
const fileOther = (reason: string) => why('file', C.FILE_HOSTING_ACTIVITY, A.OTHER, reason);
const deviceOther = (reason: string) => why('security', C.DETECTION_FINDING, A.OTHER, reason);

/**
 * Every catalogued Box event type (`BOX_CATALOGUE`) not covered by a family rule below. The descriptions
 * quoted are Box's (enterprise and user event guides). A Shield or information-barrier block is the action
 * it stopped, with outcome failure (`boxOutcome`), so a blocked download is a failed `file_download`.
 */
const EXACT: Record<string, BoxEventMapping> = {
  // Sign-in and sessions
  LOGIN: login,
  FAILED_LOGIN: login,
  ADD_LOGIN_ACTIVITY_DEVICE: login, // "a user is logging in from a device we have not seen before"
  DEVICE_TRUST_CHECK_FAILED: login,
  REMOVE_LOGIN_ACTIVITY_DEVICE: sessionRevoke, // "we invalidated a user session associated with an app"
  ADMIN_LOGIN: m('admin', 'impersonate', C.AUTHENTICATION, A.authentication.LOGON), // "admin console used to log in to a managed user's account"
  ACCESS_GRANTED: m('user', 'impersonation_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES), // Box support access granted
  ACCESS_REVOKED: m('user', 'impersonation_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES),
  TERMS_OF_SERVICE_ACCEPT: why('logon', C.AUTHENTICATION, A.OTHER, 'terms of service accepted or rejected at sign-in: no access change'),
  TERMS_OF_SERVICE_REJECT: why('logon', C.AUTHENTICATION, A.OTHER, 'terms of service accepted or rejected at sign-in: no access change'),
  // Multi-factor authentication
  ENABLE_TWO_FACTOR_AUTH: m('user', 'mfa_factor_enable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_ENABLE),
  ENABLE_MULTI_FACTOR_AUTH: m('user', 'mfa_factor_enable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_ENABLE),
  DISABLE_MULTI_FACTOR_AUTH: m('user', 'mfa_factor_disable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_DISABLE),
  // Users
  NEW_USER: m('admin', 'user_create', C.ACCOUNT_CHANGE, A.accountChange.CREATE),
  MASTER_INVITE_ACCEPT: m('user', 'user_create', C.ACCOUNT_CHANGE, A.accountChange.CREATE), // a free user becomes a managed user
  MASTER_INVITE_REJECT: why('user', C.ACCOUNT_CHANGE, A.OTHER, 'an invitation to become a managed user declined: no account changed'),
  EDIT_USER: m('admin', 'user_update', C.ACCOUNT_CHANGE, A.OTHER),
  DELETE_USER: m('admin', 'user_delete', C.ACCOUNT_CHANGE, A.accountChange.DELETE),
  EMAIL_ALIAS_CONFIRM: userUpdate,
  EMAIL_ALIAS_PRIMARY: userUpdate,
  EMAIL_ALIAS_REMOVE: userUpdate,
  CHANGE_ADMIN_ROLE: privilegeGrant,
  // Groups
  GROUP_CREATION: m('admin', 'group_create', C.GROUP_MANAGEMENT, A.groupManagement.CREATE),
  GROUP_DELETION: m('admin', 'group_delete', C.GROUP_MANAGEMENT, A.groupManagement.DELETE),
  GROUP_EDITED: groupUpdate,
  GROUP_ADD_USER: m('admin', 'group_member_add', C.GROUP_MANAGEMENT, A.groupManagement.ADD_USER),
  GROUP_REMOVE_USER: m('admin', 'group_member_remove', C.GROUP_MANAGEMENT, A.groupManagement.REMOVE_USER),
  GROUP_ADMIN_CREATED: privilegeGrant,
  GROUP_ADMIN_PERMISSIONS_UPDATED: privilegeGrant,
  GROUP_ADMIN_DELETED: privilegeRevoke,
  GROUP_ADD_ITEM: share, // a folder given to a group
  GROUP_REMOVE_ITEM: unshare,
  // Apps and tokens
  APPLICATION_CREATED: m('app', 'settings_change', C.ENTITY_MANAGEMENT, E.CREATE),
  APPLICATION_PUBLIC_KEY_ADDED: m('app', 'token_create', C.ENTITY_MANAGEMENT, E.CREATE), // a credential a JWT app signs in with
  APPLICATION_PUBLIC_KEY_DELETED: tokenRevoke,
  ENTERPRISE_APP_AUTHORIZATION_UPDATE: m('app', 'app_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES),
  USER_AUTHENTICATE_OAUTH2_ACCESS_TOKEN_CREATE: m('app', 'app_access', C.API_ACTIVITY, A.api.CREATE),
  OAUTH2_ACCESS_TOKEN_REVOKE: tokenRevoke,
  OAUTH2_REFRESH_TOKEN_REVOKE: tokenRevoke,
  BOX_AI_USER_REQUEST: why('user', C.API_ACTIVITY, A.OTHER, 'a question asked of Box AI: no verb of ours (the files it reads are not logged as views)'),
  BOX_AI_USER_FAILED_REQUEST: why('user', C.API_ACTIVITY, A.OTHER, 'a question asked of Box AI: no verb of ours (the files it reads are not logged as views)'),
  // Devices
  ADD_DEVICE_ASSOCIATION: m('admin', 'device_enroll', C.ENTITY_MANAGEMENT, E.ENROLL),
  REMOVE_DEVICE_ASSOCIATION: m('admin', 'device_remove', C.ENTITY_MANAGEMENT, E.UNENROLL),
  EDR_CROWDSTRIKE_DEVICE_DETECTED: m('admin', 'device_change', C.ENTITY_MANAGEMENT, E.UPDATE),
  EDR_CROWDSTRIKE_ACCESS_REVOKED: sessionRevoke,
  EDR_CROWDSTRIKE_ACCESS_ALLOWED_NO_CROWDSTRIKE_DEVICE: evaluate,
  EDR_CROWDSTRIKE_NO_BOX_TOOLS: deviceOther('a device posture report (Box Tools or Drive missing or outdated): nothing changed'),
  EDR_CROWDSTRIKE_BOX_TOOLS_OUTDATED: deviceOther('a device posture report (Box Tools or Drive missing or outdated): nothing changed'),
  EDR_CROWDSTRIKE_DRIVE_OUTDATED: deviceOther('a device posture report (Box Tools or Drive missing or outdated): nothing changed'),
  // Files and folders
  UPLOAD: upload,
  ITEM_UPLOAD: upload,
  ITEM_CREATE: upload,
  DOWNLOAD: download,
  ITEM_DOWNLOAD: download,
  FILE_WATERMARKED_DOWNLOAD: download,
  ITEM_SYNC: download, // a folder marked for sync: its files go to the device
  ITEM_UNSYNC: fileOther('a folder unmarked for sync: nothing leaves or changes'),
  PREVIEW: view,
  ITEM_PREVIEW: view,
  ITEM_OPEN: open,
  CONTENT_ACCESS: open, // "a file is accessed by an authorized end user or programmatically by a Box application"
  EDIT: edit,
  ITEM_MODIFY: edit,
  TAG_ITEM_CREATE: edit,
  WATERMARK_LABEL_CREATE: edit,
  WATERMARK_LABEL_DELETE: edit,
  LOCK: file('file_edit', FH.LOCK),
  LOCK_CREATE: file('file_edit', FH.LOCK),
  UNLOCK: file('file_edit', FH.UNLOCK),
  LOCK_DESTROY: file('file_edit', FH.UNLOCK),
  DELETE: remove,
  ITEM_TRASH: remove,
  UNDELETE: restore,
  ITEM_UNDELETE_VIA_TRASH: restore,
  FILE_VERSION_RESTORE: restore,
  ITEM_MAKE_CURRENT_VERSION: restore, // a previous version promoted to current
  MOVE: move,
  ITEM_MOVE: move,
  COPY: copy,
  ITEM_COPY: copy,
  RENAME: rename,
  ITEM_RENAME: rename,
  STORAGE_EXPIRATION: fileOther('an auto-delete date set on a file: the deletion is its own event'),
  FAVORITE: fileOther('a personal favourite: no access or content change'),
  UNFAVORITE: fileOther('a personal favourite: no access or content change'),
  ITEM_EMAIL_SEND: m('user', 'mail_send', C.EMAIL_ACTIVITY, A.email.SEND), // "an email is sent to a collaborator on an item"
  // Collaborations (people given access to a folder or file)
  COLLABORATION_INVITE: share,
  COLLABORATION_ACCEPT: share,
  COLLABORATION_ROLE_CHANGE: share,
  COLLABORATION_EXPIRATION: share, // "set collaborator expiration"
  UPDATE_COLLABORATION_EXPIRATION: share,
  COLLABORATION_REMOVE: unshare,
  COLLAB_ADD_COLLABORATOR: share,
  COLLAB_INVITE_COLLABORATOR: share,
  COLLAB_ROLE_CHANGE: share,
  COLLAB_REMOVE_COLLABORATOR: unshare,
  CHANGE_FOLDER_PERMISSION: share,
  ITEM_SHARED: share, // "a folder was shared"
  ILLEGAL_ITEM_OWNERSHIP_TRANSFER_BY_USER: share,
  // Shared links
  SHARE: linkCreate,
  ITEM_SHARED_CREATE: linkCreate,
  ITEM_SHARED_UPDATE: linkCreate,
  SHARE_EXPIRATION: linkCreate, // "set shared link expiration": the link's settings changed
  UPDATE_SHARE_EXPIRATION: linkCreate,
  UNSHARE: linkRemove,
  ITEM_SHARED_UNSHARE: linkRemove,
  SHARED_LINK_SEND: share, // a shared link emailed to someone
  SHARED_LINK_REDIRECT_OUT_OF_SHARED_CONTEXT: fileOther('a shared link redirected the visitor: no access change'),
  // Box Shield: blocks are the action stopped (outcome failure); alerts and detections are findings
  SHIELD_ALERT: threat,
  AI_SECURITY_DETECTION: threat,
  CONTENT_WORKFLOW_ABNORMAL_DOWNLOAD_ACTIVITY: threat,
  FILE_MARKED_MALICIOUS: m('security', 'malware_detected', C.DETECTION_FINDING, A.finding.CREATE),
  CONTENT_WORKFLOW_SHARING_POLICY_VIOLATION: dlp,
  CONTENT_WORKFLOW_UPLOAD_POLICY_VIOLATION: dlp,
  SHIELD_DOWNLOAD_BLOCKED: download,
  SHIELD_EXTERNAL_COLLAB_ACCESS_BLOCKED: open,
  SHIELD_EXTERNAL_COLLAB_ACCESS_BLOCKED_MISSING_JUSTIFICATION: open,
  SHIELD_EXTERNAL_COLLAB_INVITE_BLOCKED: share,
  SHIELD_EXTERNAL_COLLAB_INVITE_BLOCKED_MISSING_JUSTIFICATION: share,
  SHIELD_EXTERNAL_COLLAB_INVITE_JUSTIFIED: share,
  SHIELD_JUSTIFICATION_APPROVAL: why('security', C.ENTITY_MANAGEMENT, A.OTHER, 'a Shield justification approved: the share it allows is its own event'),
  SHIELD_SHARED_LINK_ACCESS_BLOCKED: open,
  SHIELD_SHARED_LINK_STATUS_RESTRICTED_ON_CREATE: linkCreate,
  SHIELD_SHARED_LINK_STATUS_RESTRICTED_ON_UPDATE: linkCreate,
  SHIELD_INFORMATION_BARRIER_COLLAB_BLOCKED: share,
  SHIELD_INFORMATION_BARRIER_SHARED_ITEM_ACCESS_BLOCKED: open,
  SHIELD_INFORMATION_BARRIER_ITEM_MOVE_BLOCKED: move,
  SHIELD_INFORMATION_BARRIER_ITEM_COPY_BLOCKED: copy,
  SHIELD_INFORMATION_BARRIER_ITEM_OWNER_TRANSFER_BLOCKED: share,
  SHIELD_INFORMATION_BARRIER_GROUP_ADD_USER_BLOCKED: m('admin', 'group_member_add', C.GROUP_MANAGEMENT, A.groupManagement.ADD_USER),
  SHIELD_INFORMATION_BARRIER_ENABLED: policy(E.ENABLE),
  SHIELD_INFORMATION_BARRIER_DISABLED: policy(E.DISABLE),
  SHIELD_INFORMATION_BARRIER_PENDING: why('admin', C.ENTITY_MANAGEMENT, A.OTHER, 'an information barrier not yet active: its enabling is its own event'),
  SHIELD_ACCESS_POLICY_CREATED: policy(E.CREATE),
  SHIELD_ACCESS_POLICY_UPDATED: policy(E.UPDATE),
  SHIELD_ACCESS_POLICY_DELETED: policy(E.DELETE),
  // Enterprise settings, policies and governance
  CONTENT_WORKFLOW_POLICY_ADD: policy(E.CREATE),
  CONTENT_WORKFLOW_AUTOMATION_ADD: policy(E.CREATE),
  CONTENT_WORKFLOW_AUTOMATION_DELETE: policy(E.DELETE),
  DATA_RETENTION_CREATE_RETENTION: policy(E.CREATE),
  DATA_RETENTION_REMOVE_RETENTION: policy(E.DELETE),
  RETENTION_POLICY_ASSIGNMENT_ADD: policy(E.UPDATE),
  EXTERNAL_COLLAB_SECURITY_SETTINGS: settings,
  ADVANCED_FOLDER_SETTINGS_UPDATE: settings,
  EMAIL_UPLOAD_ENABLED: settings,
  EMAIL_UPLOAD_DISABLED: settings,
  CONTENT_RECOVERY_REPORT_INITIATE: m('admin', 'data_export', C.WEB_RESOURCES_ACTIVITY, A.webResources.EXPORT),
  CONTENT_RECOVERY_REPORT_CREATE: m('admin', 'data_export', C.WEB_RESOURCES_ACTIVITY, A.webResources.EXPORT),
  CONTENT_RECOVERY_REPORT_DELETE: why('admin', C.WEB_RESOURCES_ACTIVITY, A.OTHER, 'a report removed: no data leaves'),
};

const SIGN = 'Box Sign signature requests: not in our vocabulary';

/** Families of catalogued types with one meaning, by prefix. Each matches catalogued types (tested). */
const RULES = [
  { prefix: 'LEGAL_HOLD_', mapping: policy(E.UPDATE) },
  { prefix: 'METADATA_TEMPLATE_', mapping: settings },
  { prefix: 'METADATA_CASCADE_POLICY_', mapping: settings },
  { prefix: 'METADATA_INSTANCE_', mapping: edit },
  { prefix: 'SIGN_DOCUMENT_', mapping: why('user', C.WEB_RESOURCES_ACTIVITY, A.OTHER, SIGN) },
  { prefix: 'SIGNER_', mapping: why('user', C.WEB_RESOURCES_ACTIVITY, A.OTHER, SIGN) },
  { prefix: 'COMMENT_', mapping: fileOther('a comment on a file: no file access change') },
  { prefix: 'ANNOTATIONV2_', mapping: fileOther('an annotation on a file: no file access change') },
  { prefix: 'TASK_', mapping: fileOther('a task on a file: no file access change') },
  { prefix: 'FILE_REQUEST_', mapping: fileOther('a file request created, changed or deleted: the files received are their own uploads') },
  { prefix: 'COLLECTION_', mapping: fileOther('a personal collection of items: no access or content change') },
  { prefix: 'ITEM_ASSOCIATION_', mapping: fileOther('an item linked to another: no access or content change') },
  { prefix: 'WORKFLOW_AUTOMATION_', mapping: why('admin', C.ENTITY_MANAGEMENT, A.OTHER, 'a Box Relay workflow defined: the actions it takes are their own events') },
];

/**
 * Box's event types (`BOX_CATALOGUE`): exact types, then families. A type neither knows is unknown:
 * `boxEventMapping` gives it its family's category (`SHIELD_*` security, `ITEM_*` / `FILE_*` / `FOLDER_*`
 * file) or `other`.
 */
export const BOX_EVENT_TABLE = new EventTable([...BOX_CATALOGUE_SOURCES], EXACT, RULES);

const UNKNOWN_FAMILIES: Array<[string, BoxEventMapping]> = [
  ['SHIELD_', m('security', 'other', C.BASE_EVENT, A.OTHER)],
  ['ITEM_', file('other', A.OTHER)],
  ['FILE_', file('other', A.OTHER)],
  ['FOLDER_', file('other', A.OTHER)],
];
const UNKNOWN = m('other', 'other', C.BASE_EVENT, A.OTHER);

export function boxEventMapping(eventType: string): BoxEventMapping {
  const known = BOX_EVENT_TABLE.lookup(eventType);
  if (known) return known;
  for (const [prefix, family] of UNKNOWN_FAMILIES) if (eventType.startsWith(prefix)) return family;
  return UNKNOWN;
}

const FAILED = new Set(['FAILED_LOGIN', 'DEVICE_TRUST_CHECK_FAILED', 'BOX_AI_USER_FAILED_REQUEST']);
const FINDINGS: ReadonlySet<number> = new Set([C.DETECTION_FINDING, C.DATA_SECURITY_FINDING]);

/** Whether Box records the type as a refusal of what was attempted: a failed sign-in, or a Shield block. */
export function isBoxFailure(eventType: string): boolean {
  return FAILED.has(eventType) || eventType.endsWith('_BLOCKED') || eventType.endsWith('_BLOCKED_MISSING_JUSTIFICATION');
}

/** Box logs what happened; a refusal is a failure, and a finding (Shield alert, malware, policy violation) has no outcome. */
export function boxOutcome(eventType: string, mapping: BoxEventMapping): Outcome {
  if (isBoxFailure(eventType)) return 'failure';
  return FINDINGS.has(mapping.classUid) ? 'unknown' : 'success';
}

/** The key `/v1/connectors` counts an unknown event under: its `event_type`, when the table does not know it. */
export function boxUnknownEventType(event: { action_raw: string }): string | null {
  return BOX_EVENT_TABLE.known(event.action_raw) ? null : event.action_raw;
}
