import { OCSF_ACTIVITY as A, OCSF_CLASS as C } from '../../schemas/ocsf.js';
import type { TargetType } from '../../schemas/vocabulary.js';
import { deliberateOther as why, mapping as m, type CatalogueSource, type EventMapping } from '../runtime/event-table.js';

export type { EventMapping };

/**
 * Where the ServiceNow table comes from, read on 2026-12-07: the platform's Event Registry names the
 * `sysevent` events (the Instance Security Center reports login, login.failed, impersonation.start
 * and security.elevated_role.enabled from `sysevent`); the audit docs name what `sys_audit` records
 * (one row per changed field, `DELETED` for a deleted record) and `syslog_transaction`.
 */
export const SERVICENOW_CATALOGUE_SOURCES: readonly CatalogueSource[] = [
  { url: 'https://www.servicenow.com/docs/r/platform-administration/c_EventRegistry.html', read: '2026-12-07' },
  { url: 'https://www.servicenow.com/docs/r/platform-security/t_ElevateToAPrivilegedRole.html', read: '2026-12-07' },
  { url: 'https://www.servicenow.com/docs/r/platform-administration/user-administration/c_ImpersonateAUser.html', read: '2026-12-07' },
  { url: 'https://www.servicenow.com/docs/r/platform-administration/c_TrackingChangesToRecords.html', read: '2026-12-07' },
];

const login = m('logon', 'login', C.AUTHENTICATION, A.authentication.LOGON);
const impersonate = m('admin', 'impersonate', C.AUTHENTICATION, A.authentication.LOGON);

/**
 * `sysevent` names the connector reads (`name` column): sign-ins, impersonation and privileged-role
 * elevation. The stream's query asks for exactly these names.
 */
export const SYSEVENTS: Readonly<Record<string, EventMapping>> = {
  login,
  'login.failed': login,
  logout: m('logon', 'logout', C.AUTHENTICATION, A.authentication.LOGOFF),
  'impersonation.start': impersonate,
  'impersonation.end': m('admin', 'logout', C.AUTHENTICATION, A.authentication.LOGOFF),
  // The name earlier releases (and the simulator) record an impersonation under.
  'user.impersonation': impersonate,
  // An admin elevating to a privileged role (security_admin...) for the session.
  'security.elevated_role.enabled': m('admin', 'privilege_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES),
  'security.elevated_role.disabled': m('admin', 'privilege_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES),
};

/** The sysevents whose `parm2` names the user acted on (the impersonated user), not an IP. */
export const SYSEVENTS_ON_A_USER: ReadonlySet<string> = new Set(['impersonation.start', 'impersonation.end', 'user.impersonation']);

// A sysevent the table does not list (a stream filtered by name never reads one; a dead letter or a
// CLI line may hold one): no category is guessed, and it is counted.
const UNKNOWN_SYSEVENT = m('other', 'other', C.BASE_EVENT, A.OTHER);

export function syseventMapping(name: string): EventMapping {
  return Object.hasOwn(SYSEVENTS, name) ? SYSEVENTS[name]! : UNKNOWN_SYSEVENT;
}

/** A field of an audited table whose new value says what happened (`active` false: deactivated). */
type FieldRule = EventMapping | { readonly true: EventMapping; readonly false?: EventMapping };

/** An audited table: the type of its records, and what an insert, an update and a deletion of one mean. */
export interface AuditedTable {
  target: TargetType;
  insert: EventMapping;
  update: EventMapping;
  delete: EventMapping;
  fields?: Readonly<Record<string, FieldRule>>;
}

const userChange = (action: 'user_create' | 'user_update' | 'user_delete', activityId: number) => m('user', action, C.ACCOUNT_CHANGE, activityId);
const grant = m('admin', 'privilege_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES);
const revoke = m('admin', 'privilege_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES);
const policy = (activityId: number) => m('admin', 'policy_change', C.ENTITY_MANAGEMENT, activityId);
const settings = (activityId: number) => m('admin', 'settings_change', C.ENTITY_MANAGEMENT, activityId);
const E = A.entityManagement;

/**
 * The tables whose `sys_audit` rows are administrative changes the connector reads: users, groups,
 * roles, tokens and OAuth apps, access controls, system properties and delegates. The stream's query
 * asks for exactly these tables.
 */
export const AUDITED_TABLES: Readonly<Record<string, AuditedTable>> = {
  sys_user: {
    target: 'user',
    insert: userChange('user_create', A.accountChange.CREATE),
    update: userChange('user_update', A.OTHER),
    delete: userChange('user_delete', A.accountChange.DELETE),
    fields: {
      active: { true: m('user', 'user_activate', C.ACCOUNT_CHANGE, A.accountChange.ENABLE), false: m('user', 'user_deactivate', C.ACCOUNT_CHANGE, A.accountChange.DISABLE) },
      locked_out: { true: m('user', 'account_lock', C.ACCOUNT_CHANGE, A.accountChange.LOCK), false: m('user', 'account_unlock', C.ACCOUNT_CHANGE, A.accountChange.UNLOCK) },
      user_password: m('user', 'password_reset', C.ACCOUNT_CHANGE, A.accountChange.PASSWORD_RESET),
      password_needs_reset: { true: m('user', 'password_reset', C.ACCOUNT_CHANGE, A.accountChange.PASSWORD_RESET) },
      enable_multifactor_authn: { true: m('user', 'mfa_factor_enable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_ENABLE), false: m('user', 'mfa_factor_disable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_DISABLE) },
    },
  },
  sys_user_group: {
    target: 'group',
    insert: m('admin', 'group_create', C.GROUP_MANAGEMENT, A.groupManagement.CREATE),
    update: m('admin', 'group_update', C.GROUP_MANAGEMENT, A.OTHER),
    delete: m('admin', 'group_delete', C.GROUP_MANAGEMENT, A.groupManagement.DELETE),
  },
  sys_user_grmember: {
    target: 'group',
    insert: m('admin', 'group_member_add', C.GROUP_MANAGEMENT, A.groupManagement.ADD_USER),
    update: m('admin', 'group_member_add', C.GROUP_MANAGEMENT, A.groupManagement.ADD_USER),
    delete: m('admin', 'group_member_remove', C.GROUP_MANAGEMENT, A.groupManagement.REMOVE_USER),
  },
  sys_user_has_role: { target: 'role', insert: grant, update: grant, delete: revoke },
  // A role's definition (a role that contains others, its elevation flag): who gets what changes.
  sys_user_role: { target: 'role', insert: policy(E.CREATE), update: policy(E.UPDATE), delete: policy(E.DELETE) },
  sys_user_role_contains: { target: 'role', insert: grant, update: grant, delete: revoke },
  sys_group_has_role: { target: 'role', insert: grant, update: grant, delete: revoke },
  oauth_credential: {
    target: 'token',
    insert: m('app', 'token_create', C.ENTITY_MANAGEMENT, E.CREATE),
    update: m('app', 'app_grant', C.ENTITY_MANAGEMENT, E.UPDATE),
    delete: m('app', 'token_revoke', C.ENTITY_MANAGEMENT, E.DELETE),
  },
  oauth_entity: {
    target: 'app',
    insert: m('app', 'app_grant', C.ENTITY_MANAGEMENT, E.CREATE),
    update: settings(E.UPDATE),
    delete: m('app', 'app_revoke', C.ENTITY_MANAGEMENT, E.DELETE),
  },
  sys_security_acl: { target: 'policy', insert: policy(E.CREATE), update: policy(E.UPDATE), delete: policy(E.DELETE) },
  sys_security_acl_role: { target: 'policy', insert: policy(E.UPDATE), update: policy(E.UPDATE), delete: policy(E.UPDATE) },
  sys_properties: { target: 'other', insert: settings(E.CREATE), update: settings(E.UPDATE), delete: settings(E.DELETE) },
  sys_user_delegate: {
    target: 'user',
    insert: m('admin', 'impersonation_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES),
    update: m('admin', 'impersonation_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES),
    delete: m('admin', 'impersonation_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES),
  },
};

// A sys_audit row of a table the stream does not ask for (a sample, a dead letter, a CLI line): a
// change of a record of any kind (an incident as much as a setting), so no category is guessed; it
// keeps the verb of the change, and it is counted.
const OTHER_TABLE = {
  insert: m('other', 'other', C.ENTITY_MANAGEMENT, E.CREATE),
  update: m('other', 'other', C.ENTITY_MANAGEMENT, E.UPDATE),
  delete: m('other', 'other', C.ENTITY_MANAGEMENT, E.DELETE),
};

/** How a `sys_audit` row changed its record: `DELETED` deletes it, an empty `oldvalue` is a new record's field. */
export function auditChange(field: string, oldValue: string | null): 'insert' | 'update' | 'delete' {
  if (field === 'DELETED') return 'delete';
  return oldValue === null ? 'insert' : 'update';
}

/** A `sys_audit` row (one changed field of one record) as an action: a field whose value says it, else the change. */
export function auditMapping(table: string, field: string, oldValue: string | null, newValue: string | null): EventMapping {
  const change = auditChange(field, oldValue);
  const audited = Object.hasOwn(AUDITED_TABLES, table) ? AUDITED_TABLES[table]! : null;
  if (audited === null) return OTHER_TABLE[change];
  const rule = change === 'delete' ? undefined : audited.fields?.[field];
  if (rule !== undefined) {
    if ('action' in rule) return rule;
    const byValue = newValue === 'true' ? rule.true : rule.false;
    if (byValue !== undefined) return byValue;
  }
  return audited[change];
}

export function auditTarget(table: string): TargetType {
  return Object.hasOwn(AUDITED_TABLES, table) ? AUDITED_TABLES[table]!.target : 'other';
}

/** A `syslog_transaction` row: one HTTP, UI or REST transaction of a user (a form, a list, a REST call). */
export const TRANSACTION = m('user', 'record_view', C.WEB_RESOURCES_ACTIVITY, A.webResources.READ);
/** A transaction that downloaded an attachment (`sys_attachment.do`, the Attachment API's `/file`). */
export const ATTACHMENT_DOWNLOAD = m('file', 'file_download', C.FILE_HOSTING_ACTIVITY, A.fileHosting.DOWNLOAD);
const DOWNLOAD = /sys_attachment\.do|\/api\/now\/(v\d+\/)?attachment\/[^/?]+\/file/;

/** A transaction by its URL: an attachment download, else a user's read of a form, list or API resource. */
export function transactionMapping(url: string): EventMapping {
  return DOWNLOAD.test(url) ? ATTACHMENT_DOWNLOAD : TRANSACTION;
}

/** A `sys_outbound_http_log` row: a call the instance made to another service. */
export const OUTBOUND_CALL = why('app', C.API_ACTIVITY, A.OTHER, 'a call the instance made to another service: no user acted');

/**
 * The ServiceNow catalogue, as keys the tests and the coverage print check: `sysevent:<name>`,
 * `sys_audit:<table>:<insert|update|delete>`, `sys_audit:<table>.<field>=<value>` for the fields
 * whose value says what happened, and the transaction kinds.
 */
export function serviceNowCatalogue(): string[] {
  const keys = Object.keys(SYSEVENTS).map((name) => `sysevent:${name}`);
  for (const [table, audited] of Object.entries(AUDITED_TABLES)) {
    for (const change of ['insert', 'update', 'delete'] as const) keys.push(`sys_audit:${table}:${change}`);
    for (const [field, rule] of Object.entries(audited.fields ?? {})) {
      if ('action' in rule) keys.push(`sys_audit:${table}.${field}=*`);
      else for (const value of ['true', 'false'] as const) if (rule[value]) keys.push(`sys_audit:${table}.${field}=${value}`);
    }
  }
  keys.push('syslog_transaction', 'syslog_transaction:attachment', 'sys_outbound_http_log');
  return keys;
}

/** The mapping of a catalogue key (see `serviceNowCatalogue`), or null for a key of no table. */
export function serviceNowCatalogueMapping(key: string): EventMapping | null {
  if (key === 'syslog_transaction') return TRANSACTION;
  if (key === 'syslog_transaction:attachment') return ATTACHMENT_DOWNLOAD;
  if (key === 'sys_outbound_http_log') return OUTBOUND_CALL;
  if (key.startsWith('sysevent:')) {
    const name = key.slice('sysevent:'.length);
    return Object.hasOwn(SYSEVENTS, name) ? SYSEVENTS[name]! : null;
  }
  const change = /^sys_audit:([a-z0-9_]+):(insert|update|delete)$/.exec(key);
  if (change) return Object.hasOwn(AUDITED_TABLES, change[1]!) ? AUDITED_TABLES[change[1]!]![change[2] as 'insert' | 'update' | 'delete'] : null;
  const field = /^sys_audit:([a-z0-9_]+)\.([a-z0-9_]+)=(.+)$/.exec(key);
  if (field && Object.hasOwn(AUDITED_TABLES, field[1]!)) return auditMapping(field[1]!, field[2]!, 'x', field[3] === '*' ? 'x' : field[3]!);
  return null;
}

/**
 * The key `/v1/connectors` counts an unknown event under: a `sysevent` name the table does not list,
 * or a `sys_audit` table outside the audited list (the only ServiceNow records with no mapping of
 * their own).
 */
export function serviceNowUnknownEventType(event: { action_raw: string; attributes: Record<string, string> }): string | null {
  const table = event.attributes.table;
  if (table === 'sysevent') return Object.hasOwn(SYSEVENTS, event.action_raw) ? null : `sysevent:${event.action_raw}`;
  if (table === 'sys_audit') {
    const audited = event.attributes.tablename;
    return audited !== undefined && !Object.hasOwn(AUDITED_TABLES, audited) ? `sys_audit:${audited}` : null;
  }
  return null;
}
