import { OCSF_ACTIVITY as A, OCSF_CLASS as C } from '../../schemas/ocsf.js';
import type { AuditCategory } from '../../schemas/vocabulary.js';
import { type CatalogueSource, deliberateOther, mapping as m, type EventMapping } from '../runtime/event-table.js';
import { COLLABORATION_EVENTS } from './event-types-collaboration.js';
import { DEVICE_EVENTS } from './event-types-devices.js';
import { DRIVE_EVENTS, driveSharingMapping } from './event-types-drive.js';
import { GROUP_EVENTS } from './event-types-groups.js';

/** How one Reports API event (application + event name) maps to our category, action and OCSF class/activity. */
export type GoogleEventMapping = EventMapping;

const login = m('logon', 'login', C.AUTHENTICATION, A.authentication.LOGON);
const userUpdate = m('user', 'user_update', C.ACCOUNT_CHANGE, A.OTHER);
const settings = m('admin', 'settings_change', C.ENTITY_MANAGEMENT, A.entityManagement.UPDATE);
const memberAdd = m('admin', 'group_member_add', C.GROUP_MANAGEMENT, A.groupManagement.ADD_USER);
const memberRemove = m('admin', 'group_member_remove', C.GROUP_MANAGEMENT, A.groupManagement.REMOVE_USER);
const groupUpdate = m('admin', 'group_update', C.GROUP_MANAGEMENT, A.OTHER);

/** The appendix page that documents one application's event names. */
export const reportsAppendix = (application: string): string => `https://developers.google.com/workspace/admin/reports/v1/appendix/activity/${application}`;

/**
 * Where the event names come from, read 2026-12-07: each application's activity appendix
 * (\`reportsAppendix\`), and Google's own table of the applications, event types and names of the
 * Reports API (Google Security Operations, "Collect Google Workspace logs"), which lists them per
 * application in one page. Names neither lists were removed (Chrome's are upper case; mobile's
 * DEVICE_COMPLIANCE_CHANGED_EVENT and DEVICE_SETTINGS_UPDATED_EVENT; gcp is Cloud OS Login).
 */
export const GOOGLE_CATALOGUE_SOURCES: readonly CatalogueSource[] = [
  { url: 'https://developers.google.com/workspace/admin/reports/v1/appendix/activity/admin', read: '2026-12-07' },
  { url: 'https://cloud.google.com/chronicle/docs/ingestion/default-parsers/collect-workspace-logs', read: '2026-12-07' },
];

/**
 * Event names per application, from the sources above. Applications mapped name by name: admin
 * (the names below; its hundreds of settings events fall to its category), login, saml, token,
 * user_accounts, drive, groups, groups_enterprise, calendar, chat, meet, rules, keep, data_studio,
 * chrome, mobile, context_aware_access, access_transparency and gcp. Names not listed map to action
 * `other` in their application's category, and are counted as unknown.
 */
const EVENTS: Record<string, Record<string, GoogleEventMapping>> = {
  login: {
    login_success: login,
    login_failure: login,
    logout: m('logon', 'logout', C.AUTHENTICATION, A.authentication.LOGOFF),
    login_challenge: m('logon', 'mfa_challenge', C.AUTHENTICATION, A.OTHER),
    login_verification: m('logon', 'mfa_verify', C.AUTHENTICATION, A.OTHER),
    suspicious_login: login,
    suspicious_login_less_secure_app: login,
    suspicious_programmatic_login: login,
    user_signed_out_due_to_suspicious_session_cookie: m('logon', 'session_revoke', C.AUTHENTICATION, A.authentication.LOGOFF),
    account_disabled_generic: m('user', 'account_lock', C.ACCOUNT_CHANGE, A.accountChange.LOCK),
    account_disabled_hijacked: m('user', 'account_lock', C.ACCOUNT_CHANGE, A.accountChange.LOCK),
    account_disabled_password_leak: m('user', 'account_lock', C.ACCOUNT_CHANGE, A.accountChange.LOCK),
    account_disabled_spamming: m('user', 'account_lock', C.ACCOUNT_CHANGE, A.accountChange.LOCK),
    account_disabled_spamming_through_relay: m('user', 'account_lock', C.ACCOUNT_CHANGE, A.accountChange.LOCK),
    password_edit: m('user', 'password_change', C.ACCOUNT_CHANGE, A.accountChange.PASSWORD_CHANGE),
    '2sv_enroll': m('user', 'mfa_factor_enable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_ENABLE),
    '2sv_disable': m('user', 'mfa_factor_disable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_DISABLE),
    recovery_email_edit: userUpdate,
    recovery_phone_edit: userUpdate,
    recovery_secret_qa_edit: userUpdate,
    titanium_enroll: m('user', 'mfa_factor_enable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_ENABLE),
    titanium_unenroll: m('user', 'mfa_factor_disable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_DISABLE),
    gov_attack_warning: m('security', 'threat_detected', C.DETECTION_FINDING, A.finding.CREATE),
    risky_sensitive_action_allowed: m('logon', 'policy_evaluate', C.AUTHENTICATION, A.OTHER),
    risky_sensitive_action_blocked: m('logon', 'policy_evaluate', C.AUTHENTICATION, A.OTHER),
    passkey_enrolled: m('user', 'mfa_factor_enable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_ENABLE),
    passkey_removed: m('user', 'mfa_factor_disable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_DISABLE),
    email_forwarding_out_of_domain: m('user', 'mail_forward_set', C.ACCOUNT_CHANGE, A.OTHER),
    blocked_sender: deliberateOther('user', C.EMAIL_ACTIVITY, A.OTHER, 'a user blocked future mail from a sender: a filter, not a forward or a rule of ours'),
  },
  saml: {
    login_success: m('logon', 'sso', C.AUTHENTICATION, A.authentication.LOGON),
    login_failure: m('logon', 'sso', C.AUTHENTICATION, A.authentication.LOGON),
  },
  admin: {
    CREATE_USER: m('user', 'user_create', C.ACCOUNT_CHANGE, A.accountChange.CREATE),
    DELETE_USER: m('user', 'user_delete', C.ACCOUNT_CHANGE, A.accountChange.DELETE),
    UNDELETE_USER: m('user', 'user_activate', C.ACCOUNT_CHANGE, A.accountChange.ENABLE),
    SUSPEND_USER: m('user', 'user_suspend', C.ACCOUNT_CHANGE, A.accountChange.DISABLE),
    UNSUSPEND_USER: m('user', 'user_unsuspend', C.ACCOUNT_CHANGE, A.accountChange.ENABLE),
    ARCHIVE_USER: m('user', 'user_deactivate', C.ACCOUNT_CHANGE, A.accountChange.DISABLE),
    UNARCHIVE_USER: m('user', 'user_activate', C.ACCOUNT_CHANGE, A.accountChange.ENABLE),
    CHANGE_PASSWORD: m('user', 'password_reset', C.ACCOUNT_CHANGE, A.accountChange.PASSWORD_RESET),
    CHANGE_PASSWORD_ON_NEXT_LOGIN: m('user', 'password_reset', C.ACCOUNT_CHANGE, A.accountChange.PASSWORD_RESET),
    RESET_SIGNIN_COOKIES: m('user', 'session_revoke', C.AUTHENTICATION, A.authentication.LOGOFF),
    TURN_OFF_2_STEP_VERIFICATION: m('user', 'mfa_factor_disable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_DISABLE),
    USER_ENROLLED_IN_TWO_STEP_VERIFICATION: m('user', 'mfa_factor_enable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_ENABLE),
    REVOKE_SECURITY_KEY: m('user', 'mfa_factor_disable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_DISABLE),
    RENAME_USER: userUpdate,
    CHANGE_FIRST_NAME: userUpdate,
    CHANGE_LAST_NAME: userUpdate,
    CHANGE_DISPLAY_NAME: userUpdate,
    MOVE_USER_TO_ORG_UNIT: userUpdate,
    CHANGE_RECOVERY_EMAIL: userUpdate,
    CHANGE_RECOVERY_PHONE: userUpdate,
    REVOKE_3LO_TOKEN: m('app', 'app_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES),
    REVOKE_3LO_DEVICE_TOKENS: m('app', 'app_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES),
    AUTHORIZE_API_CLIENT_ACCESS: m('admin', 'app_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES),
    REMOVE_API_CLIENT_ACCESS: m('admin', 'app_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES),
    GRANT_ADMIN_PRIVILEGE: m('admin', 'privilege_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES),
    GRANT_DELEGATED_ADMIN_PRIVILEGES: m('admin', 'privilege_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES),
    ASSIGN_ROLE: m('admin', 'privilege_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES),
    REVOKE_ADMIN_PRIVILEGE: m('admin', 'privilege_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES),
    UNASSIGN_ROLE: m('admin', 'privilege_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES),
    ADD_GROUP_MEMBER: memberAdd,
    REMOVE_GROUP_MEMBER: memberRemove,
    UPDATE_GROUP_MEMBER: groupUpdate,
    CREATE_GROUP: m('admin', 'group_create', C.GROUP_MANAGEMENT, A.groupManagement.CREATE),
    DELETE_GROUP: m('admin', 'group_delete', C.GROUP_MANAGEMENT, A.groupManagement.DELETE),
    CHANGE_GROUP_NAME: groupUpdate,
    CHANGE_GROUP_EMAIL: groupUpdate,
    CHANGE_GROUP_DESCRIPTION: groupUpdate,
    CHANGE_GROUP_SETTING: groupUpdate,
    CHANGE_APPLICATION_SETTING: settings,
    CREATE_APPLICATION_SETTING: settings,
    DELETE_APPLICATION_SETTING: settings,
    CHANGE_DOCS_SETTING: settings,
    CHANGE_EMAIL_SETTING: settings,
    CHANGE_GMAIL_SETTING: settings,
    CHANGE_SSO_SETTINGS: settings,
    TOGGLE_SSO_ENABLED: settings,
    ENFORCE_STRONG_AUTHENTICATION: settings,
    ALLOW_STRONG_AUTHENTICATION: settings,
    CHANGE_SESSION_LENGTH: settings,
    SESSION_CONTROL_SETTINGS_CHANGE: settings,
    TOGGLE_SERVICE_ENABLED: settings,
    TRANSFER_DOCUMENT_OWNERSHIP: m('admin', 'file_share', C.FILE_HOSTING_ACTIVITY, A.fileHosting.SHARE),
  },
  token: {
    authorize: m('app', 'app_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES),
    revoke: m('app', 'app_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES),
    activity: m('app', 'app_access', C.API_ACTIVITY, A.OTHER),
    request: m('app', 'app_access', C.API_ACTIVITY, A.api.CREATE),
  },
  user_accounts: {
    email_forwarding_out_of_domain: m('user', 'mail_forward_set', C.ACCOUNT_CHANGE, A.OTHER),
    password_edit: m('user', 'password_change', C.ACCOUNT_CHANGE, A.accountChange.PASSWORD_CHANGE),
    '2sv_enroll': m('user', 'mfa_factor_enable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_ENABLE),
    '2sv_disable': m('user', 'mfa_factor_disable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_DISABLE),
    recovery_email_edit: userUpdate,
    recovery_phone_edit: userUpdate,
    recovery_secret_qa_edit: userUpdate,
    titanium_enroll: m('user', 'mfa_factor_enable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_ENABLE),
    titanium_unenroll: m('user', 'mfa_factor_disable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_DISABLE),
  },
  drive: DRIVE_EVENTS,
  ...GROUP_EVENTS,
  ...COLLABORATION_EVENTS,
  ...DEVICE_EVENTS,
};

/**
 * The category of each Reports API application (the `applicationName` pattern of the Reports API
 * discovery document, https://admin.googleapis.com/$discovery/rest?version=reports_v1, as the generated
 * clients carry it, read 2026-12-07: 41 applications), for event names its table does not list: an unknown Chat or
 * Meet event is user activity, an unknown Drive one file activity. Applications whose events are of
 * several kinds (Chrome: sign-ins, browsing, extensions, data transfers) get `other`.
 */
const APPLICATION_CATEGORY: Readonly<Record<string, readonly [AuditCategory, number]>> = {
  access_evaluation: ['logon', C.AUTHENTICATION],
  access_transparency: ['admin', C.BASE_EVENT],
  admin: ['admin', C.ENTITY_MANAGEMENT],
  admin_data_action: ['admin', C.BASE_EVENT],
  assignments: ['user', C.WEB_RESOURCES_ACTIVITY],
  calendar: ['user', C.WEB_RESOURCES_ACTIVITY],
  chat: ['user', C.WEB_RESOURCES_ACTIVITY],
  chrome: ['other', C.BASE_EVENT],
  chrome_sync: ['user', C.WEB_RESOURCES_ACTIVITY],
  classroom: ['user', C.WEB_RESOURCES_ACTIVITY],
  cloud_search: ['user', C.WEB_RESOURCES_ACTIVITY],
  contacts: ['user', C.WEB_RESOURCES_ACTIVITY],
  context_aware_access: ['logon', C.AUTHENTICATION],
  data_migration: ['admin', C.BASE_EVENT],
  data_studio: ['file', C.FILE_HOSTING_ACTIVITY],
  directory_sync: ['admin', C.BASE_EVENT],
  drive: ['file', C.FILE_HOSTING_ACTIVITY],
  gcp: ['other', C.BASE_EVENT],
  gemini_in_workspace_apps: ['user', C.WEB_RESOURCES_ACTIVITY],
  gmail: ['user', C.EMAIL_ACTIVITY],
  gplus: ['user', C.WEB_RESOURCES_ACTIVITY],
  graduation: ['admin', C.BASE_EVENT],
  groups: ['admin', C.GROUP_MANAGEMENT],
  groups_enterprise: ['admin', C.GROUP_MANAGEMENT],
  jamboard: ['file', C.FILE_HOSTING_ACTIVITY],
  keep: ['file', C.FILE_HOSTING_ACTIVITY],
  ldap: ['logon', C.AUTHENTICATION],
  login: ['logon', C.AUTHENTICATION],
  meet: ['user', C.WEB_RESOURCES_ACTIVITY],
  meet_hardware: ['admin', C.BASE_EVENT],
  mobile: ['admin', C.ENTITY_MANAGEMENT],
  profile: ['user', C.ACCOUNT_CHANGE],
  rules: ['security', C.BASE_EVENT],
  saml: ['logon', C.AUTHENTICATION],
  takeout: ['user', C.WEB_RESOURCES_ACTIVITY],
  tasks: ['user', C.WEB_RESOURCES_ACTIVITY],
  token: ['app', C.API_ACTIVITY],
  user_accounts: ['user', C.ACCOUNT_CHANGE],
  vault: ['admin', C.BASE_EVENT],
  voice: ['user', C.WEB_RESOURCES_ACTIVITY],
  workspace_studio: ['user', C.WEB_RESOURCES_ACTIVITY],
};

/** Every application of the Reports API: the connector reads them all by default. */
export const REPORTS_APPLICATIONS: readonly string[] = Object.keys(APPLICATION_CATEGORY);

const FALLBACK = m('other', 'other', C.BASE_EVENT, A.OTHER);
const APPLICATION_FALLBACK: Readonly<Record<string, GoogleEventMapping>> = Object.fromEntries(
  Object.entries(APPLICATION_CATEGORY).map(([application, [category, classUid]]) => [application, m(category, 'other', classUid, A.OTHER)]),
);

/**
 * The mapping of an event; `param` reads the event's parameters (their first value), which some
 * Drive sharing events need. Unknown events map to `other` in their application's category.
 */
export function googleEventMapping(application: string, name: string, param: (name: string) => string | null = () => null): GoogleEventMapping {
  if (application === 'drive') {
    const sharing = driveSharingMapping(name, param);
    if (sharing) return sharing;
  }
  return EVENTS[application]?.[name] ?? APPLICATION_FALLBACK[application] ?? FALLBACK;
}

/** Whether the table lists the event (else it is unknown: its application's category and action `other`). */
export function isKnownGoogleEvent(application: string, name: string): boolean {
  return EVENTS[application]?.[name] !== undefined;
}

/** The key `/v1/connectors` counts an unknown event under: `application/name`. */
export function googleUnknownEventType(event: { action_raw: string; attributes: Record<string, string> }): string | null {
  const application = event.attributes.application ?? '';
  return isKnownGoogleEvent(application, event.action_raw) ? null : `${application}/${event.action_raw}`;
}

/** Every (application, event name) mapped explicitly, for tests and documentation. */
export const KNOWN_GOOGLE_EVENTS: ReadonlyArray<readonly [string, string]> = Object.entries(EVENTS)
  .flatMap(([application, names]) => Object.keys(names).map((name) => [application, name] as const));
