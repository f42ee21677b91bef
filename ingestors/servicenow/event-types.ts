import { OCSF_ACTIVITY as A, OCSF_CLASS as C } from '../../schemas/ocsf.js';
import type { AuditAction, AuditCategory, TargetType } from '../../schemas/vocabulary.js';

/** How one ServiceNow record maps to our category, action and OCSF class/activity. */
export interface EventMapping {
  category: AuditCategory;
  action: AuditAction;
  classUid: number;
  activityId: number;
}

function m(category: AuditCategory, action: AuditAction, classUid: number, activityId: number): EventMapping {
  return { category, action, classUid, activityId };
}

/** `sysevent` names the connector reads (`name` column): the platform's sign-in events. */
export const LOGON_EVENTS: Record<string, EventMapping> = {
  login: m('logon', 'login', C.AUTHENTICATION, A.authentication.LOGON),
  'login.failed': m('logon', 'login', C.AUTHENTICATION, A.authentication.LOGON),
  logout: m('logon', 'logout', C.AUTHENTICATION, A.authentication.LOGOFF),
  'user.impersonation': m('admin', 'impersonate', C.AUTHENTICATION, A.authentication.LOGON),
};
export const OTHER_SYSEVENT = m('logon', 'other', C.AUTHENTICATION, A.OTHER);

/**
 * The key `/v1/connectors` counts an unknown event under: a `sysevent` name the table does not list
 * (the only ServiceNow records with no mapping of their own; audited tables and transactions always
 * have one).
 */
export function serviceNowUnknownEventType(event: { action_raw: string; class_uid: number; action: string }): string | null {
  return event.action === 'other' && event.class_uid === C.AUTHENTICATION && !Object.hasOwn(LOGON_EVENTS, event.action_raw) ? `sysevent:${event.action_raw}` : null;
}

/** The tables whose `sys_audit` rows are administrative changes, with the type of the record changed. */
export const AUDITED_TABLES: Record<string, TargetType> = {
  sys_user: 'user',
  sys_user_group: 'group',
  sys_user_grmember: 'group',
  sys_user_has_role: 'role',
  sys_user_role: 'role',
  oauth_credential: 'token',
  oauth_entity: 'app',
};

/**
 * A `sys_audit` row (one changed field of one record) as an action: a deletion (`fieldname` DELETED),
 * a new relation (an insert audits its fields with an empty `oldvalue`), or a field's new value.
 */
export function auditMapping(table: string, field: string, oldValue: string | null, newValue: string | null): EventMapping {
  const deleted = field === 'DELETED';
  const inserted = !deleted && oldValue === null;
  switch (table) {
    case 'sys_user':
      if (deleted) return m('user', 'user_delete', C.ACCOUNT_CHANGE, A.accountChange.DELETE);
      if (field === 'active') {
        return newValue === 'false' ? m('user', 'user_deactivate', C.ACCOUNT_CHANGE, A.accountChange.DISABLE)
          : m('user', 'user_activate', C.ACCOUNT_CHANGE, A.accountChange.ENABLE);
      }
      if (field === 'locked_out') {
        return newValue === 'true' ? m('user', 'account_lock', C.ACCOUNT_CHANGE, A.accountChange.LOCK)
          : m('user', 'account_unlock', C.ACCOUNT_CHANGE, A.accountChange.UNLOCK);
      }
      if (field === 'user_password') return m('user', 'password_reset', C.ACCOUNT_CHANGE, A.accountChange.PASSWORD_RESET);
      if (field === 'password_needs_reset' && newValue === 'true') return m('user', 'password_reset', C.ACCOUNT_CHANGE, A.accountChange.PASSWORD_RESET);
      if (inserted) return m('user', 'user_create', C.ACCOUNT_CHANGE, A.accountChange.CREATE);
      return m('user', 'user_update', C.ACCOUNT_CHANGE, A.OTHER);
    case 'sys_user_group':
      if (deleted) return m('admin', 'group_delete', C.GROUP_MANAGEMENT, A.groupManagement.DELETE);
      if (inserted) return m('admin', 'group_create', C.GROUP_MANAGEMENT, A.groupManagement.CREATE);
      return m('admin', 'group_update', C.GROUP_MANAGEMENT, A.OTHER);
    case 'sys_user_grmember':
      if (deleted) return m('admin', 'group_member_remove', C.GROUP_MANAGEMENT, A.groupManagement.REMOVE_USER);
      return m('admin', 'group_member_add', C.GROUP_MANAGEMENT, A.groupManagement.ADD_USER);
    case 'sys_user_has_role':
      if (deleted) return m('admin', 'privilege_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES);
      return m('admin', 'privilege_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES);
    case 'oauth_credential':
      if (deleted) return m('app', 'app_revoke', C.API_ACTIVITY, A.api.DELETE);
      return m('app', 'app_grant', C.API_ACTIVITY, inserted ? A.api.CREATE : A.api.UPDATE);
    default:
      if (deleted) return m('admin', 'other', C.ENTITY_MANAGEMENT, A.entityManagement.DELETE);
      return m('admin', inserted ? 'other' : 'settings_change', C.ENTITY_MANAGEMENT, inserted ? A.entityManagement.CREATE : A.entityManagement.UPDATE);
  }
}

/** A `syslog_transaction` row: one HTTP, UI or REST transaction of a user. */
export const TRANSACTION = m('user', 'other', C.WEB_RESOURCES_ACTIVITY, A.OTHER);
/** A `sys_outbound_http_log` row: a call the instance made to another service. */
export const OUTBOUND_CALL = m('app', 'other', C.API_ACTIVITY, A.OTHER);
