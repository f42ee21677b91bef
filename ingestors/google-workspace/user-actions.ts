import { AppwardenError } from '../../core/errors.js';
import type { ActionHandler, ActionTarget } from '../contract.js';
import type { DirectoryClient } from './directory-client.js';
import { type Json } from '../runtime/json-fields.js';

function requireUserTarget(target: ActionTarget): string {
  if (target.type !== 'user') throw new AppwardenError('AW_BAD_REQUEST', `this action applies to a user, not a ${target.type}`, { details: { field: 'target.type' } });
  return target.id;
}

async function existingUser(directory: DirectoryClient, userKey: string): Promise<Json> {
  const user = await directory.getUser(userKey);
  if (!user) throw new AppwardenError('AW_NOT_FOUND', `no Google Workspace user ${userKey}`, { details: { field: 'target.id' } });
  return user;
}

/** An action that sets one boolean field of the user (`PATCH users/{key}`), a no-op when it already has the value. */
function userFlag(directory: DirectoryClient, field: 'suspended' | 'changePasswordAtNextLogin', value: boolean): Pick<ActionHandler, 'run' | 'verify'> {
  return {
    async run(target) {
      const userKey = requireUserTarget(target);
      const user = await existingUser(directory, userKey);
      if ((user[field] === true) === value) return { status: 'noop', message: `${field} is already ${value}` };
      await directory.patchUser(userKey, { [field]: value });
      return { status: 'applied', undo: { [field]: String(user[field] === true) } };
    },
    async verify(target) {
      return ((await existingUser(directory, requireUserTarget(target)))[field] === true) === value;
    },
  };
}

/**
 * The OAuth token to revoke: a target of type `app_grant` or `app` (id = the app's client id, as the
 * app grant records and Token audit events carry it) with `params.user_id`, or a target of type
 * `user` with `params.client_id`.
 */
function grantOf(target: ActionTarget, params: Readonly<Record<string, string>>): { userKey: string; clientId: string } {
  const byApp = target.type === 'app_grant' || (target.type as string) === 'app';
  const [userKey, clientId] = byApp ? [params.user_id, target.id] : target.type === 'user' ? [target.id, params.client_id] : [undefined, undefined];
  if (!userKey || !clientId) {
    throw new AppwardenError('AW_BAD_REQUEST', 'revoke_app_grant needs an app_grant target with params.user_id, or a user target with params.client_id', { details: { field: 'params' } });
  }
  return { userKey, clientId };
}

type Params = Readonly<Record<string, string>>;

function requireParam(params: Params, names: readonly string[], verb: string): string {
  for (const name of names) if (params[name]) return params[name];
  throw new AppwardenError('AW_BAD_REQUEST', `${verb} needs params.${names[0]}`, { details: { field: `params.${names[0]}` } });
}

/** Removes the user (id or email) from a group (`params.group_id`: the group's id or email, as membership events carry it). */
function removeFromGroup(directory: DirectoryClient): ActionHandler {
  const groupOf = (params: Params) => requireParam(params, ['group_id', 'groupId', 'groupKey'], 'remove_from_group');
  return {
    async run(target, params) {
      const userKey = requireUserTarget(target);
      const groupKey = groupOf(params);
      if ((await directory.groupMember(groupKey, userKey)) === null) return { status: 'noop', message: `not a direct member of group ${groupKey}` };
      if (!(await directory.removeGroupMember(groupKey, userKey))) return { status: 'noop', message: `not a direct member of group ${groupKey}` };
      return { status: 'applied', message: `removed from group ${groupKey}`, undo: { groupKey } };
    },
    async verify(target, params) {
      return (await directory.groupMember(groupOf(params), requireUserTarget(target))) === null;
    },
  };
}

/**
 * Deletes the user's admin role assignments that `params` names: `role_assignment_id` (as privilege
 * events carry it in `attributes.role_assignment_id`) or `role_id` (every assignment of that role).
 */
function removePrivilege(directory: DirectoryClient): ActionHandler {
  const selected = async (target: ActionTarget, params: Params) => {
    const userKey = requireUserTarget(target);
    const assignmentId = params.role_assignment_id ?? params.roleAssignmentId;
    const roleId = params.role_id ?? params.roleId;
    if (!assignmentId && !roleId) {
      throw new AppwardenError('AW_BAD_REQUEST', 'remove_privilege needs params.role_assignment_id or params.role_id', { details: { field: 'params.role_assignment_id' } });
    }
    return (await directory.userRoleAssignments(userKey)).filter((a) =>
      (assignmentId ? String(a.roleAssignmentId) === assignmentId : true) && (roleId ? String(a.roleId) === roleId : true));
  };
  return {
    async run(target, params) {
      const assignments = await selected(target, params);
      if (assignments.length === 0) return { status: 'noop', message: 'the user holds no such role assignment' };
      let removed = 0;
      for (const a of assignments) if (await directory.deleteRoleAssignment(String(a.roleAssignmentId))) removed++;
      if (removed === 0) return { status: 'noop', message: 'the role assignments were already gone' };
      return { status: 'applied', message: `deleted ${removed} role assignment(s)`, undo: { role_ids: assignments.map((a) => String(a.roleId)).join(',') } };
    },
    async verify(target, params) {
      return (await selected(target, params)).length === 0;
    },
  };
}

/** Governance of Google Workspace users: suspension, sign-out, password change, OAuth token revocation, groups and admin roles. */
export function userActions(directory: DirectoryClient) {
  return {
    suspend_user: { ...userFlag(directory, 'suspended', true), inverse: 'unsuspend_user' },
    unsuspend_user: { ...userFlag(directory, 'suspended', false), inverse: 'suspend_user' },
    force_password_change: userFlag(directory, 'changePasswordAtNextLogin', true),
    revoke_sessions: {
      async run(target) {
        const userKey = requireUserTarget(target);
        await existingUser(directory, userKey);
        // Google keeps no readable trace of a sign-out on the user; it shows in the admin audit log.
        await directory.signOut(userKey);
        return { status: 'applied', message: 'signed out of all web and device sessions' };
      },
    },
    revoke_app_grant: {
      async run(target, params) {
        const { userKey, clientId } = grantOf(target, params);
        return (await directory.deleteToken(userKey, clientId)) ? { status: 'applied' } : { status: 'noop', message: 'the user has no token for this app' };
      },
      async verify(target, params) {
        const { userKey, clientId } = grantOf(target, params);
        return !(await directory.tokens(userKey)).some((token) => token.clientId === clientId);
      },
    },
    remove_from_group: removeFromGroup(directory),
    remove_privilege: removePrivilege(directory),
  } satisfies Record<string, ActionHandler>;
}
