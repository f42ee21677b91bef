/**
 * ServiceNow governance actions, through the Table API: a user deactivated (`active=false`) or
 * locked out (`locked_out=true`) and back, a password reset forced, a user taken out of a group or
 * stripped of a role, an OAuth token revoked (`DELETE oauth_credential`). Each `run` reads the target
 * first, so that applying an action twice applies it once (`noop`); each `verify` reads it again.
 */
import { AppwardenError } from '../../core/errors.js';
import type { ActionHandler, ActionTarget } from '../contract.js';
import type { Json } from '../runtime/json-fields.js';
import { flag, value } from './fields.js';
import { encodedQuery, queryValue, type TableClient } from './table-client.js';

type Params = Readonly<Record<string, string>>;
const USER_FIELDS = ['sys_id', 'user_name', 'active', 'locked_out', 'password_needs_reset'];
const SYS_ID = /^[0-9a-f]{32}$/;

function badRequest(message: string, field: string): AppwardenError {
  return new AppwardenError('AW_BAD_REQUEST', message, { details: { field } });
}

interface UserRef { id: string; userName: string; row: Json }

/** The calls the actions make; a user is named by sys_id or by user_name (what the activity records carry). */
class Api {
  constructor(readonly table: TableClient) {}

  async user(target: ActionTarget, signal: AbortSignal, key = target.id): Promise<UserRef> {
    if (target.type !== 'user') throw badRequest(`the target must be a ServiceNow user (sys_id or user_name), not a ${target.type}`, 'target.type');
    let row = SYS_ID.test(key) ? await this.table.get('sys_user', key, { fields: USER_FIELDS, signal }) : null;
    if (row === null) {
      [row = null] = await this.table.first('sys_user', { query: `user_name=${queryValue(key)}`, fields: USER_FIELDS, limit: 1, signal });
    }
    if (row === null) throw new AppwardenError('AW_PROVIDER_REQUEST_FAILED', `ServiceNow has no user ${key}`, { details: { field: 'target.id' } });
    const id = value(row, 'sys_id');
    if (id === null) throw new AppwardenError('AW_PROVIDER_RESPONSE_INVALID', `the sys_user record of ${key} has no sys_id`);
    return { id, userName: value(row, 'user_name') ?? id, row };
  }

  async rows(table: string, conditions: string[], signal: AbortSignal): Promise<Json[]> {
    const out: Json[] = [];
    for await (const page of this.table.rows(table, { query: encodedQuery(conditions), fields: ['sys_id', 'user', 'group', 'role', 'peer', 'inherited'], signal })) {
      out.push(...(page as Json[]));
    }
    return out;
  }
}

const label = (u: UserRef) => (u.userName === u.id ? u.id : `${u.userName} (${u.id})`);

/** `deactivate` (active=false, the default) or `lock_out` (locked_out=true). */
type SuspendMode = 'deactivate' | 'lock_out';
function modeOf(params: Params, fallback: SuspendMode | null): SuspendMode | null {
  const mode = params.mode ?? fallback;
  if (mode === null) return null;
  if (mode !== 'deactivate' && mode !== 'lock_out') throw badRequest(`params.mode must be deactivate or lock_out, not ${mode}`, 'params.mode');
  return mode;
}
const suspended = (row: Json, mode: SuspendMode) => (mode === 'deactivate' ? flag(row, 'active') === false : flag(row, 'locked_out') === true);

function suspendUser(api: Api): ActionHandler {
  return {
    inverse: 'unsuspend_user',
    permission: 'sys_user.write',
    async run(target, params, signal) {
      const mode = modeOf(params, 'deactivate')!;
      const user = await api.user(target, signal);
      if (suspended(user.row, mode)) return { status: 'noop', message: `${label(user)} is already ${mode === 'deactivate' ? 'inactive' : 'locked out'}` };
      await api.table.patch('sys_user', user.id, mode === 'deactivate' ? { active: 'false' } : { locked_out: 'true' }, signal);
      return { status: 'applied', message: `${mode === 'deactivate' ? 'deactivated' : 'locked out'} ${label(user)}`, undo: { mode } };
    },
    async verify(target, params, signal) {
      return suspended((await api.user(target, signal)).row, modeOf(params, 'deactivate')!);
    },
  };
}

/** Undoes `mode` (as the suspension's undo record names it), or both deactivation and lock-out when none is given. */
function unsuspendUser(api: Api): ActionHandler {
  const modes = (params: Params): SuspendMode[] => {
    const mode = modeOf(params, null);
    return mode === null ? ['deactivate', 'lock_out'] : [mode];
  };
  return {
    inverse: 'suspend_user',
    permission: 'sys_user.write',
    async run(target, params, signal) {
      const user = await api.user(target, signal);
      const undo = modes(params).filter((mode) => suspended(user.row, mode));
      if (undo.length === 0) return { status: 'noop', message: `${label(user)} is already active and not locked out` };
      const body: Record<string, string> = {};
      if (undo.includes('deactivate')) body.active = 'true';
      if (undo.includes('lock_out')) body.locked_out = 'false';
      await api.table.patch('sys_user', user.id, body, signal);
      return { status: 'applied', message: `${undo.includes('deactivate') ? 'reactivated' : 'unlocked'} ${label(user)}`, undo: { mode: undo[0]! } };
    },
    async verify(target, params, signal) {
      const user = await api.user(target, signal);
      return modes(params).every((mode) => !suspended(user.row, mode));
    },
  };
}

function forcePasswordChange(api: Api): ActionHandler {
  return {
    permission: 'sys_user.write',
    async run(target, _params, signal) {
      const user = await api.user(target, signal);
      if (flag(user.row, 'password_needs_reset') === true) return { status: 'noop', message: `${label(user)} must already reset the password` };
      await api.table.patch('sys_user', user.id, { password_needs_reset: 'true' }, signal);
      return { status: 'applied', message: `${label(user)} must reset the password at the next sign-in` };
    },
    async verify(target, _params, signal) {
      return flag((await api.user(target, signal)).row, 'password_needs_reset') === true;
    },
  };
}

function requireParam(params: Params, key: string, verb: string): string {
  const v = params[key];
  if (!v) throw badRequest(`${verb} needs params.${key}`, `params.${key}`);
  return queryValue(v);
}

/** Removes the user's `sys_user_grmember` row of `params.group_id`. */
function removeFromGroup(api: Api): ActionHandler {
  const memberships = async (target: ActionTarget, params: Params, signal: AbortSignal) => {
    const user = await api.user(target, signal);
    return { user, rows: await api.rows('sys_user_grmember', [`user=${user.id}`, `group=${requireParam(params, 'group_id', 'remove_from_group')}`], signal) };
  };
  return {
    permission: 'sys_user_grmember.delete',
    async run(target, params, signal) {
      const { user, rows } = await memberships(target, params, signal);
      if (rows.length === 0) return { status: 'noop', message: `${label(user)} is not a member of group ${params.group_id}` };
      for (const row of rows) await api.table.delete('sys_user_grmember', value(row, 'sys_id')!, signal);
      return { status: 'applied', message: `removed ${label(user)} from group ${params.group_id}` };
    },
    async verify(target, params, signal) {
      return (await memberships(target, params, signal)).rows.length === 0;
    },
  };
}

/** Removes the user's own (not inherited) `sys_user_has_role` rows of `params.role_id` (the role's sys_id). */
function removePrivilege(api: Api): ActionHandler {
  const assignments = async (target: ActionTarget, params: Params, signal: AbortSignal) => {
    const user = await api.user(target, signal);
    return { user, rows: await api.rows('sys_user_has_role', [`user=${user.id}`, `role=${requireParam(params, 'role_id', 'remove_privilege')}`], signal) };
  };
  return {
    permission: 'sys_user_has_role.delete',
    async run(target, params, signal) {
      const { user, rows } = await assignments(target, params, signal);
      if (rows.length === 0) return { status: 'noop', message: `${label(user)} does not hold role ${params.role_id}` };
      const direct = rows.filter((r) => flag(r, 'inherited') !== true);
      if (direct.length === 0) {
        throw new AppwardenError('AW_PROVIDER_REQUEST_FAILED',
          `${label(user)} holds role ${params.role_id} through a group or another role only; remove the user from that group (remove_from_group)`, { details: { field: 'params.role_id' } });
      }
      for (const row of direct) await api.table.delete('sys_user_has_role', value(row, 'sys_id')!, signal);
      return { status: 'applied', message: `removed role ${params.role_id} from ${label(user)}` };
    },
    async verify(target, params, signal) {
      return (await assignments(target, params, signal)).rows.every((r) => flag(r, 'inherited') === true);
    },
  };
}

/**
 * Revokes OAuth tokens (`oauth_credential` rows): target `app_grant` (the token's sys_id), or target
 * `user` with `params.grant_id` (a token) or `params.client_id` (every token of that application).
 */
function revokeAppGrant(api: Api): ActionHandler {
  const tokens = async (target: ActionTarget, params: Params, signal: AbortSignal): Promise<{ what: string; ids: string[] }> => {
    if (target.type === 'app_grant') {
      const row = await api.table.get('oauth_credential', target.id, { fields: ['sys_id'], signal });
      return { what: `token ${target.id}`, ids: row === null ? [] : [target.id] };
    }
    const user = await api.user(target, signal);
    const conditions = [`user=${user.id}`];
    if (params.grant_id) conditions.push(`sys_id=${queryValue(params.grant_id)}`);
    if (params.client_id) conditions.push(`peer=${queryValue(params.client_id)}`);
    const rows = await api.rows('oauth_credential', conditions, signal);
    return { what: `${params.grant_id ? `token ${params.grant_id}` : params.client_id ? `the tokens of ${params.client_id}` : 'every OAuth token'} of ${label(user)}`, ids: rows.map((r) => value(r, 'sys_id')!).filter(Boolean) };
  };
  return {
    permission: 'oauth_credential.delete',
    async run(target, params, signal) {
      const { what, ids } = await tokens(target, params, signal);
      if (ids.length === 0) return { status: 'noop', message: `no such token: ${what}` };
      for (const id of ids) await api.table.delete('oauth_credential', id, signal);
      return { status: 'applied', message: `revoked ${ids.length} token(s): ${what}` };
    },
    async verify(target, params, signal) {
      return (await tokens(target, params, signal)).ids.length === 0;
    },
  };
}

/** The ServiceNow actions, over the instance's Table API client (its auth, limits and retries). */
export function serviceNowActions(table: TableClient) {
  const api = new Api(table);
  return {
    suspend_user: suspendUser(api),
    unsuspend_user: unsuspendUser(api),
    force_password_change: forcePasswordChange(api),
    remove_from_group: removeFromGroup(api),
    remove_privilege: removePrivilege(api),
    revoke_app_grant: revokeAppGrant(api),
  };
}
