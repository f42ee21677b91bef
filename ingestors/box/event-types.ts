import { OCSF_ACTIVITY as A, OCSF_CLASS as C } from '../../schemas/ocsf.js';
import type { AuditAction, AuditCategory } from '../../schemas/vocabulary.js';

/** How one Box enterprise `event_type` maps to our category, action and OCSF class/activity. */
export interface BoxEventMapping {
  category: AuditCategory;
  action: AuditAction;
  classUid: number;
  activityId: number;
}

const m = (category: AuditCategory, action: AuditAction, classUid: number, activityId: number): BoxEventMapping => ({ category, action, classUid, activityId });
const FH = A.fileHosting;
const file = (action: AuditAction, activityId: number) => m('file', action, C.FILE_HOSTING_ACTIVITY, activityId);
const login = m('logon', 'login', C.AUTHENTICATION, A.authentication.LOGON);

/**
 * Box enterprise event types (developer.box.com/guides/events/enterprise-events/for-enterprise/);
 * types not listed fall back to `fallback`.
 */
const EVENT_TYPES: Record<string, BoxEventMapping> = {
  LOGIN: login,
  FAILED_LOGIN: login,
  ADMIN_LOGIN: m('logon', 'admin_access', C.AUTHENTICATION, A.authentication.LOGON),
  ADD_LOGIN_ACTIVITY_DEVICE: m('logon', 'login', C.AUTHENTICATION, A.authentication.LOGON),
  DEVICE_TRUST_CHECK_FAILED: login,
  USER_AUTHENTICATE_OAUTH2_ACCESS_TOKEN_CREATE: m('app', 'app_access', C.API_ACTIVITY, A.api.CREATE),
  ENTERPRISE_APP_AUTHORIZATION_UPDATE: m('app', 'app_grant', C.API_ACTIVITY, A.api.UPDATE),
  APPLICATION_PUBLIC_KEY_ADDED: m('admin', 'settings_change', C.API_ACTIVITY, A.api.CREATE),
  NEW_USER: m('admin', 'user_create', C.ACCOUNT_CHANGE, A.accountChange.CREATE),
  EDIT_USER: m('admin', 'user_update', C.ACCOUNT_CHANGE, A.OTHER),
  DELETE_USER: m('admin', 'user_delete', C.ACCOUNT_CHANGE, A.accountChange.DELETE),
  TERMINATE_USER_SESSIONS: m('admin', 'session_revoke', C.ACCOUNT_CHANGE, A.OTHER),
  CHANGE_ADMIN_ROLE: m('admin', 'privilege_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES),
  GROUP_ADD_USER: m('admin', 'group_member_add', C.GROUP_MANAGEMENT, A.groupManagement.ADD_USER),
  GROUP_REMOVE_USER: m('admin', 'group_member_remove', C.GROUP_MANAGEMENT, A.groupManagement.REMOVE_USER),
  GROUP_CREATION: m('admin', 'group_create', C.GROUP_MANAGEMENT, A.groupManagement.CREATE),
  GROUP_DELETION: m('admin', 'group_delete', C.GROUP_MANAGEMENT, A.groupManagement.DELETE),
  GROUP_EDITED: m('admin', 'group_update', C.GROUP_MANAGEMENT, A.OTHER),
  COLLABORATION_INVITE: file('file_share', FH.SHARE),
  COLLABORATION_ACCEPT: file('file_share', FH.SHARE),
  COLLABORATION_ROLE_CHANGE: file('file_share', FH.SHARE),
  COLLABORATION_EXPIRATION: file('file_unshare', FH.UNSHARE),
  COLLABORATION_REMOVE: file('file_unshare', FH.UNSHARE),
  SHARE: file('file_link_create', FH.SHARE),
  ITEM_SHARED_CREATE: file('file_link_create', FH.SHARE),
  ITEM_SHARED_UPDATE: file('file_link_create', FH.SHARE),
  ITEM_SHARED: file('file_view', FH.PREVIEW),
  UNSHARE: file('file_link_remove', FH.UNSHARE),
  ITEM_SHARED_UNSHARE: file('file_link_remove', FH.UNSHARE),
  SHARE_EXPIRATION: file('file_link_remove', FH.UNSHARE),
  DOWNLOAD: file('file_download', FH.DOWNLOAD),
  ITEM_DOWNLOAD: file('file_download', FH.DOWNLOAD),
  UPLOAD: file('file_upload', FH.UPLOAD),
  ITEM_UPLOAD: file('file_upload', FH.UPLOAD),
  ITEM_CREATE: file('file_upload', FH.UPLOAD),
  DELETE: file('file_delete', FH.DELETE),
  ITEM_TRASH: file('file_delete', FH.DELETE),
  PERMANENT_DELETE: file('file_delete', FH.DELETE),
  PREVIEW: file('file_view', FH.PREVIEW),
  ITEM_PREVIEW: file('file_view', FH.PREVIEW),
  ITEM_OPEN: file('file_view', FH.OPEN),
  ITEM_COPY: file('file_edit', FH.COPY),
  COPY: file('file_edit', FH.COPY),
  ITEM_MOVE: file('file_move', FH.MOVE),
  MOVE: file('file_move', FH.MOVE),
  ITEM_RENAME: file('file_rename', FH.RENAME),
  RENAME: file('file_rename', FH.RENAME),
  ITEM_MODIFY: file('file_edit', FH.UPDATE),
  EDIT: file('file_edit', FH.UPDATE),
  METADATA_INSTANCE_CREATE: file('file_edit', FH.UPDATE),
  METADATA_INSTANCE_UPDATE: file('file_edit', FH.UPDATE),
  FILE_MARKED_MALICIOUS: m('security', 'malware_detected', C.DETECTION_FINDING, A.finding.CREATE),
  SHIELD_ALERT: m('security', 'threat_detected', C.DETECTION_FINDING, A.finding.CREATE),
  CONTENT_WORKFLOW_SHARING_POLICY_VIOLATION: m('security', 'dlp_match', C.DATA_SECURITY_FINDING, A.finding.CREATE),
  CONTENT_WORKFLOW_UPLOAD_POLICY_VIOLATION: m('security', 'dlp_match', C.DATA_SECURITY_FINDING, A.finding.CREATE),
  CONTENT_WORKFLOW_AUTOMATION_ADD: m('admin', 'policy_change', C.ENTITY_MANAGEMENT, A.entityManagement.CREATE),
  CONTENT_WORKFLOW_AUTOMATION_DELETE: m('admin', 'policy_change', C.ENTITY_MANAGEMENT, A.entityManagement.DELETE),
  UNDELETE: file('file_restore', FH.RESTORE),
  ITEM_UNDELETE_VIA_TRASH: file('file_restore', FH.RESTORE),
  FOLDER_CREATE: file('file_upload', FH.UPLOAD),
  COLLAB_ADD_COLLABORATOR: file('file_share', FH.SHARE),
  COLLAB_INVITE_COLLABORATOR: file('file_share', FH.SHARE),
  COLLAB_REMOVE_COLLABORATOR: file('file_unshare', FH.UNSHARE),
  COLLAB_ROLE_CHANGE: file('file_share', FH.SHARE),
  ITEM_SYNC: file('file_download', FH.DOWNLOAD),
  LOCK_CREATE: file('file_edit', FH.LOCK),
  LOCK_DESTROY: file('file_edit', FH.UNLOCK),
  ENABLE_TWO_FACTOR_AUTH: m('user', 'mfa_factor_enable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_ENABLE),
  DISABLE_TWO_FACTOR_AUTH: m('user', 'mfa_factor_disable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_DISABLE),
  ACCESS_GRANTED: m('admin', 'privilege_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES),
  ACCESS_REVOKED: m('admin', 'privilege_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES),
  ADD_DEVICE_ASSOCIATION: m('admin', 'device_enroll', C.ENTITY_MANAGEMENT, A.entityManagement.ENROLL),
  REMOVE_DEVICE_ASSOCIATION: m('admin', 'device_remove', C.ENTITY_MANAGEMENT, A.entityManagement.UNENROLL),
  DEVICE_TRUST_CHECK_FAILED_ALERT: m('security', 'threat_detected', C.DETECTION_FINDING, A.finding.CREATE),
  USER_AUTHENTICATE_OAUTH2_ACCESS_TOKEN_DELETE: m('app', 'token_revoke', C.ENTITY_MANAGEMENT, A.entityManagement.DELETE),
  ENTERPRISE_APP_AUTHORIZATION_DELETE: m('app', 'app_revoke', C.API_ACTIVITY, A.api.DELETE),
  OAUTH2_ACCESS_TOKEN_REVOKE: m('app', 'token_revoke', C.ENTITY_MANAGEMENT, A.entityManagement.DELETE),
  DOWNLOAD_COLLECTION: file('file_download', FH.DOWNLOAD),
};

/** Types Box records as a failure of what was attempted. */
export const FAILED_TYPES: ReadonlySet<string> = new Set(['FAILED_LOGIN', 'DEVICE_TRUST_CHECK_FAILED']);

function fallback(eventType: string): BoxEventMapping {
  if (/POLICY_VIOLATION|SHIELD/.test(eventType)) return m('user', 'other', C.BASE_EVENT, A.OTHER);
  if (/^(ITEM|FILE|FOLDER|CONTENT|COMMENT|TASK|WATERMARK|METADATA)_/.test(eventType)) return file('other', A.OTHER);
  if (/LOGIN|LOGOUT|AUTH/.test(eventType)) return m('logon', 'other', C.AUTHENTICATION, A.OTHER);
  return m('other', 'other', C.BASE_EVENT, A.OTHER);
}

/** The key `/v1/connectors` counts an unknown event under: its `event_type`, when the table does not list it. */
export function boxUnknownEventType(event: { action_raw: string }): string | null {
  return Object.hasOwn(EVENT_TYPES, event.action_raw) ? null : event.action_raw;
}

export function boxEventMapping(eventType: string): BoxEventMapping {
  return EVENT_TYPES[eventType] ?? fallback(eventType);
}
