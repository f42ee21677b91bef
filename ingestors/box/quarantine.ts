import { AppwardenError } from '../../core/errors.js';
import type { ActionHandler } from '../contract.js';
import { obj, str, type Json } from '../runtime/json-fields.js';
import { itemTypeOf } from './client.js';
import { PERMISSIONS } from './credentials.js';
import {
  collaborationsOf, removedCollaborationOf, removedLinkOf, type FileActionDeps, type RemovedCollaboration, type RemovedLink,
} from './file-actions.js';
import type { ItemAccess } from './item-lookup.js';

/** The service account's quarantine folder (made at the root of its own tree the first time). */
async function quarantineFolder(deps: FileActionDeps): Promise<string> {
  const found = await deps.client.folderNamed(deps.quarantineFolderName);
  return String((found ?? await deps.client.createFolder(deps.quarantineFolderName, '0')).id);
}

/**
 * Moves an item, acting as `mover`, into a folder `mover` cannot see yet: the folder's owner first
 * makes `mover` an editor of it (as Box requires to move into someone's folder), and removes that
 * collaboration after the move. In Box the moved item then belongs to the folder's owner.
 */
async function moveInto(deps: FileActionDeps, access: Pick<ItemAccess, 'type' | 'id'>, mover: string | undefined, folder: { id: string; owner: string | undefined }): Promise<void> {
  const { client } = deps;
  const serviceAccount = (await deps.probe.serviceAccount()).id;
  const collab = await client.createCollaboration({ type: 'folder', id: folder.id }, { type: 'user', id: mover ?? serviceAccount }, 'editor', folder.owner);
  try {
    await client.updateItem(access.type, access.id, { parent: { id: folder.id } }, mover);
  } finally {
    await client.deleteCollaboration(String(collab.id), folder.owner);
  }
}

/**
 * Quarantine: the item loses its shared link and every collaboration, then moves (with it, out of
 * its owner's reach) into the service account's quarantine folder. The undo record keeps where it was,
 * whose it was and how it was shared, for `restore_sharing`.
 */
export function quarantine(deps: FileActionDeps): ActionHandler {
  return {
    inverse: 'restore_sharing',
    permission: PERMISSIONS.content,
    async run(target, params) {
      const access = await deps.items.find(target, params);
      const folder = await quarantineFolder(deps);
      const parent = str(obj(access.item.parent)?.id);
      const link = removedLinkOf(access.item);
      const collaborations = collaborationsOf(access.item);
      if (parent === folder && link === null && collaborations.length === 0) return { status: 'noop', message: 'the item is already in quarantine' };
      if (parent === null || parent === '0') {
        throw new AppwardenError('AW_PROVIDER_REQUEST_FAILED', "an item at the root of a user's tree cannot be moved back by restore_sharing; move it into a folder first", { details: { id: access.id } });
      }
      if (link !== null) await deps.client.updateItem(access.type, access.id, { shared_link: null }, access.asUser);
      for (const c of collaborations) await deps.client.deleteCollaboration(String(c.id), access.asUser);
      if (parent !== folder) await moveInto(deps, access, access.asUser, { id: folder, owner: undefined });
      return {
        status: 'applied',
        message: `moved to ${deps.quarantineFolderName}, ${link ? 'shared link and ' : ''}${collaborations.length} collaboration(s) removed`,
        undo: {
          owner: access.owner, item_type: access.type, parent,
          ...(link ? { shared_link: JSON.stringify(link) } : {}), removed: JSON.stringify(collaborations.map(removedCollaborationOf)),
        },
      };
    },
    async verify(target, params) {
      const access = await deps.items.find(target, { ...params, owner: (await deps.probe.serviceAccount()).id });
      return str(obj(access.item.parent)?.id) === await quarantineFolder(deps) && access.item.shared_link == null && collaborationsOf(access.item).length === 0;
    },
  };
}

function parseList<T>(text: string | undefined, field: string): T[] {
  if (text === undefined || text === '') return [];
  try {
    const value = JSON.parse(text) as unknown;
    if (Array.isArray(value)) return value as T[];
  } catch {
    // reported below
  }
  throw new AppwardenError('AW_BAD_REQUEST', `params.${field} is not a JSON list`, { details: { field: `params.${field}` } });
}

function parseLink(text: string | undefined): RemovedLink | null {
  if (text === undefined || text === '') return null;
  try {
    const link = obj(JSON.parse(text));
    if (link !== null && typeof link.access === 'string') return link as unknown as RemovedLink;
  } catch {
    // reported below
  }
  throw new AppwardenError('AW_BAD_REQUEST', 'params.shared_link is not a shared link record', { details: { field: 'params.shared_link' } });
}

function sameCollaborator(c: Json, wanted: RemovedCollaboration): boolean {
  const who = obj(c.accessible_by);
  if (wanted.accessible_by.id && str(who?.id) === wanted.accessible_by.id) return true;
  const login = str(who?.login) ?? str(c.invite_email);
  return wanted.accessible_by.login !== undefined && login?.toLowerCase() === wanted.accessible_by.login.toLowerCase();
}

/**
 * Puts an item's sharing back as a sharing action or the quarantine recorded it (the `undo` record:
 * `owner`, `item_type`, `parent` after a quarantine, `shared_link`, `removed` collaborations): the item
 * moves back into its folder (becoming its owner's again), then gets its link and collaborations back.
 */
export function restoreSharing(deps: FileActionDeps): ActionHandler {
  const wanted = (params: Readonly<Record<string, string>>) => ({
    link: parseLink(params.shared_link),
    removed: parseList<RemovedCollaboration>(params.removed, 'removed'),
    parent: params.parent,
    owner: params.owner,
  });
  const state = async (target: Parameters<ActionHandler['run']>[0], params: Readonly<Record<string, string>>) => {
    const want = wanted(params);
    if (want.link === null && want.removed.length === 0 && want.parent === undefined) {
      throw new AppwardenError('AW_BAD_REQUEST', 'restore_sharing needs params.removed, params.shared_link or params.parent: run it as the revert of a sharing action', { details: { field: 'params.removed' } });
    }
    const access = await deps.items.find(target, { ...params, item_type: itemTypeOf(params.item_type) ?? '' });
    const placed = want.parent === undefined || str(obj(access.item.parent)?.id) === want.parent;
    const linkBack = want.link === null || access.item.shared_link != null;
    const missing = want.removed.filter((w) => !collaborationsOf(access.item).some((c) => sameCollaborator(c, w)));
    return { want, access, placed, linkBack, missing };
  };
  return {
    permission: PERMISSIONS.content,
    async run(target, params) {
      let now = await state(target, params);
      if (now.placed && now.linkBack && now.missing.length === 0) return { status: 'noop', message: 'the sharing is already as it was' };
      const steps: string[] = [];
      if (!now.placed) {
        await moveInto(deps, now.access, now.access.asUser, { id: now.want.parent!, owner: now.want.owner });
        steps.push('moved back to its folder');
        now = await state(target, { ...params, owner: now.want.owner ?? now.access.owner });
      }
      const { access } = now;
      if (!now.linkBack && now.want.link) {
        const { access: level, unshared_at: unsharedAt, can_download: canDownload } = now.want.link;
        await deps.client.updateItem(access.type, access.id, {
          shared_link: { access: level, ...(unsharedAt ? { unshared_at: unsharedAt } : {}), ...(canDownload !== undefined ? { permissions: { can_download: canDownload } } : {}) },
        }, access.asUser);
        steps.push(`shared link (${level}) made again, without a password`);
      }
      for (const w of now.missing) {
        const who = w.accessible_by.id ? { type: w.accessible_by.type, id: w.accessible_by.id } : { type: w.accessible_by.type, login: w.accessible_by.login };
        await deps.client.createCollaboration({ type: access.type, id: access.id }, who, w.role, access.asUser);
      }
      if (now.missing.length > 0) steps.push(`${now.missing.length} collaboration(s) given back`);
      return { status: 'applied', message: steps.join(', ') };
    },
    async verify(target, params) {
      const now = await state(target, params);
      return now.placed && now.linkBack && now.missing.length === 0;
    },
  };
}
