import { OCSF_ACTIVITY as A, OCSF_CLASS as C } from '../../schemas/ocsf.js';
import type { AuditAction, AuditCategory } from '../../schemas/vocabulary.js';

/** How one Okta System Log `eventType` maps to our category, action and OCSF class/activity. */
export interface OktaEventMapping {
  category: AuditCategory;
  action: AuditAction;
  classUid: number;
  activityId: number;
}

function m(category: AuditCategory, action: AuditAction, classUid: number, activityId: number): OktaEventMapping {
  return { category, action, classUid, activityId };
}

const login = m('logon', 'login', C.AUTHENTICATION, A.authentication.LOGON);
const appAccess = m('app', 'app_access', C.AUTHENTICATION, A.authentication.LOGON);
const tokenGrant = m('app', 'app_access', C.API_ACTIVITY, A.api.CREATE);

/**
 * Okta event types we know (Okta Event Types catalogue: developer.okta.com/docs/reference/api/event-types/).
 * Types not listed fall back to `byPrefix`.
 */
const EVENT_TYPES: Record<string, OktaEventMapping> = {
  // Sign-in, sessions, MFA
  'user.session.start': login,
  'user.session.end': m('logon', 'logout', C.AUTHENTICATION, A.authentication.LOGOFF),
  'user.session.clear': m('logon', 'session_revoke', C.AUTHENTICATION, A.authentication.LOGOFF),
  'user.session.expire': m('logon', 'logout', C.AUTHENTICATION, A.authentication.LOGOFF),
  'user.authentication.sso': m('logon', 'sso', C.AUTHENTICATION, A.authentication.LOGON),
  'user.authentication.authenticate': login,
  'user.authentication.auth_via_IDP': login,
  'user.authentication.auth_via_social': login,
  'user.authentication.auth_via_radius': login,
  'user.authentication.auth_via_richclient': login,
  'user.authentication.auth_via_AD_agent': login,
  'user.authentication.auth_via_LDAP_agent': login,
  'user.authentication.auth_via_inbound_SAML': login,
  'user.authentication.auth_via_mfa': m('logon', 'mfa_verify', C.AUTHENTICATION, A.OTHER),
  'user.authentication.verify': m('logon', 'mfa_verify', C.AUTHENTICATION, A.OTHER),
  'system.push.send_factor_verify_push': m('logon', 'mfa_challenge', C.AUTHENTICATION, A.OTHER),
  'user.mfa.okta_verify.deny_push': m('logon', 'mfa_deny', C.AUTHENTICATION, A.OTHER),
  'policy.evaluate_sign_on': m('logon', 'policy_evaluate', C.AUTHENTICATION, A.OTHER),

  // A user's account and credentials
  'user.mfa.factor.activate': m('user', 'mfa_factor_enable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_ENABLE),
  'user.mfa.factor.deactivate': m('user', 'mfa_factor_disable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_DISABLE),
  'user.mfa.factor.reset_all': m('user', 'mfa_factor_reset', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_DISABLE),
  'user.account.lock': m('user', 'account_lock', C.ACCOUNT_CHANGE, A.accountChange.LOCK),
  'user.account.lock.limit': m('user', 'account_lock', C.ACCOUNT_CHANGE, A.accountChange.LOCK),
  'user.account.unlock': m('user', 'account_unlock', C.ACCOUNT_CHANGE, A.accountChange.UNLOCK),
  'user.account.unlock_by_admin': m('user', 'account_unlock', C.ACCOUNT_CHANGE, A.accountChange.UNLOCK),
  'user.account.update_password': m('user', 'password_change', C.ACCOUNT_CHANGE, A.accountChange.PASSWORD_CHANGE),
  'user.account.reset_password': m('user', 'password_reset', C.ACCOUNT_CHANGE, A.accountChange.PASSWORD_RESET),
  'user.account.expire_password': m('user', 'password_reset', C.ACCOUNT_CHANGE, A.accountChange.PASSWORD_RESET),
  'user.account.update_profile': m('user', 'user_update', C.ACCOUNT_CHANGE, A.OTHER),
  'user.lifecycle.create': m('user', 'user_create', C.ACCOUNT_CHANGE, A.accountChange.CREATE),
  'user.lifecycle.activate': m('user', 'user_activate', C.ACCOUNT_CHANGE, A.accountChange.ENABLE),
  'user.lifecycle.reactivate': m('user', 'user_activate', C.ACCOUNT_CHANGE, A.accountChange.ENABLE),
  'user.lifecycle.deactivate': m('user', 'user_deactivate', C.ACCOUNT_CHANGE, A.accountChange.DISABLE),
  'user.lifecycle.suspend': m('user', 'user_suspend', C.ACCOUNT_CHANGE, A.accountChange.DISABLE),
  'user.lifecycle.unsuspend': m('user', 'user_unsuspend', C.ACCOUNT_CHANGE, A.accountChange.ENABLE),
  'user.lifecycle.delete.initiated': m('user', 'user_delete', C.ACCOUNT_CHANGE, A.accountChange.DELETE),
  'user.lifecycle.delete.completed': m('user', 'user_delete', C.ACCOUNT_CHANGE, A.accountChange.DELETE),
  'user.lifecycle.delete': m('user', 'user_delete', C.ACCOUNT_CHANGE, A.accountChange.DELETE),
  // Legacy (pre-2017) event type for a suspension, still seen in old exports.
  'core.user.config.user_status.suspended': m('user', 'user_suspend', C.ACCOUNT_CHANGE, A.accountChange.DISABLE),

  // Administration
  'user.account.privilege.grant': m('admin', 'privilege_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES),
  'user.account.privilege.revoke': m('admin', 'privilege_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES),
  'group.privilege.grant': m('admin', 'privilege_grant', C.GROUP_MANAGEMENT, A.groupManagement.ASSIGN_PRIVILEGES),
  'group.privilege.revoke': m('admin', 'privilege_revoke', C.GROUP_MANAGEMENT, A.groupManagement.REVOKE_PRIVILEGES),
  'group.user_membership.add': m('admin', 'group_member_add', C.GROUP_MANAGEMENT, A.groupManagement.ADD_USER),
  'group.user_membership.remove': m('admin', 'group_member_remove', C.GROUP_MANAGEMENT, A.groupManagement.REMOVE_USER),
  'group.lifecycle.create': m('admin', 'group_create', C.GROUP_MANAGEMENT, A.groupManagement.CREATE),
  'group.lifecycle.delete': m('admin', 'group_delete', C.GROUP_MANAGEMENT, A.groupManagement.DELETE),
  'group.profile.update': m('admin', 'group_update', C.GROUP_MANAGEMENT, A.OTHER),
  'user.session.access_admin_app': m('admin', 'admin_access', C.AUTHENTICATION, A.authentication.LOGON),
  'user.session.impersonation.initiate': m('admin', 'impersonate', C.AUTHENTICATION, A.authentication.LOGON),
  'user.session.impersonation.end': m('admin', 'logout', C.AUTHENTICATION, A.authentication.LOGOFF),
  'user.session.impersonation.grant': m('admin', 'impersonation_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES),
  'user.session.impersonation.extend': m('admin', 'impersonation_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES),
  'user.session.impersonation.revoke': m('admin', 'impersonation_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES),
  'system.org.rate_limit.warning': m('admin', 'rate_limit', C.API_ACTIVITY, A.OTHER),
  'system.org.rate_limit.violation': m('admin', 'rate_limit', C.API_ACTIVITY, A.OTHER),
  'system.client.rate_limit.notification': m('admin', 'rate_limit', C.API_ACTIVITY, A.OTHER),
  'system.client.concurrency_rate_limit.notification': m('admin', 'rate_limit', C.API_ACTIVITY, A.OTHER),
  'policy.lifecycle.create': m('admin', 'settings_change', C.ENTITY_MANAGEMENT, A.entityManagement.CREATE),
  'policy.lifecycle.update': m('admin', 'settings_change', C.ENTITY_MANAGEMENT, A.entityManagement.UPDATE),
  'policy.lifecycle.delete': m('admin', 'settings_change', C.ENTITY_MANAGEMENT, A.entityManagement.DELETE),
  'policy.lifecycle.activate': m('admin', 'settings_change', C.ENTITY_MANAGEMENT, A.entityManagement.ACTIVATE),
  'policy.lifecycle.deactivate': m('admin', 'settings_change', C.ENTITY_MANAGEMENT, A.entityManagement.DEACTIVATE),
  'application.lifecycle.create': m('admin', 'settings_change', C.ENTITY_MANAGEMENT, A.entityManagement.CREATE),
  'application.lifecycle.update': m('admin', 'settings_change', C.ENTITY_MANAGEMENT, A.entityManagement.UPDATE),
  'application.lifecycle.delete': m('admin', 'settings_change', C.ENTITY_MANAGEMENT, A.entityManagement.DELETE),

  // Applications
  'application.user_membership.add': m('app', 'app_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES),
  'application.user_membership.remove': m('app', 'app_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES),
  'app.oauth2.as.consent.grant': m('app', 'app_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES),
  'app.oauth2.as.consent.revoke': m('app', 'app_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES),
  'app.oauth2.as.consent.revoke.user': m('app', 'app_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES),
  'app.oauth2.as.token.revoke': m('app', 'app_revoke', C.API_ACTIVITY, A.api.DELETE),
  'app.oauth2.token.revoke': m('app', 'app_revoke', C.API_ACTIVITY, A.api.DELETE),
};

/** Families of event types, most specific first: unknown types still get a sensible category. */
const PREFIXES: Array<[string, OktaEventMapping]> = [
  // Authorization requests sign a user in to a client app; token grants mint tokens for it.
  ['app.oauth2.as.authorize', appAccess],
  ['app.oauth2.authorize', appAccess],
  ['app.oauth2.as.token.grant', tokenGrant],
  ['app.oauth2.token.grant', tokenGrant],
  ['user.authentication.auth_via_', login],
  ['user.session.', m('logon', 'other', C.AUTHENTICATION, A.OTHER)],
  ['user.authentication.', m('logon', 'other', C.AUTHENTICATION, A.OTHER)],
  ['policy.evaluate', m('logon', 'other', C.AUTHENTICATION, A.OTHER)],
  ['user.', m('user', 'other', C.ACCOUNT_CHANGE, A.OTHER)],
  ['group.', m('admin', 'other', C.GROUP_MANAGEMENT, A.OTHER)],
  ['app.', m('app', 'other', C.API_ACTIVITY, A.OTHER)],
  ['application.', m('app', 'other', C.ENTITY_MANAGEMENT, A.OTHER)],
];

const FALLBACK = m('admin', 'other', C.BASE_EVENT, A.OTHER);

/** The mapping of an Okta `eventType`; unknown types map to action `other` with a category from their prefix. */
export function oktaEventMapping(eventType: string): OktaEventMapping {
  const known = EVENT_TYPES[eventType];
  if (known) return known;
  for (const [prefix, mapping] of PREFIXES) {
    if (eventType.startsWith(prefix)) return mapping;
  }
  return FALLBACK;
}

/** The event types mapped explicitly (for tests and documentation). */
export const KNOWN_OKTA_EVENT_TYPES: readonly string[] = Object.keys(EVENT_TYPES);
