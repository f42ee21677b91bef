/**
 * Salesforce governance actions over the REST API: freeze or deactivate a user (suspend_user) and
 * undo it, reset a password, remove a file's public links, revoke a connected app's OAuth token.
 * Each `run` reads the target first, so applying twice applies once (`noop`); each `verify` re-reads it.
 */
import { AppwardenError } from '../../core/errors.js';
import type { ActionHandler, ActionTarget } from '../contract.js';
import { pathSegment } from '../runtime/http-client.js';
import { str, type Json } from '../runtime/json-fields.js';
import { isoTime } from '../runtime/provider-time.js';
import { soqlString, type SalesforceApi } from './api.js';

type Params = Readonly<Record<string, string>>;

function badTarget(message: string, field = 'target.type'): AppwardenError {
  return new AppwardenError('AW_BAD_REQUEST', message, { details: { field } });
}

function requireType(target: ActionTarget, ...types: ActionTarget['type'][]): string {
  if (!types.includes(target.type)) throw badTarget(`the target must be a Salesforce ${types.join(' or ')} id, not a ${target.type}`);
  return target.id;
}

async function user(api: SalesforceApi, target: ActionTarget, signal: AbortSignal): Promise<Json> {
  const id = requireType(target, 'user');
  const found = await api.get('User', id, ['Id', 'Username', 'IsActive', 'LastPasswordChangeDate'], signal);
  if (found === null) throw new AppwardenError('AW_PROVIDER_REQUEST_FAILED', `Salesforce has no user ${id}`, { details: { field: 'target.id' } });
  return found;
}

async function userLogin(api: SalesforceApi, userId: string, signal: AbortSignal): Promise<Json> {
  const [login] = await api.queryAll(`SELECT Id, UserId, IsFrozen FROM UserLogin WHERE UserId = ${soqlString(userId)}`, signal);
  if (!login) throw new AppwardenError('AW_PROVIDER_REQUEST_FAILED', `user ${userId} has no UserLogin record`, { details: { field: 'target.id' } });
  return login;
}

/** `params.mode`: `freeze` (default; UserLogin.IsFrozen, the user keeps their licence) or `deactivate` (User.IsActive). */
function modeOf(params: Params): 'freeze' | 'deactivate' {
  const mode = params.mode ?? 'freeze';
  if (mode !== 'freeze' && mode !== 'deactivate') throw badTarget(`params.mode must be freeze or deactivate, not ${mode}`, 'params.mode');
  return mode;
}

function label(u: Json): string {
  return `${str(u.Username) ?? '?'} (${String(u.Id)})`;
}

/** Freeze or deactivate (`suspend`), or undo it; the undo record says which, for the inverse. */
function suspension(api: SalesforceApi, suspend: boolean): ActionHandler {
  const state = async (target: ActionTarget, mode: 'freeze' | 'deactivate', signal: AbortSignal) => {
    const u = await user(api, target, signal);
    if (mode === 'deactivate') return { u, suspended: u.IsActive === false, login: null };
    const login = await userLogin(api, String(u.Id), signal);
    return { u, suspended: login.IsFrozen === true, login };
  };
  return {
    inverse: suspend ? 'unsuspend_user' : 'suspend_user',
    permission: 'ManageUsers',
    async run(target, params, signal) {
      const mode = modeOf(params);
      const { u, suspended, login } = await state(target, mode, signal);
      const verb = mode === 'freeze' ? (suspend ? 'frozen' : 'unfrozen') : (suspend ? 'deactivated' : 'reactivated');
      if (suspended === suspend) return { status: 'noop', message: `${label(u)} is already ${verb}`, undo: { mode } };
      if (mode === 'freeze') await api.write('PATCH', `UserLogin/${pathSegment(String(login!.Id))}`, { IsFrozen: suspend }, signal);
      else await api.write('PATCH', `User/${pathSegment(String(u.Id))}`, { IsActive: !suspend }, signal);
      return { status: 'applied', message: `${label(u)} ${verb}`, undo: { mode } };
    },
    async verify(target, params, signal) {
      return (await state(target, modeOf(params), signal)).suspended === suspend;
    },
  };
}

/** Resets the password (`DELETE /sobjects/User/{id}/password`): Salesforce generates one and the user must set a new one. */
function resetPassword(api: SalesforceApi, now: () => number): ActionHandler {
  const resetAt = new Map<string, number>();
  return {
    permission: 'ResetPasswords',
    async run(target, _params, signal) {
      const u = await user(api, target, signal);
      resetAt.set(String(u.Id), now());
      // The answer holds the generated password: it is dropped here, never logged or kept.
      await api.write('DELETE', `User/${pathSegment(String(u.Id))}/password`, undefined, signal);
      return { status: 'applied', message: `reset the password of ${label(u)}` };
    },
    async verify(target, _params, signal) {
      const u = await user(api, target, signal);
      const changed = isoTime(u.LastPasswordChangeDate);
      // Salesforce stores seconds: a minute's slack for that and for clock skew.
      return changed !== null && changed >= (resetAt.get(String(u.Id)) ?? now() - 15 * 60_000) - 60_000;
    },
  };
}

/** Deletes every public link (ContentDistribution) of a file (a ContentDocument id). */
function removePublicLinks(api: SalesforceApi): ActionHandler {
  const links = (documentId: string, signal: AbortSignal) =>
    api.queryAll(`SELECT Id, DistributionPublicUrl FROM ContentDistribution WHERE ContentDocumentId = ${soqlString(documentId)}`, signal);
  return {
    permission: 'ViewAllData',
    async run(target, _params, signal) {
      const id = requireType(target, 'file');
      const found = await links(id, signal);
      if (found.length === 0) return { status: 'noop', message: `file ${id} has no public link` };
      for (const link of found) await api.write('DELETE', `ContentDistribution/${pathSegment(String(link.Id))}`, undefined, signal);
      return { status: 'applied', message: `removed ${found.length} public link(s) of file ${id}` };
    },
    async verify(target, _params, signal) {
      return (await links(requireType(target, 'file'), signal)).length === 0;
    },
  };
}

/**
 * Revokes a connected app's OAuth token (`DELETE /sobjects/OauthToken/{id}`): target `app_grant`
 * (the OauthToken id), or `user` with `params.app_name` (every token of that app for the user).
 */
function revokeOauthToken(api: SalesforceApi): ActionHandler {
  const tokens = async (target: ActionTarget, params: Params, signal: AbortSignal): Promise<Json[]> => {
    if (target.type === 'app_grant') {
      const token = await api.get('OauthToken', target.id, ['Id', 'AppName', 'UserId'], signal);
      return token === null ? [] : [token];
    }
    const userId = requireType(target, 'user', 'app_grant');
    if (!params.app_name) throw badTarget('revoke_app_grant on a user needs params.app_name', 'params.app_name');
    return api.queryAll(`SELECT Id, AppName, UserId FROM OauthToken WHERE UserId = ${soqlString(userId)} AND AppName = ${soqlString(params.app_name)}`, signal);
  };
  return {
    permission: 'ManageUsers',
    async run(target, params, signal) {
      const found = await tokens(target, params, signal);
      if (found.length === 0) return { status: 'noop', message: `no such OAuth token (${target.id})` };
      for (const token of found) await api.write('DELETE', `OauthToken/${pathSegment(String(token.Id))}`, undefined, signal);
      return { status: 'applied', message: `revoked ${found.length} OAuth token(s) of ${found.map((t) => str(t.AppName) ?? '?').join(', ')}` };
    },
    async verify(target, params, signal) {
      return (await tokens(target, params, signal)).length === 0;
    },
  };
}

export function salesforceActions(deps: { api: SalesforceApi; now?: () => number }) {
  const { api } = deps;
  return {
    suspend_user: suspension(api, true),
    unsuspend_user: suspension(api, false),
    force_password_change: resetPassword(api, deps.now ?? Date.now),
    remove_public_link: removePublicLinks(api),
    revoke_app_grant: revokeOauthToken(api),
  };
}
