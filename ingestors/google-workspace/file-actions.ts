import { AppwardenError } from '../../core/errors.js';
import type { ActionHandler, ActionResult, ActionTarget } from '../contract.js';
import type { DriveClient } from './drive-client.js';
import type { FileOwnerLookup } from './file-owner.js';
import { domainOf, type Json, str } from '../runtime/json-fields.js';
import type { InternalDomains } from './normalize-drive.js';
import { restoreSharing } from './restore-sharing.js';

type Params = Readonly<Record<string, string>>;

export interface FileActionDeps {
  drive: DriveClient;
  owners: FileOwnerLookup;
  adminEmail: string;
  domains: InternalDomains;
  quarantineFolderName: string;
  labelIds: readonly string[];
}

function requireFileTarget(target: ActionTarget): string {
  if (target.type !== 'file') throw new AppwardenError('AW_BAD_REQUEST', `this action applies to a file, not a ${target.type}`, { details: { field: 'target.type' } });
  return target.id;
}

function requireParam(params: Params, name: string, verb: string): void {
  if (!params[name]) throw new AppwardenError('AW_BAD_REQUEST', `${verb} needs params.${name}`, { details: { field: `params.${name}` } });
}

function isExternal(p: Json, domains: InternalDomains): boolean {
  if (p.type === 'domain') return !domains.has((str(p.domain) ?? '').toLowerCase());
  if (p.type === 'user' || p.type === 'group') {
    const domain = domainOf(str(p.emailAddress) ?? '');
    return domain !== null && !domains.has(domain);
  }
  return false;
}

/** Grants the file's owner or its shared drive holds, which file-level sharing control cannot remove. */
function isUnremovable(p: Json): boolean {
  if (p.role === 'owner' || p.role === 'organizer') return true;
  const details = Array.isArray(p.permissionDetails) ? (p.permissionDetails as Json[]) : [];
  return details.length > 0 && details.every((d) => d.inherited === true);
}

/**
 * An action that deletes the permissions `select` picks, acting as someone who may share the file
 * (its owner, found by `FileOwnerLookup`; `params.owner` saves the search); `verify` reads them again.
 */
function removePermissions(deps: FileActionDeps, what: string, select: (p: Json, params: Params) => boolean, required?: { param: string; verb: string }): ActionHandler {
  const chosen = async (target: ActionTarget, params: Params) => {
    const fileId = requireFileTarget(target);
    if (required) requireParam(params, required.param, required.verb);
    const { subject } = await deps.owners.find(fileId, params.owner);
    return { fileId, subject, permissions: (await deps.drive.permissions(fileId, subject)).filter((p) => !isUnremovable(p) && select(p, params)) };
  };
  return {
    inverse: 'restore_sharing',
    async run(target, params): Promise<ActionResult> {
      const { fileId, subject, permissions } = await chosen(target, params);
      if (permissions.length === 0) return { status: 'noop', message: `the file has no ${what}` };
      for (const p of permissions) await deps.drive.deletePermission(fileId, String(p.id), subject);
      const removed = permissions.map((p) => ({ id: p.id, type: p.type, role: p.role, emailAddress: p.emailAddress, domain: p.domain, allowFileDiscovery: p.allowFileDiscovery }));
      return { status: 'applied', message: `removed ${permissions.length} ${what}`, undo: { removed: JSON.stringify(removed) } };
    },
    async verify(target, params) {
      return (await chosen(target, params)).permissions.length === 0;
    },
  };
}

/**
 * Quarantine: the file becomes the admin's (ownership transfer from its owner), loses every other
 * permission, and moves into the admin's quarantine folder. My Drive files only: a shared drive
 * owns its items and cannot give them away.
 */
function quarantine(deps: FileActionDeps): ActionHandler {
  const { drive, adminEmail } = deps;
  const isAdmin = (email: unknown) => typeof email === 'string' && email.toLowerCase() === adminEmail.toLowerCase();
  return {
    inverse: 'restore_sharing',
    async run(target, params) {
      const fileId = requireFileTarget(target);
      const { subject, file } = await deps.owners.find(fileId, params.owner);
      if (typeof file.driveId === 'string') {
        throw new AppwardenError('AW_PROVIDER_REQUEST_FAILED', 'quarantine moves a file into the admin\'s My Drive; shared-drive items cannot be moved there', { details: { fileId } });
      }
      const folder = await drive.ensureFolder(deps.quarantineFolderName, adminEmail);
      const parents = Array.isArray(file.parents) ? file.parents.map(String) : [];
      const transferred = !isAdmin(subject);
      if (transferred) await drive.transferOwnership(fileId, adminEmail, subject);
      const others = (await drive.permissions(fileId, adminEmail)).filter((p) => p.role !== 'owner');
      for (const p of others) await drive.deletePermission(fileId, String(p.id), adminEmail);
      const alreadyThere = parents.length === 1 && parents[0] === folder;
      if (!alreadyThere) await drive.move(fileId, folder, parents.filter((p) => p !== folder), adminEmail);
      if (alreadyThere && others.length === 0 && !transferred) return { status: 'noop', message: 'the file is already in quarantine' };
      return {
        status: 'applied',
        message: `moved to ${deps.quarantineFolderName}, owned by ${adminEmail}, ${others.length} permissions removed`,
        undo: { owner: subject, parents: parents.join(','), removed: JSON.stringify(others.map((p) => ({ type: p.type, role: p.role, emailAddress: p.emailAddress, domain: p.domain }))) },
      };
    },
    async verify(target) {
      const fileId = requireFileTarget(target);
      const file = await drive.getFile(fileId, adminEmail);
      if (!file) return false;
      const folder = await drive.ensureFolder(deps.quarantineFolderName, adminEmail);
      const permissions = await drive.permissions(fileId, adminEmail);
      return Array.isArray(file.parents) && file.parents.includes(folder) && permissions.every((p) => p.role === 'owner' && isAdmin(p.emailAddress));
    },
  };
}

function labelOf(params: Params, deps: FileActionDeps): string {
  const labelId = params.labelId || deps.labelIds[0];
  if (!labelId) throw new AppwardenError('AW_BAD_REQUEST', 'apply_label needs params.labelId (or labelIds in the configuration)', { details: { field: 'params.labelId' } });
  return labelId;
}

function applyLabel(deps: FileActionDeps): ActionHandler {
  const applied = async (fileId: string, labelId: string, subject: string) => (await deps.drive.fileLabels(fileId, [labelId], subject)).some((l) => l.id === labelId);
  return {
    async run(target, params) {
      const fileId = requireFileTarget(target);
      const labelId = labelOf(params, deps);
      const { subject } = await deps.owners.find(fileId, params.owner);
      if (await applied(fileId, labelId, subject)) return { status: 'noop', message: 'the label is already applied' };
      await deps.drive.applyLabel(fileId, { labelId, fieldId: params.fieldId, selectionId: params.selectionId }, subject);
      return { status: 'applied', undo: { labelId } };
    },
    async verify(target, params) {
      const fileId = requireFileTarget(target);
      return applied(fileId, labelOf(params, deps), (await deps.owners.find(fileId, params.owner)).subject);
    },
  };
}

/** Governance of Drive files: sharing control, quarantine and labels. */
export function fileActions(deps: FileActionDeps) {
  return {
    remove_public_link: removePermissions(deps, 'anyone-with-the-link permission', (p) => p.type === 'anyone'),
    remove_permission: removePermissions(deps, 'such permission', (p, params) => p.id === params.permissionId, { param: 'permissionId', verb: 'remove_permission' }),
    remove_external_collaborators: removePermissions(deps, 'external permission', (p) => isExternal(p, deps.domains)),
    make_private: removePermissions(deps, 'permission besides its owner', () => true),
    quarantine: quarantine(deps),
    restore_sharing: restoreSharing(deps),
    apply_label: applyLabel(deps),
  } satisfies Record<string, ActionHandler>;
}
