import { OCSF_ACTIVITY as A, OCSF_CLASS as C } from '../../schemas/ocsf.js';
import { deliberateOther as why, EventTable, mapping as m, type EventMapping } from '../runtime/event-table.js';
import { OKTA_CATALOGUE_SOURCE } from './catalogue.js';
import { OKTA_EXACT } from './event-types-exact.js';

/** How one Okta System Log `eventType` maps to our category, action and OCSF class/activity. */
export type OktaEventMapping = EventMapping;

const E = A.entityManagement;
const settings = (activityId: number = E.UPDATE) => m('admin', 'settings_change', C.ENTITY_MANAGEMENT, activityId);
const policy = m('admin', 'policy_change', C.ENTITY_MANAGEMENT, E.UPDATE);
const evaluate = m('logon', 'policy_evaluate', C.AUTHENTICATION, A.OTHER);
const login = m('logon', 'login', C.AUTHENTICATION, A.authentication.LOGON);
const appAccess = m('app', 'app_access', C.AUTHENTICATION, A.authentication.LOGON);
const tokenGrant = m('app', 'app_access', C.API_ACTIVITY, A.api.CREATE);
const appRevoke = m('app', 'app_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES);
const tokenRevoke = m('app', 'token_revoke', C.ENTITY_MANAGEMENT, E.DELETE);
const rateLimit = m('admin', 'rate_limit', C.API_ACTIVITY, A.OTHER);
const deviceChange = m('admin', 'device_change', C.ENTITY_MANAGEMENT, E.UPDATE);
const sync = (reason: string) => why('admin', C.API_ACTIVITY, A.OTHER, reason);
const SYNC = 'directory, import or provisioning job bookkeeping: the changes it makes are logged as their own events';
const NOTICE = 'a notification Okta sent (email, SMS, voice): not an action of a user or admin';

/**
 * Families of catalogued types, most specific first. Each is deliberate: the catalogue test checks
 * that every catalogued type resolves either to a specific action or to an `other` with a reason.
 */
const RULES: Array<{ prefix?: string; suffix?: string; mapping: EventMapping }> = [
  // Sign-in
  { prefix: 'user.authentication.auth_via_', mapping: login },
  { prefix: 'app.oauth2.as.authorize', mapping: appAccess },
  { prefix: 'app.oauth2.authorize', mapping: appAccess },
  { prefix: 'app.oauth2.as.token.grant', mapping: tokenGrant },
  { prefix: 'app.oauth2.token.grant', mapping: tokenGrant },
  { prefix: 'app.oauth2.as.token.revoke', mapping: tokenRevoke },
  { prefix: 'app.oauth2.token.revoke', mapping: tokenRevoke },
  { prefix: 'app.oauth2.as.consent.revoke', mapping: appRevoke },
  { prefix: 'app.oauth2.interact.', mapping: appAccess },
  { prefix: 'app.oauth2.as.interact.', mapping: appAccess },
  { prefix: 'policy.auth_reevaluate.', mapping: evaluate },
  { prefix: 'policy.continuous_access.', mapping: evaluate },
  { prefix: 'policy.entity_risk.', mapping: evaluate },
  // Policies, rules and zones
  { prefix: 'policy.lifecycle.', mapping: policy },
  { prefix: 'policy.rule.', mapping: policy },
  { prefix: 'application.registration_policy.', mapping: policy },
  { prefix: 'device.assurance.policy.', mapping: policy },
  { prefix: 'device.posture.check.', mapping: policy },
  { prefix: 'iam.policy.', mapping: policy },
  { prefix: 'zone.', mapping: policy },
  { prefix: 'network_zone.', mapping: policy },
  { prefix: 'security.zone.', mapping: policy },
  { prefix: 'security.device.', mapping: policy },
  { prefix: 'security.voice.', mapping: policy },
  // Rate limits
  { prefix: 'system.org.rate_limit.', mapping: rateLimit },
  { prefix: 'system.client.', suffix: 'rate_limit.notification', mapping: rateLimit },
  { prefix: 'system.client.', suffix: 'rate_limit.violation', mapping: rateLimit },
  { prefix: 'system.operation.', mapping: rateLimit },
  // Devices
  { prefix: 'device.', suffix: 'enrollment.create', mapping: m('admin', 'device_enroll', C.ENTITY_MANAGEMENT, E.ENROLL) },
  { prefix: 'mim.createEnrollment.', mapping: m('admin', 'device_enroll', C.ENTITY_MANAGEMENT, E.ENROLL) },
  { prefix: 'device.lifecycle.', mapping: deviceChange },
  { prefix: 'device.push.provider.', mapping: settings() },
  { prefix: 'device.integration.', mapping: settings() },
  { prefix: 'device.desktop_mfa.recovery_pin.', mapping: deviceChange },
  { prefix: 'mim.command.', mapping: deviceChange },
  // Tenant configuration an admin changes: settings_change (OCSF Entity Management)
  ...[
    'system.brand.', 'system.captcha.', 'system.custom_', 'system.email.template.', 'system.email_domain.', 'system.feature.',
    'system.beta.', 'system.hook.key.', 'system.idp.', 'system.log_stream.', 'system.theme.', 'system.well_known_uri.',
    'system.self_service.', 'system.rate_limit.', 'system.org.captcha.', 'system.org.lifecycle.', 'system.mfa.factor.',
    'system.iwa.', 'system.iwa_agentless_kerberos.', 'system.iwa_agentless.update', 'system.agent.register', 'system.agent.auto_update',
    'system.agent_pools.', 'security.attack_protection.', 'security.authenticator.', 'security.behavior.', 'security.events.',
    'security.protected_action.settings', 'security.session_protection.', 'security.threat.configuration.', 'security.trusted_origin.',
    'oauth2.', 'inline_hook.', 'event_hook.', 'self_service.', 'application.lifecycle.', 'application.configuration.',
    'app.oauth2.client.lifecycle.', 'app.keys.', 'app.oauth2.as.key.', 'app.oauth2.key.', 'app.oauth2.trusted_server.',
    'app.cross_app_access.', 'app.interclient_mapping.', 'app.saml.', 'app.ai_agent_provider.', 'app.app_instance.csr.',
    'app.office365.provisioning_app', 'task.lifecycle.', 'iam.role.', 'iam.resourceset.', 'pki.', 'account.', 'resource_servers.',
    'workload_principal.', 'directory.mapping.', 'directory.linked_object.', 'directory.non_default_user_profile.',
    'directory.user_profile.bootstrap', 'directory.app_user_profile.bootstrap', 'personal.admin.', 'support.org.update',
    'application.provision.field_mapping_rule.', 'system.rate_limit.', 'app.ad.password_migration_campaign.create',
  ].map((prefix) => ({ prefix, mapping: settings() })),
  // Deliberately other, with the reason
  { prefix: 'access.request.', mapping: why('app', C.ENTITY_MANAGEMENT, A.OTHER, 'an Identity Governance access request step: the grant itself is logged as a membership or privilege event') },
  { prefix: 'access.review.', mapping: why('admin', C.ENTITY_MANAGEMENT, A.OTHER, 'an access review step: the remediation is logged as its own event') },
  { prefix: 'certification.', mapping: why('admin', C.ENTITY_MANAGEMENT, A.OTHER, 'an access certification campaign step: the remediation is logged as its own event') },
  { prefix: 'app.access_request.', mapping: why('app', C.ENTITY_MANAGEMENT, A.OTHER, 'an app access request step: the grant is logged as an assignment') },
  { prefix: 'pam.', mapping: why('admin', C.ENTITY_MANAGEMENT, A.OTHER, 'Okta Privileged Access (servers, vaulted secrets): not in our vocabulary yet') },
  { prefix: 'workflows.', mapping: why('admin', C.ENTITY_MANAGEMENT, A.OTHER, 'Okta Workflows automation (flows, tables, connections): not in our vocabulary') },
  { prefix: 'group.user_membership.rule.', mapping: why('admin', C.GROUP_MANAGEMENT, A.OTHER, 'group rule bookkeeping: the memberships it changes are logged as their own events') },
  { prefix: 'application.provision.group_push.', mapping: sync(SYNC) },
  { prefix: 'application.provision.', mapping: sync(SYNC) },
  { prefix: 'application.account.', mapping: sync('app account discovery (Identity Security Posture Management): no user or admin action') },
  { prefix: 'application.integration.', mapping: sync('an app integration call and its errors') },
  { prefix: 'app.office365.', mapping: sync(SYNC) },
  { prefix: 'app.ad.', mapping: sync(SYNC) },
  { prefix: 'app.realtimesync.', mapping: sync(SYNC) },
  { prefix: 'app.user_management', mapping: sync(SYNC) },
  { prefix: 'app.rum.', mapping: sync('app user management errors') },
  { prefix: 'app.radius.', mapping: sync('RADIUS agent health') },
  { prefix: 'app.kerberos_rich_client.', mapping: sync('Kerberos rich-client lookups and their errors') },
  { prefix: 'app.app_instance.', mapping: sync(SYNC) },
  { prefix: 'system.import.', mapping: sync(SYNC) },
  { prefix: 'system.agent.', mapping: sync('directory agent health, configuration reads and sync') },
  { prefix: 'system.identity_sources.', mapping: sync(SYNC) },
  { prefix: 'system.iwa_agentless.', mapping: sync('desktop single sign-on redirects and lookups') },
  { prefix: 'system.ldapi.', mapping: sync('LDAP interface queries') },
  { prefix: 'system.dr.', mapping: sync('Okta disaster recovery fail-over') },
  { prefix: 'system.email.', mapping: why('other', C.BASE_EVENT, A.OTHER, NOTICE) },
  { prefix: 'system.sms.', mapping: why('other', C.BASE_EVENT, A.OTHER, NOTICE) },
  { prefix: 'system.voice.', mapping: why('other', C.BASE_EVENT, A.OTHER, NOTICE) },
  { prefix: 'scheduled_action.', mapping: why('admin', C.ENTITY_MANAGEMENT, A.OTHER, 'a scheduled suspension planned or changed: the suspension is logged when it happens') },
  { prefix: 'device.', mapping: why('admin', C.ENTITY_MANAGEMENT, A.OTHER, 'device health, sign-in plumbing or notifications with no device change') },
  { prefix: 'mim.', mapping: why('admin', C.ENTITY_MANAGEMENT, A.OTHER, 'mobility management bookkeeping') },
  { prefix: 'plugin.', mapping: why('user', C.BASE_EVENT, A.OTHER, 'browser plugin download and health') },
  { prefix: 'analytics.feedback.', mapping: why('security', C.DETECTION_FINDING, A.finding.UPDATE, 'feedback on a detection: no new finding') },
];

/**
 * Okta's event types (Event Types catalogue, `OKTA_CATALOGUE`): exact types in `event-types-exact.ts`,
 * families in `RULES`. A type neither knows is unknown: `oktaEventMapping` gives it its family's
 * category (`user.session.*` logon, `user.*` user, `group.*` admin, `app.*` app) or `other`.
 */
export const OKTA_EVENT_TABLE = new EventTable([OKTA_CATALOGUE_SOURCE], OKTA_EXACT, RULES);

/** Categories of unknown types, by family; a type in none of these families gets `other`. */
const UNKNOWN_FAMILIES: Array<[string, EventMapping]> = [
  ['user.session.', m('logon', 'other', C.AUTHENTICATION, A.OTHER)],
  ['user.authentication.', m('logon', 'other', C.AUTHENTICATION, A.OTHER)],
  ['user.', m('user', 'other', C.ACCOUNT_CHANGE, A.OTHER)],
  ['group.', m('admin', 'other', C.GROUP_MANAGEMENT, A.OTHER)],
  ['app.', m('app', 'other', C.API_ACTIVITY, A.OTHER)],
  ['application.', m('app', 'other', C.ENTITY_MANAGEMENT, A.OTHER)],
  ['security.', m('security', 'other', C.BASE_EVENT, A.OTHER)],
];
const UNKNOWN = m('other', 'other', C.BASE_EVENT, A.OTHER);

/** The mapping of an Okta `eventType`; an unknown type is action `other` in its family's category. */
export function oktaEventMapping(eventType: string): OktaEventMapping {
  const known = OKTA_EVENT_TABLE.lookup(eventType);
  if (known) return known;
  for (const [prefix, family] of UNKNOWN_FAMILIES) if (eventType.startsWith(prefix)) return family;
  return UNKNOWN;
}

/** The event types mapped explicitly (for tests and documentation). */
export const KNOWN_OKTA_EVENT_TYPES: readonly string[] = OKTA_EVENT_TABLE.exactTypes;


/** The key `/v1/connectors` counts an unknown event under: its `eventType`, when the table does not know it. */
export function oktaUnknownEventType(event: { action_raw: string }): string | null {
  return OKTA_EVENT_TABLE.known(event.action_raw) ? null : event.action_raw;
}
