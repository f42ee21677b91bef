import { AppwardenError } from '../../core/errors.js';
import type { ActionHandler, ActionHandlers, ActionResult, ActionTarget, ActionVerb } from '../contract.js';
import { isExternalPermission } from './access-level.js';
import type { DriveCatalog } from './drive-catalog.js';
import { type Json, obj } from '../runtime/json-fields.js';
import { isoTime } from '../runtime/provider-time.js';
import { str } from './fields.js';
import type { GraphClient } from './graph-client.js';
import { parseFileId } from './normalize-files.js';
import { describeRemoved, restoreSharing } from './restore-sharing.js';

type Params = Readonly<Record<string, string>>;

function badRequest(message: string, details: Record<string, unknown> = {}): AppwardenError {
  return new AppwardenError('AW_BAD_REQUEST', `office365: ${message}`, { details });
}

function expectType(target: ActionTarget, type: ActionTarget['type'], verb: ActionVerb): void {
  if (target.type !== type) throw badRequest(`${verb} applies to a ${type}, not a ${target.type}`, { target });
}

/** A parameter by its name (`groupId`), also accepted in snake case (`group_id`) as other connectors spell them. */
function requireParam(params: Params, name: string, verb: ActionVerb): string {
  const snakeName = name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  const value = params[name] ?? params[snakeName];
  if (value === undefined || value === '') throw badRequest(`${verb} needs the parameter ${name} (or ${snakeName})`, { param: name });
  return value;
}

function fileOf(target: ActionTarget, verb: ActionVerb): { driveId: string; itemId: string } {
  expectType(target, 'file', verb);
  const ids = parseFileId(target.id);
  if (ids === null) throw badRequest(`${verb}: the file id must be <driveId>/<itemId>, as file events carry it`, { id: target.id });
  return ids;
}

/** The grant to revoke: the target itself (`app_grant`), or a user's grant named by `params.grantId`. */
function grantIdOf(target: ActionTarget, params: Params): string {
  if (target.type === 'app_grant') return target.id;
  if (target.type === 'user') return requireParam(params, 'grantId', 'revoke_app_grant');
  throw badRequest(`revoke_app_grant applies to an app_grant (or a user with params.grantId), not a ${target.type}`, { target });
}

/**
 * The resource service principal of an application permission (`resource_id` of its app_grant event);
 * undefined for a delegated grant. `grantType: application` without it is a mistake worth saying.
 */
function resourceIdOf(params: Params): string | undefined {
  const resourceId = params.resourceId ?? params.resource_id;
  const grantType = params.grantType ?? params.grant_type;
  if (!resourceId && grantType === 'application') throw badRequest('revoke_app_grant of an application permission needs params.resourceId (the resource_id of the app_grant event)', { param: 'resourceId' });
  return resourceId || undefined;
}

function isInherited(permission: Json): boolean {
  return obj(permission.inheritedFrom) !== null;
}

function isOwner(permission: Json): boolean {
  return Array.isArray(permission.roles) && permission.roles.includes('owner');
}

export interface ActionDeps {
  graph: GraphClient;
  catalog: DriveCatalog;
  quarantineFolderName: string;
  now?: () => number;
}

/**
 * The governance actions, through Microsoft Graph. Each reads the target first so that applying an
 * action twice applies it once (`noop`), and `verify` re-reads the state the action changes.
 */
export function office365Actions(deps: ActionDeps) {
  const { graph, catalog } = deps;
  const now = deps.now ?? Date.now;
  /** When this process last revoked a user's sessions, for verify. */
  const revokedAt = new Map<string, number>();

  const accountEnabled = (enabled: boolean, verb: ActionVerb, inverse: ActionVerb): ActionHandler => ({
    inverse,
    async run(target) {
      expectType(target, 'user', verb);
      const user = await graph.user(target.id, 'id,accountEnabled');
      if (user === null) throw badRequest(`${verb}: no user ${target.id}`, { id: target.id });
      if (user.accountEnabled === enabled) return { status: 'noop', message: `sign-in already ${enabled ? 'allowed' : 'blocked'}` };
      await graph.updateUser(target.id, { accountEnabled: enabled });
      return { status: 'applied', message: enabled ? 'sign-in allowed again (accountEnabled true)' : 'sign-in blocked (accountEnabled false)' };
    },
    async verify(target) {
      return (await graph.user(target.id, 'id,accountEnabled'))?.accountEnabled === enabled;
    },
  });

  /** Deletes the item's own (not inherited) permissions that `pick` selects. */
  const removePermissions = async (verb: ActionVerb, target: ActionTarget, pick: (p: Json) => boolean): Promise<ActionResult> => {
    const { driveId, itemId } = fileOf(target, verb);
    const permissions = await graph.permissions(driveId, itemId);
    const chosen = permissions.filter(pick);
    const own = chosen.filter((p) => !isInherited(p));
    const removed: Json[] = [];
    for (const p of own) if (await graph.deletePermission(driveId, itemId, String(p.id))) removed.push(p);
    const inherited = chosen.length - own.length;
    const note = inherited > 0 ? `; ${inherited} inherited from a parent folder stay (remove them there)` : '';
    if (removed.length === 0) return { status: 'noop', message: `nothing to remove${note}` };
    // What restore_sharing needs to give them back (ids cannot be reused: Graph makes new ones).
    const restorable = removed.map(describeRemoved).filter((r) => r !== null);
    return {
      status: 'applied',
      message: `removed ${removed.length} permission(s)${note}`,
      undo: { removedPermissionIds: removed.map((p) => String(p.id)).join(','), removed: JSON.stringify(restorable) },
    };
  };
  const noneLeft = async (target: ActionTarget, verb: ActionVerb, pick: (p: Json) => boolean): Promise<boolean> => {
    const { driveId, itemId } = fileOf(target, verb);
    return !(await graph.permissions(driveId, itemId)).some((p) => !isInherited(p) && pick(p));
  };
  const sharing = (verb: ActionVerb, pick: (p: Json, domains: readonly string[]) => boolean): ActionHandler => ({
    inverse: 'restore_sharing',
    async run(target) {
      const domains = await catalog.tenantDomains();
      return removePermissions(verb, target, (p) => pick(p, domains));
    },
    async verify(target) {
      const domains = await catalog.tenantDomains();
      return noneLeft(target, verb, (p) => pick(p, domains));
    },
  });
  const isAnonymousLink = (p: Json) => str(obj(p.link)?.scope) === 'anonymous';

  return {
    suspend_user: accountEnabled(false, 'suspend_user', 'unsuspend_user'),
    unsuspend_user: accountEnabled(true, 'unsuspend_user', 'suspend_user'),

    revoke_sessions: {
      async run(target) {
        expectType(target, 'user', 'revoke_sessions');
        revokedAt.set(target.id, now());
        await graph.revokeSignInSessions(target.id);
        return { status: 'applied', message: 'refresh tokens and session cookies revoked (revokeSignInSessions)' };
      },
      async verify(target) {
        const user = await graph.user(target.id, 'id,signInSessionsValidFromDateTime');
        const validFrom = isoTime(user?.signInSessionsValidFromDateTime);
        // Graph keeps whole seconds: compare with the second the revocation was asked in.
        const asked = revokedAt.get(target.id);
        return validFrom !== null && (asked === undefined || validFrom >= Math.floor(asked / 1000) * 1000);
      },
    },

    force_password_change: {
      async run(target) {
        expectType(target, 'user', 'force_password_change');
        const user = await graph.user(target.id, 'id,passwordProfile');
        if (user === null) throw badRequest(`force_password_change: no user ${target.id}`, { id: target.id });
        if (obj(user.passwordProfile)?.forceChangePasswordNextSignIn === true) return { status: 'noop', message: 'a password change is already required' };
        await graph.updateUser(target.id, { passwordProfile: { forceChangePasswordNextSignIn: true } });
        return { status: 'applied', message: 'the user must change the password at the next sign-in' };
      },
      async verify(target) {
        return obj((await graph.user(target.id, 'id,passwordProfile'))?.passwordProfile)?.forceChangePasswordNextSignIn === true;
      },
    },

    remove_from_group: {
      async run(target, params) {
        expectType(target, 'user', 'remove_from_group');
        const groupId = requireParam(params, 'groupId', 'remove_from_group');
        return (await graph.removeGroupMember(groupId, target.id)) ? { status: 'applied', undo: { groupId } } : { status: 'noop', message: 'not a member' };
      },
      async verify(target, params) {
        return !(await graph.isMember('groups', requireParam(params, 'groupId', 'remove_from_group'), target.id));
      },
    },

    remove_privilege: {
      async run(target, params) {
        expectType(target, 'user', 'remove_privilege');
        const roleId = requireParam(params, 'roleId', 'remove_privilege');
        return (await graph.removeRoleMember(roleId, target.id)) ? { status: 'applied', undo: { roleId } } : { status: 'noop', message: 'does not hold the role' };
      },
      async verify(target, params) {
        return !(await graph.isMember('directoryRoles', requireParam(params, 'roleId', 'remove_privilege'), target.id));
      },
    },

    // A delegated grant (oauth2PermissionGrant), or with params.resourceId an application permission
    // (an appRoleAssignment on that resource's service principal), as the app_grant events tell them apart.
    revoke_app_grant: {
      async run(target, params) {
        const grantId = grantIdOf(target, params);
        const resourceId = resourceIdOf(params);
        if (resourceId !== undefined) {
          return (await graph.deleteAppRoleAssignment(resourceId, grantId))
            ? { status: 'applied', message: 'application permission (app role assignment) removed' }
            : { status: 'noop', message: 'no such app role assignment' };
        }
        return (await graph.deletePermissionGrant(grantId)) ? { status: 'applied', message: 'delegated permission grant deleted' } : { status: 'noop', message: 'no such grant' };
      },
      async verify(target, params) {
        const grantId = grantIdOf(target, params);
        const resourceId = resourceIdOf(params);
        return !(resourceId !== undefined ? await graph.appRoleAssignmentExists(resourceId, grantId) : await graph.permissionGrantExists(grantId));
      },
    },

    remove_permission: {
      inverse: 'restore_sharing',
      async run(target, params) {
        const permissionId = requireParam(params, 'permissionId', 'remove_permission');
        return removePermissions('remove_permission', target, (p) => p.id === permissionId);
      },
      async verify(target, params) {
        const permissionId = requireParam(params, 'permissionId', 'remove_permission');
        return noneLeft(target, 'remove_permission', (p) => p.id === permissionId);
      },
    },
    remove_public_link: sharing('remove_public_link', (p) => isAnonymousLink(p)),
    remove_external_collaborators: sharing('remove_external_collaborators', (p, domains) => !isAnonymousLink(p) && isExternalPermission(p, domains)),
    make_private: sharing('make_private', (p) => !isOwner(p)),

    quarantine: {
      inverse: 'restore_sharing',
      async run(target) {
        const { driveId, itemId } = fileOf(target, 'quarantine');
        const item = await graph.item(driveId, itemId);
        if (item === null) throw badRequest(`quarantine: no file ${target.id}`, { id: target.id });
        const folderId = await graph.rootFolder(driveId, deps.quarantineFolderName);
        const parentId = str(obj(item.parentReference)?.id);
        const sharingRemoved = await removePermissions('quarantine', target, (p) => !isOwner(p));
        if (parentId === folderId) {
          return sharingRemoved.status === 'noop' ? { status: 'noop', message: 'already in quarantine' } : { ...sharingRemoved, message: `already in quarantine; ${sharingRemoved.message ?? ''}` };
        }
        await graph.moveItem(driveId, itemId, folderId);
        return {
          status: 'applied',
          message: `moved to ${deps.quarantineFolderName} and ${sharingRemoved.message ?? 'sharing removed'}`,
          undo: { previousParentId: parentId ?? '', ...sharingRemoved.undo },
        };
      },
      async verify(target) {
        const { driveId, itemId } = fileOf(target, 'quarantine');
        const item = await graph.item(driveId, itemId);
        const folderId = await graph.rootFolder(driveId, deps.quarantineFolderName);
        return item !== null && str(obj(item.parentReference)?.id) === folderId && (await noneLeft(target, 'quarantine', (p) => !isOwner(p)));
      },
    },

    restore_sharing: restoreSharing(graph),

    apply_label: {
      async run(target, params) {
        const { driveId, itemId } = fileOf(target, 'apply_label');
        const labelId = requireParam(params, 'labelId', 'apply_label');
        const current = await graph.sensitivityLabels(driveId, itemId);
        if (current?.includes(labelId)) return { status: 'noop', message: 'the label is already applied' };
        await graph.assignSensitivityLabel(driveId, itemId, {
          sensitivityLabelId: labelId,
          assignmentMethod: params.assignmentMethod ?? 'standard',
          justificationText: params.justification ?? 'Applied by an Appwarden policy',
        });
        // Graph applies the label asynchronously (202 Accepted): verify tells when it is there.
        return { status: 'applied', message: `label ${labelId} requested`, undo: { previousLabelId: current?.[0] ?? '' } };
      },
      async verify(target, params) {
        const { driveId, itemId } = fileOf(target, 'apply_label');
        return (await graph.sensitivityLabels(driveId, itemId))?.includes(requireParam(params, 'labelId', 'apply_label')) === true;
      },
    },
  } satisfies ActionHandlers;
}
