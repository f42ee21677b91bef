import { AppwardenError } from '../../core/errors.js';
import type { ActionHandler, ActionTarget } from '../contract.js';
import { looksLikeEmail, type Json } from '../runtime/json-fields.js';
import { USER_FIELDS, type BoxClient } from './client.js';
import { PERMISSIONS, type CredentialProbe } from './credentials.js';

export interface UserActionDeps {
  client: BoxClient;
  probe: CredentialProbe;
}

/** The managed user a target names: by id, or by login (as audit events carry it). Never the connector's own service account. */
async function userOf(deps: UserActionDeps, target: ActionTarget): Promise<Json> {
  if (target.type !== 'user') throw new AppwardenError('AW_BAD_REQUEST', `this action applies to a user, not a ${target.type}`, { details: { field: 'target.type' } });
  let user: Json | null;
  if (looksLikeEmail(target.id)) {
    const found = await deps.client.api.get('/users', { filter_term: target.id, user_type: 'managed', fields: USER_FIELDS, limit: 10 });
    user = ((found.entries ?? []) as Json[]).find((u) => String(u.login).toLowerCase() === target.id.toLowerCase()) ?? null;
  } else {
    user = await deps.client.user(target.id);
  }
  if (user === null) throw new AppwardenError('AW_NOT_FOUND', `no Box managed user ${target.id}`, { details: { field: 'target.id' } });
  if (String(user.id) === (await deps.probe.serviceAccount()).id) {
    throw new AppwardenError('AW_BAD_REQUEST', "the connector's own service account is never a governance target", { details: { field: 'target.id' } });
  }
  return user;
}

/** Sets a user's status (`PUT /users/{id}`): inactive users cannot sign in; a no-op when it already has it. */
function userStatus(deps: UserActionDeps, status: 'active' | 'inactive'): Pick<ActionHandler, 'run' | 'verify' | 'permission'> {
  return {
    permission: PERMISSIONS.users,
    async run(target) {
      const user = await userOf(deps, target);
      if (user.status === status) return { status: 'noop', message: `the user is already ${status}` };
      await deps.client.setUserStatus(String(user.id), status);
      return { status: 'applied', message: `status ${String(user.status)} → ${status}`, undo: { previous_status: String(user.status) } };
    },
    async verify(target) {
      return (await userOf(deps, target)).status === status;
    },
  };
}

/** Governance of Box users: deactivate and reactivate, and ending their sessions. */
export function userActions(deps: UserActionDeps) {
  return {
    suspend_user: { ...userStatus(deps, 'inactive'), inverse: 'unsuspend_user' },
    unsuspend_user: { ...userStatus(deps, 'active'), inverse: 'suspend_user' },
    revoke_sessions: {
      permission: PERMISSIONS.users,
      async run(target) {
        const user = await userOf(deps, target);
        // Box runs it as a job and records it in the admin events; there is nothing on the user to read back.
        await deps.client.terminateSessions([String(user.id)]);
        return { status: 'applied', message: 'session termination requested (Box ends web, mobile and desktop sessions)' };
      },
    },
  } satisfies Record<string, ActionHandler>;
}
