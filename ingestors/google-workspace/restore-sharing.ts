import { AppwardenError } from '../../core/errors.js';
import type { ActionHandler, ActionTarget } from '../contract.js';
import type { FileActionDeps } from './file-actions.js';
import { str, type Json } from '../runtime/json-fields.js';

type Params = Readonly<Record<string, string>>;

/** A Drive permission as the file actions record it when they remove it (`undo.removed`). */
interface RemovedPermission {
  type: string;
  role: string;
  emailAddress?: string;
  domain?: string;
  allowFileDiscovery?: boolean;
}

function parseRemoved(text: string | undefined): RemovedPermission[] {
  if (text === undefined || text === '') return [];
  try {
    const parsed = JSON.parse(text) as unknown;
    if (Array.isArray(parsed)) return parsed.filter((p): p is RemovedPermission => typeof p?.type === 'string' && typeof p?.role === 'string');
  } catch {
    // reported below
  }
  throw new AppwardenError('AW_BAD_REQUEST', 'restore_sharing: params.removed must be the JSON list an earlier action returned in its undo record', { details: { field: 'params.removed' } });
}

const lower = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : undefined);

function matches(p: Json, wanted: RemovedPermission): boolean {
  if (p.type !== wanted.type || p.role !== wanted.role) return false;
  if (wanted.type === 'user' || wanted.type === 'group') return lower(p.emailAddress) === lower(wanted.emailAddress);
  if (wanted.type === 'domain') return lower(p.domain) === lower(wanted.domain);
  return true;
}

function fileIdOf(target: ActionTarget): string {
  if (target.type !== 'file') throw new AppwardenError('AW_BAD_REQUEST', `restore_sharing applies to a file, not a ${target.type}`, { details: { field: 'target.type' } });
  return target.id;
}

/**
 * The undo of remove_public_link, remove_permission, remove_external_collaborators, make_private and
 * quarantine. Run as their revert, it gets their undo record as parameters: `removed` (the permissions
 * taken away), and after a quarantine `owner` and `parents` (whose the file was and where it was).
 * A quarantined file goes back to its owner first (who then shares it again and moves it back), and the
 * admin's own access, which the ownership transfer left behind, is removed.
 */
export function restoreSharing(deps: FileActionDeps): ActionHandler {
  const { drive, adminEmail } = deps;
  const isAdmin = (email: unknown) => lower(email) === adminEmail.toLowerCase();

  /** Who acts on the file now, and what is still to do. */
  const state = async (fileId: string, params: Params) => {
    const removed = parseRemoved(params.removed);
    const quarantined = params.parents !== undefined && params.owner !== undefined;
    const { subject, file } = await deps.owners.find(fileId, quarantined ? adminEmail : params.owner);
    const ownerNow = str((file.owners as Json[] | undefined)?.[0]?.emailAddress);
    const ownerBack = !quarantined || isAdmin(params.owner) || lower(ownerNow) === lower(params.owner);
    const parents = quarantined ? params.parents!.split(',').filter(Boolean) : [];
    const placed = parents.every((p) => Array.isArray(file.parents) && file.parents.includes(p));
    const permissions = await drive.permissions(fileId, subject);
    // The owner keeps the owner role; a writer grant recorded for them (quarantine saw them as one) is not given back.
    const missing = removed.filter((w) => !(quarantined && lower(w.emailAddress) === lower(params.owner)) && !permissions.some((p) => matches(p, w)));
    const adminLeft = quarantined && !isAdmin(params.owner) && permissions.some((p) => isAdmin(p.emailAddress) && p.role !== 'owner');
    return { subject, file, ownerBack, parents, placed, missing, adminLeft };
  };

  return {
    async run(target, params) {
      const fileId = fileIdOf(target);
      if (params.removed === undefined && params.parents === undefined) {
        throw new AppwardenError('AW_BAD_REQUEST', 'restore_sharing needs params.removed (or owner and parents): run it as the revert of a sharing action', { details: { field: 'params.removed' } });
      }
      let now = await state(fileId, params);
      if (now.ownerBack && now.placed && now.missing.length === 0 && !now.adminLeft) return { status: 'noop', message: 'the sharing is already as it was' };
      const steps: string[] = [];
      if (!now.ownerBack) {
        await drive.transferOwnership(fileId, params.owner!, now.subject);
        steps.push(`owned by ${params.owner} again`);
        now = await state(fileId, params);
      }
      if (!now.placed) {
        const current = Array.isArray(now.file.parents) ? now.file.parents.map(String) : [];
        await drive.move(fileId, now.parents.join(','), current.filter((p) => !now.parents.includes(p)), now.subject);
        steps.push('moved back to its folder');
      }
      for (const wanted of now.missing) {
        const { type, role, emailAddress, domain, allowFileDiscovery } = wanted;
        await drive.createPermission(fileId, { type, role, ...(emailAddress ? { emailAddress } : {}), ...(domain ? { domain } : {}), ...(allowFileDiscovery ? { allowFileDiscovery } : {}) }, now.subject);
      }
      if (now.missing.length > 0) steps.push(`${now.missing.length} permission(s) given back`);
      if (now.adminLeft) {
        for (const p of await drive.permissions(fileId, now.subject)) {
          if (isAdmin(p.emailAddress) && p.role !== 'owner') await drive.deletePermission(fileId, String(p.id), now.subject);
        }
      }
      return { status: 'applied', message: steps.join(', ') || 'the admin\'s access left by the quarantine removed' };
    },
    async verify(target, params) {
      const now = await state(fileIdOf(target), params);
      return now.ownerBack && now.placed && now.missing.length === 0 && !now.adminLeft;
    },
  };
}
