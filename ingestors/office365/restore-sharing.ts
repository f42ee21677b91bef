import { AppwardenError } from '../../core/errors.js';
import type { ActionHandler, ActionTarget } from '../contract.js';
import { type Json, obj } from '../runtime/json-fields.js';
import { str } from './fields.js';
import type { GraphClient } from './graph-client.js';
import { parseFileId } from './normalize-files.js';

/**
 * A sharing permission as the file actions record it when they remove it (`undo.removed`), so that
 * `restore_sharing` can give it back: a link is made again with its type and scope (Graph gives it a
 * new URL), a person is invited again with their roles.
 */
export type RemovedSharing =
  | { link: { type: string; scope: string } }
  | { email?: string; objectId?: string; roles: string[] };

/** What a removed permission was, or null for a kind Graph cannot create again (a password link, a site group). */
export function describeRemoved(permission: Json): RemovedSharing | null {
  const link = obj(permission.link);
  if (link) {
    const type = str(link.type);
    const scope = str(link.scope);
    return type && scope && permission.hasPassword !== true ? { link: { type, scope } } : null;
  }
  const user = obj(obj(permission.grantedToV2)?.user) ?? obj(obj(permission.grantedTo)?.user);
  const email = str(user?.email) ?? str(obj(permission.invitation)?.email);
  const objectId = str(user?.id);
  const roles = Array.isArray(permission.roles) ? permission.roles.map(String).filter((r) => r === 'read' || r === 'write') : [];
  if ((!email && !objectId) || roles.length === 0) return null;
  return { ...(email ? { email } : {}), ...(objectId && !email ? { objectId } : {}), roles };
}

function matches(permission: Json, wanted: RemovedSharing): boolean {
  if ('link' in wanted) {
    const link = obj(permission.link);
    return str(link?.type) === wanted.link.type && str(link?.scope) === wanted.link.scope;
  }
  const seen = describeRemoved(permission);
  if (seen === null || 'link' in seen) return false;
  const sameWho = wanted.email ? seen.email?.toLowerCase() === wanted.email.toLowerCase() : seen.objectId === wanted.objectId;
  return sameWho && wanted.roles.every((r) => seen.roles.includes(r));
}

function parseRemoved(text: string | undefined): RemovedSharing[] {
  if (text === undefined || text === '') return [];
  try {
    const parsed = JSON.parse(text) as unknown;
    if (Array.isArray(parsed)) return parsed as RemovedSharing[];
  } catch {
    // reported below
  }
  throw new AppwardenError('AW_BAD_REQUEST', 'office365: restore_sharing: params.removed must be the JSON list an earlier action returned in its undo record', { details: { param: 'removed' } });
}

function fileOf(target: ActionTarget): { driveId: string; itemId: string } {
  const ids = target.type === 'file' ? parseFileId(target.id) : null;
  if (ids === null) throw new AppwardenError('AW_BAD_REQUEST', 'office365: restore_sharing applies to a file <driveId>/<itemId>', { details: { target } });
  return ids;
}

/**
 * The undo of remove_public_link, remove_permission, remove_external_collaborators, make_private and
 * quarantine: run as their revert, it gets their undo record as parameters (`removed`, and
 * `previousParentId` after a quarantine), moves the file back and shares it again as it was.
 */
export function restoreSharing(graph: GraphClient): ActionHandler {
  const missing = async (target: ActionTarget, params: Readonly<Record<string, string>>) => {
    const { driveId, itemId } = fileOf(target);
    const present = await graph.permissions(driveId, itemId);
    return parseRemoved(params.removed).filter((wanted) => !present.some((p) => matches(p, wanted)));
  };
  const misplaced = async (target: ActionTarget, params: Readonly<Record<string, string>>) => {
    if (!params.previousParentId) return false;
    const { driveId, itemId } = fileOf(target);
    const item = await graph.item(driveId, itemId);
    if (item === null) throw new AppwardenError('AW_BAD_REQUEST', `office365: restore_sharing: no file ${target.id}`, { details: { id: target.id } });
    return str(obj(item.parentReference)?.id) !== params.previousParentId;
  };
  return {
    async run(target, params) {
      const { driveId, itemId } = fileOf(target);
      if (params.removed === undefined && params.previousParentId === undefined) {
        throw new AppwardenError('AW_BAD_REQUEST', 'office365: restore_sharing needs params.removed (or previousParentId): run it as the revert of a sharing action', { details: { param: 'removed' } });
      }
      const moved = await misplaced(target, params);
      if (moved) await graph.moveItem(driveId, itemId, params.previousParentId!);
      const toRestore = await missing(target, params);
      for (const wanted of toRestore) {
        if ('link' in wanted) await graph.createLink(driveId, itemId, wanted.link);
        else await graph.invite(driveId, itemId, wanted.email ? { email: wanted.email } : { objectId: wanted.objectId! }, wanted.roles);
      }
      if (!moved && toRestore.length === 0) return { status: 'noop', message: 'the sharing is already as it was' };
      return { status: 'applied', message: `${moved ? 'moved back to its folder; ' : ''}${toRestore.length} permission(s) given back (links get a new URL)` };
    },
    async verify(target, params) {
      return !(await misplaced(target, params)) && (await missing(target, params)).length === 0;
    },
  };
}
