/**
 * Okta governance actions, against Okta's Users, Groups, Sessions and Grants APIs. Each `run` reads
 * the target first, so that applying an action twice applies it once (`noop`); each `verify`
 * re-reads the target to confirm the effect.
 */
import { AppwardenError, providerStatus } from '../../core/errors.js';
import type { ActionHandler, ActionTarget, ActionVerb } from '../contract.js';
import type { HttpClient } from '../runtime/http-client.js';
import { badTarget, OktaGovernanceApi, type OktaUserRef } from './governance-api.js';

type Json = Record<string, unknown>;
type Params = Readonly<Record<string, string>>;

/** The verbs the Okta connector declares as `action:<verb>`. */
export const OKTA_ACTION_VERBS = [
  'suspend_user', 'unsuspend_user', 'revoke_sessions', 'force_password_change', 'remove_from_group', 'revoke_app_grant',
  'remove_privilege', 'reset_mfa',
] as const satisfies readonly ActionVerb[];
export type OktaActionVerb = (typeof OKTA_ACTION_VERBS)[number];

/** How far back `revoke_sessions` looks for its System Log event when this process did not run it. */
const SESSION_CLEAR_LOOKBACK_MS = 15 * 60_000;
/** Slack for clock skew between us and Okta when looking for an event we caused. */
const CLOCK_SKEW_MS = 60_000;

function label(user: OktaUserRef): string {
  return user.login === user.id ? user.id : `${user.login} (${user.id})`;
}

interface LifecycleSpec {
  operation: 'suspend' | 'unsuspend' | 'expire_password';
  /** Statuses Okta allows the call from (its User Lifecycle reference). */
  from: readonly string[];
  /** The status the action leads to; a user already there is a `noop`. */
  to: string;
  verb: string;
  inverse?: ActionVerb;
}

function lifecycleAction(api: OktaGovernanceApi, spec: LifecycleSpec): ActionHandler {
  return {
    ...(spec.inverse ? { inverse: spec.inverse } : {}),
    async run(target, _params, signal) {
      const user = await api.user(target, signal);
      if (user.status === spec.to) return { status: 'noop', message: `${label(user)} is already ${spec.to}` };
      if (!spec.from.includes(user.status)) {
        throw new AppwardenError('AW_PROVIDER_REQUEST_FAILED',
          `cannot ${spec.verb} ${label(user)}: the user is ${user.status}, and Okta allows it only from ${spec.from.join(', ')}`,
          { details: { status: user.status } });
      }
      try {
        await api.lifecycle(user.id, spec.operation, signal);
      } catch (err) {
        // Okta refuses with 400 when the status changed between our read and our call; already there is fine.
        if (providerStatus(err) === 400 && (await api.user(target, signal)).status === spec.to) {
          return { status: 'noop', message: `${label(user)} is already ${spec.to}` };
        }
        throw err;
      }
      return { status: 'applied', message: `${label(user)}: ${user.status} → ${spec.to}` };
    },
    async verify(target, _params, signal) {
      return (await api.user(target, signal)).status === spec.to;
    },
  };
}

function revokeSessions(api: OktaGovernanceApi, now: () => number): ActionHandler {
  // When this process cleared a user's sessions, so that verify looks for that event and not an older one.
  const clearedAt = new Map<string, number>();
  return {
    async run(target, params, signal) {
      const user = await api.user(target, signal);
      const at = now();
      await api.clearSessions(user.id, params.oauth_tokens === 'true', signal);
      clearedAt.set(user.id, at);
      return { status: 'applied', message: `cleared the sessions of ${label(user)}${params.oauth_tokens === 'true' ? ' and its OAuth tokens' : ''}` };
    },
    // Okta has no read of a user's sessions; the System Log's user.session.clear event is the evidence.
    async verify(target, _params, signal) {
      const user = await api.user(target, signal);
      const since = (clearedAt.get(user.id) ?? now() - SESSION_CLEAR_LOOKBACK_MS) - CLOCK_SKEW_MS;
      const seen = await api.sessionsClearedSince(user.id, since, signal);
      if (seen) clearedAt.delete(user.id);
      return seen;
    },
  };
}

function requireGroupId(params: Params): string {
  const groupId = params.group_id;
  if (!groupId) throw badTarget('remove_from_group needs params.group_id, the Okta group id', 'params.group_id');
  return groupId;
}

function removeFromGroup(api: OktaGovernanceApi): ActionHandler {
  const isMember = async (userId: string, groupId: string, signal: AbortSignal) =>
    (await api.userGroups(userId, signal)).some((g) => g.id === groupId);
  return {
    async run(target, params, signal) {
      const groupId = requireGroupId(params);
      const user = await api.user(target, signal);
      if (!(await isMember(user.id, groupId, signal))) return { status: 'noop', message: `${label(user)} is not a member of group ${groupId}` };
      await api.removeFromGroup(groupId, user.id, signal);
      return { status: 'applied', message: `removed ${label(user)} from group ${groupId}` };
    },
    async verify(target, params, signal) {
      const user = await api.user(target, signal);
      return !(await isMember(user.id, requireGroupId(params), signal));
    },
  };
}

/**
 * The user whose grants to revoke and which grants: target `user` (params `grant_id` or `client_id`
 * narrow it; neither revokes all), or target `app_grant` (the grant id) with params `user_id`.
 */
function grantSelection(target: ActionTarget, params: Params): { user: ActionTarget; grantId?: string; clientId?: string } {
  if (target.type === 'app_grant') {
    if (!params.user_id) throw badTarget('revoke_app_grant on an app_grant target needs params.user_id', 'params.user_id');
    return { user: { type: 'user', id: params.user_id }, grantId: target.id };
  }
  return { user: target, ...(params.grant_id ? { grantId: params.grant_id } : {}), ...(params.client_id ? { clientId: params.client_id } : {}) };
}

function revokeAppGrant(api: OktaGovernanceApi): ActionHandler {
  const matching = async (userId: string, sel: ReturnType<typeof grantSelection>, signal: AbortSignal) =>
    (await api.userGrants(userId, signal)).filter((g) =>
      (sel.grantId === undefined || g.id === sel.grantId) && (sel.clientId === undefined || g.clientId === sel.clientId));
  const what = (sel: ReturnType<typeof grantSelection>) =>
    sel.grantId ? `grant ${sel.grantId}` : sel.clientId ? `the grants of client ${sel.clientId}` : 'every OAuth grant';
  return {
    async run(target, params, signal) {
      const sel = grantSelection(target, params);
      const user = await api.user(sel.user, signal);
      const grants = await matching(user.id, sel, signal);
      if (grants.length === 0) return { status: 'noop', message: `${label(user)} holds no ${sel.grantId || sel.clientId ? what(sel) : 'OAuth grant'}` };
      if (sel.grantId === undefined && sel.clientId === undefined) await api.revokeGrants(user.id, undefined, signal);
      else for (const grant of grants) await api.revokeGrants(user.id, String(grant.id), signal);
      return {
        status: 'applied',
        message: `revoked ${grants.length} grant(s) of ${label(user)}: ${what(sel)}`,
        undo: { revoked_grants: grants.map((g) => String(g.id)).join(',') },
      };
    },
    async verify(target, params, signal) {
      const sel = grantSelection(target, params);
      const user = await api.user(sel.user, signal);
      return (await matching(user.id, sel, signal)).length === 0;
    },
  };
}

/**
 * The user's admin role assignments `params` names: `role_id` (the assignment id, as the privilege
 * account events carry it) or `role_type` (`ORG_ADMIN`...).
 */
function roleSelection(params: Params): (role: Json) => boolean {
  if (params.role_id) return (role) => role.id === params.role_id;
  if (params.role_type) return (role) => role.type === params.role_type;
  throw badTarget('remove_privilege needs params.role_id (the role assignment id) or params.role_type', 'params.role_id');
}

function removePrivilege(api: OktaGovernanceApi): ActionHandler {
  const held = async (userId: string, params: Params, signal: AbortSignal) => (await api.userRoles(userId, signal)).filter(roleSelection(params));
  return {
    async run(target, params, signal) {
      const pick = roleSelection(params);
      const user = await api.user(target, signal);
      const roles = (await api.userRoles(user.id, signal)).filter(pick);
      if (roles.length === 0) return { status: 'noop', message: `${label(user)} holds no such admin role` };
      // A role that reaches the user through a group is the group's: removing it there would strip every member.
      const direct = roles.filter((r) => r.assignmentType !== 'GROUP');
      if (direct.length === 0) {
        throw new AppwardenError('AW_PROVIDER_REQUEST_FAILED',
          `${label(user)} holds the role through a group only; remove the user from that group (remove_from_group) or the role from the group`,
          { details: { field: 'params.role_id' } });
      }
      for (const role of direct) await api.removeRole(user.id, String(role.id), signal);
      return {
        status: 'applied',
        message: `removed ${direct.map((r) => `${String(r.type)} (${String(r.id)})`).join(', ')} from ${label(user)}`,
        undo: { role_types: direct.map((r) => String(r.type)).join(',') },
      };
    },
    async verify(target, params, signal) {
      const user = await api.user(target, signal);
      return (await held(user.id, params, signal)).every((r) => r.assignmentType === 'GROUP');
    },
  };
}

/** Resets every MFA factor of the user: they enrol again at the next sign-in. */
function resetMfa(api: OktaGovernanceApi): ActionHandler {
  return {
    async run(target, _params, signal) {
      const user = await api.user(target, signal);
      const factors = await api.factors(user.id, signal);
      if (factors.length === 0) return { status: 'noop', message: `${label(user)} has no enrolled factor` };
      await api.lifecycle(user.id, 'reset_factors', signal);
      return { status: 'applied', message: `reset ${factors.length} factor(s) of ${label(user)}: ${factors.map((f) => String(f.factorType)).join(', ')}` };
    },
    async verify(target, _params, signal) {
      const user = await api.user(target, signal);
      return (await api.factors(user.id, signal)).length === 0;
    },
  };
}

/** The Okta actions, over the instance's HTTP client (its auth, limits and retries). */
export function oktaActions(http: HttpClient, options: { now?: () => number } = {}): Record<OktaActionVerb, ActionHandler> {
  const api = new OktaGovernanceApi(http);
  const now = options.now ?? Date.now;
  return {
    suspend_user: lifecycleAction(api, { operation: 'suspend', from: ['ACTIVE'], to: 'SUSPENDED', verb: 'suspend', inverse: 'unsuspend_user' }),
    unsuspend_user: lifecycleAction(api, { operation: 'unsuspend', from: ['SUSPENDED'], to: 'ACTIVE', verb: 'unsuspend', inverse: 'suspend_user' }),
    force_password_change: lifecycleAction(api, { operation: 'expire_password', from: ['ACTIVE', 'RECOVERY'], to: 'PASSWORD_EXPIRED', verb: 'expire the password of' }),
    revoke_sessions: revokeSessions(api, now),
    remove_from_group: removeFromGroup(api),
    revoke_app_grant: revokeAppGrant(api),
    remove_privilege: removePrivilege(api),
    reset_mfa: resetMfa(api),
  };
}
