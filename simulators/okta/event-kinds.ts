import { readJsonLines } from '../common/json.js';

/** A System Log event as a JSON object (Okta's LogEvent). */
export type OktaLogEvent = Record<string, unknown>;

/** Who acts: a user signing in, an admin, an OAuth client, or Okta itself. */
export type ActorRole = 'user' | 'admin' | 'client' | 'system';

/**
 * What each entry of `target` becomes: the subject user (as `User` or `AppUser`), the app (`AppInstance`),
 * the group (`UserGroup`), a fresh authorization code, or the template's own target at that index.
 */
export type TargetRole = 'user' | 'app-user' | 'app' | 'group' | 'code' | `template:${number}`;

/** One kind of event the simulator serves, made from a real sample (the template). */
export interface EventKind {
  readonly name: string;
  readonly eventType: string;
  readonly template: OktaLogEvent;
  /** Relative frequency in generated activity; 0 for events only governance actions cause. */
  readonly weight: number;
  readonly actor: ActorRole;
  /** Which users it happens to: `active` users only, or `any` user that was ever activated. */
  readonly users: 'active' | 'any';
  /** `null` keeps `target: null` as in the template. */
  readonly targets: readonly TargetRole[] | null;
  /** Interactive sign-in traffic gets the user's browser; other kinds keep the template's user agent. */
  readonly browser: boolean;
  readonly displayMessage: string;
  readonly legacyEventType: string | null;
  readonly severity: string;
  readonly outcome: { result: string; reason: string | null };
  readonly authenticationContext?: Record<string, unknown>;
  readonly debugData?: Record<string, string>;
}

const TEMPLATE_FILE = new URL('./testdata/system_log_events.jsonl', import.meta.url);

interface KindSpec {
  name: string;
  eventType: string;
  /** The sample's eventType; defaults to `eventType`. */
  from?: string;
  weight: number;
  actor: ActorRole;
  users?: 'active' | 'any';
  targets?: readonly TargetRole[] | null;
  browser?: boolean;
  displayMessage?: string;
  legacyEventType?: string | null;
  severity?: string;
  outcome?: { result: string; reason: string | null };
  authenticationContext?: Record<string, unknown>;
  debugData?: Record<string, string>;
}

const FAILURE = (reason: string) => ({ result: 'FAILURE', reason });
const GOVERNANCE_TEMPLATE = 'user.account.update_password';

// Weights give a realistic mix: mostly sign-ins and policy checks, some failures, few admin events,
// rare rate-limit events. Display messages and legacy types of derived kinds follow Okta's event-type
// catalogue; `null` legacy types are the ones not checked.
const SPECS: readonly KindSpec[] = [
  { name: 'session-start', eventType: 'user.session.start', weight: 30, actor: 'user', browser: true },
  { name: 'session-start-failed', eventType: 'user.session.start', weight: 6, actor: 'user', users: 'any', browser: true, outcome: FAILURE('INVALID_CREDENTIALS'), legacyEventType: 'core.user_auth.login_failed', severity: 'WARN' },
  { name: 'sign-on-policy', eventType: 'policy.evaluate_sign_on', weight: 14, actor: 'user', browser: true, targets: ['template:0', 'template:1'] },
  { name: 'mfa', eventType: 'user.authentication.auth_via_mfa', weight: 10, actor: 'user', browser: true, targets: ['user'] },
  { name: 'mfa-failed', eventType: 'user.authentication.auth_via_mfa', weight: 1.5, actor: 'user', users: 'any', browser: true, targets: ['user'], outcome: FAILURE('VERIFICATION_ERROR'), legacyEventType: 'core.user.factor.attempt_fail', severity: 'WARN' },
  { name: 'sso', eventType: 'user.authentication.sso', from: 'user.authentication.auth_via_IDP', weight: 18, actor: 'user', browser: true, targets: ['app', 'app-user'], displayMessage: 'User single sign on to app', legacyEventType: 'app.auth.sso', authenticationContext: { interface: null, credentialType: null, authenticationProvider: null } },
  { name: 'idp-sign-in', eventType: 'user.authentication.auth_via_IDP', weight: 2, actor: 'system', browser: true, targets: ['template:0', 'user'] },
  { name: 'push-verify', eventType: 'system.push.send_factor_verify_push', weight: 4, actor: 'user', browser: true, targets: ['user'] },
  { name: 'oauth-code', eventType: 'app.oauth2.as.authorize.code', weight: 5, actor: 'client', browser: true, targets: ['user', 'code'] },
  { name: 'session-end', eventType: 'user.session.end', from: 'user.session.start', weight: 5, actor: 'user', browser: true, displayMessage: 'User logout from Okta', legacyEventType: 'core.user_auth.logout_success', debugData: { requestUri: '/login/signout', url: '/login/signout?' } },
  { name: 'admin-app', eventType: 'user.session.access_admin_app', weight: 1.5, actor: 'admin', browser: true, targets: ['app-user'] },
  { name: 'password-update', eventType: 'user.account.update_password', weight: 1, actor: 'user', targets: ['user'] },
  { name: 'account-lock', eventType: 'user.account.lock', from: 'user.session.start', weight: 0.5, actor: 'user', users: 'any', browser: true, displayMessage: 'Max sign in attempts exceeded', legacyEventType: 'core.user_auth.account_locked', severity: 'WARN', outcome: FAILURE('LOCKED_OUT') },
  { name: 'group-add', eventType: 'group.user_membership.add', from: GOVERNANCE_TEMPLATE, weight: 0.5, actor: 'admin', targets: ['user', 'group'], displayMessage: 'Add user to group membership', legacyEventType: 'core.user_group_member.user_add' },
  { name: 'rate-limit-warning', eventType: 'system.org.rate_limit.warning', from: 'system.org.rate_limit.violation', weight: 0.05, actor: 'admin', targets: ['template:0'], displayMessage: 'Rate limit warning', legacyEventType: 'core.framework.ratelimit.warning' },
  { name: 'rate-limit-violation', eventType: 'system.org.rate_limit.violation', weight: 0.02, actor: 'admin', targets: ['template:0'] },
  // Caused only by governance calls; the actor is the owner of the API token.
  { name: 'suspend', eventType: 'user.lifecycle.suspend', from: GOVERNANCE_TEMPLATE, weight: 0, actor: 'admin', targets: ['user'], displayMessage: 'Suspend Okta user', legacyEventType: 'core.user.config.user_status.suspended' },
  { name: 'unsuspend', eventType: 'user.lifecycle.unsuspend', from: GOVERNANCE_TEMPLATE, weight: 0, actor: 'admin', targets: ['user'], displayMessage: 'Unsuspend Okta user', legacyEventType: 'core.user.config.user_status.unsuspended' },
  { name: 'deactivate', eventType: 'user.lifecycle.deactivate', from: GOVERNANCE_TEMPLATE, weight: 0, actor: 'admin', targets: ['user'], displayMessage: 'Deactivate Okta user', legacyEventType: 'core.user.config.user_deactivated' },
  { name: 'delete', eventType: 'user.lifecycle.delete.initiated', from: GOVERNANCE_TEMPLATE, weight: 0, actor: 'admin', targets: ['user'], displayMessage: 'Delete Okta user', legacyEventType: 'core.user.config.user_deleted' },
  { name: 'unlock', eventType: 'user.account.unlock_by_admin', from: GOVERNANCE_TEMPLATE, weight: 0, actor: 'admin', targets: ['user'], displayMessage: 'Unlock user account by admin', legacyEventType: null },
  { name: 'expire-password', eventType: 'user.account.expire_password', from: GOVERNANCE_TEMPLATE, weight: 0, actor: 'admin', targets: ['user'], displayMessage: 'Expire password', legacyEventType: null },
  { name: 'reset-factors', eventType: 'user.mfa.factor.reset_all', from: GOVERNANCE_TEMPLATE, weight: 0, actor: 'admin', targets: ['user'], displayMessage: 'Reset all factors for user', legacyEventType: null },
  { name: 'clear-sessions', eventType: 'user.session.clear', from: GOVERNANCE_TEMPLATE, weight: 0, actor: 'admin', targets: ['user'], displayMessage: 'Clear user session', legacyEventType: null },
  { name: 'revoke-grant', eventType: 'app.oauth2.as.consent.revoke', from: GOVERNANCE_TEMPLATE, weight: 0, actor: 'admin', targets: ['user', 'app'], displayMessage: 'Revoke consent', legacyEventType: null },
  { name: 'group-remove', eventType: 'group.user_membership.remove', from: GOVERNANCE_TEMPLATE, weight: 0, actor: 'admin', targets: ['user', 'group'], displayMessage: 'Remove user from group membership', legacyEventType: 'core.user_group_member.user_remove' },
  { name: 'revoke-role', eventType: 'user.account.privilege.revoke', from: GOVERNANCE_TEMPLATE, weight: 0, actor: 'admin', targets: ['user'], displayMessage: 'User privilege revoke', legacyEventType: 'core.user.admin_privilege.revoked' },
];

export type KindName = 'suspend' | 'unsuspend' | 'deactivate' | 'delete' | 'unlock' | 'expire-password' | 'reset-factors' | 'clear-sessions' | 'revoke-grant' | 'group-remove' | 'revoke-role';

/** Loads the sample events and builds every kind from them; throws if a template is missing. */
export function loadEventKinds(): Map<string, EventKind> {
  const templates = new Map<string, OktaLogEvent>();
  for (const sample of readJsonLines(TEMPLATE_FILE)) {
    const event = sample as OktaLogEvent;
    templates.set(String(event.eventType), event);
  }
  const kinds = new Map<string, EventKind>();
  for (const spec of SPECS) {
    const template = templates.get(spec.from ?? spec.eventType);
    if (!template) throw new Error(`no sample event of type ${spec.from ?? spec.eventType} in ${TEMPLATE_FILE.pathname}`);
    kinds.set(spec.name, {
      name: spec.name,
      eventType: spec.eventType,
      template,
      weight: spec.weight,
      actor: spec.actor,
      users: spec.users ?? 'active',
      targets: spec.targets === undefined ? (template.target === null ? null : ['user']) : spec.targets,
      browser: spec.browser ?? false,
      displayMessage: spec.displayMessage ?? String(template.displayMessage),
      legacyEventType: spec.legacyEventType === undefined ? (template.legacyEventType as string | null) : spec.legacyEventType,
      severity: spec.severity ?? String(template.severity),
      outcome: spec.outcome ?? (template.outcome as { result: string; reason: string | null }),
      ...(spec.authenticationContext ? { authenticationContext: spec.authenticationContext } : {}),
      ...(spec.debugData ? { debugData: spec.debugData } : {}),
    });
  }
  return kinds;
}
