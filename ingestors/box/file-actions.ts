import { AppwardenError } from '../../core/errors.js';
import type { ActionHandler, ActionResult } from '../contract.js';
import { obj, str, type Json } from '../runtime/json-fields.js';
import type { BoxClient } from './client.js';
import { PERMISSIONS, type CredentialProbe } from './credentials.js';
import type { ItemAccess, ItemLookup } from './item-lookup.js';
import { classificationOf, isExternalCollaboration, type InternalDomains } from './normalize-files.js';
import { quarantine, restoreSharing } from './quarantine.js';

type Params = Readonly<Record<string, string>>;

export interface FileActionDeps {
  client: BoxClient;
  probe: CredentialProbe;
  items: ItemLookup;
  domains: InternalDomains;
  quarantineFolderName: string;
  classification: string | undefined;
}

/** What a collaboration needs to be made again: who (user id or login, or group id) and the role. */
export interface RemovedCollaboration {
  accessible_by: { type: string; id?: string; login?: string };
  role: string;
}

/** What a shared link needs to be made again (its password cannot be read back, so it comes back without one). */
export interface RemovedLink {
  access: string;
  unshared_at?: string;
  can_download?: boolean;
}

export function removedLinkOf(item: Json): RemovedLink | null {
  const link = obj(item.shared_link);
  const access = str(link?.access);
  if (link === null || access === null) return null;
  const canDownload = obj(link.permissions)?.can_download;
  return { access, ...(str(link.unshared_at) ? { unshared_at: str(link.unshared_at)! } : {}), ...(typeof canDownload === 'boolean' ? { can_download: canDownload } : {}) };
}

export function removedCollaborationOf(c: Json): RemovedCollaboration {
  const who = obj(c.accessible_by);
  const login = str(who?.login) ?? str(c.invite_email);
  return {
    accessible_by: { type: str(who?.type) ?? 'user', ...(str(who?.id) ? { id: str(who?.id)! } : {}), ...(login ? { login } : {}) },
    role: str(c.role) ?? 'viewer',
  };
}

export function collaborationsOf(item: Json): Json[] {
  return Array.isArray(item.collaborations) ? (item.collaborations as Json[]) : [];
}

/**
 * An action that removes, as the item's owner, its shared link (`link`) and the collaborations
 * `select` picks; the undo record holds what it removed, for `restore_sharing`.
 */
function removeSharing(deps: FileActionDeps, what: string, options: { link: boolean; select: (c: Json) => boolean }): ActionHandler {
  const chosen = (access: ItemAccess) => ({
    link: options.link ? removedLinkOf(access.item) : null,
    collaborations: collaborationsOf(access.item).filter(options.select),
  });
  return {
    inverse: 'restore_sharing',
    permission: PERMISSIONS.content,
    async run(target, params): Promise<ActionResult> {
      const access = await deps.items.find(target, params);
      const { link, collaborations } = chosen(access);
      if (link === null && collaborations.length === 0) return { status: 'noop', message: `the item has no ${what}` };
      if (link !== null) await deps.client.updateItem(access.type, access.id, { shared_link: null }, access.asUser);
      for (const c of collaborations) await deps.client.deleteCollaboration(String(c.id), access.asUser);
      const removed = collaborations.map(removedCollaborationOf);
      return {
        status: 'applied',
        message: [link ? `shared link (${link.access}) removed` : '', removed.length > 0 ? `${removed.length} collaboration(s) removed` : ''].filter(Boolean).join(', '),
        undo: { owner: access.owner, item_type: access.type, ...(link ? { shared_link: JSON.stringify(link) } : {}), removed: JSON.stringify(removed) },
      };
    },
    async verify(target, params) {
      const { link, collaborations } = chosen(await deps.items.find(target, params));
      return link === null && collaborations.length === 0;
    },
  };
}

function classificationKey(deps: FileActionDeps, params: Params): string {
  const key = params.classification || params.label || deps.classification;
  if (!key) throw new AppwardenError('AW_BAD_REQUEST', 'apply_label needs params.classification (or classification in the configuration)', { details: { field: 'params.classification' } });
  return key;
}

/** Sets the item's classification (the `securityClassification-6VMVochwUWo` metadata instance) as its owner. */
function applyClassification(deps: FileActionDeps): ActionHandler {
  return {
    permission: PERMISSIONS.content,
    async run(target, params) {
      const key = classificationKey(deps, params);
      const access = await deps.items.find(target, params);
      const current = await deps.client.classification(access.type, access.id, access.asUser);
      if (current !== null && classificationOf({ classification: current }) === key) return { status: 'noop', message: `already classified ${key}` };
      await deps.client.classify(access.type, access.id, key, access.asUser);
      return { status: 'applied', message: `classified ${key}`, undo: { previous: current === null ? '' : classificationOf({ classification: current }) ?? '' } };
    },
    async verify(target, params) {
      const access = await deps.items.find(target, params);
      const current = await deps.client.classification(access.type, access.id, access.asUser);
      return current !== null && classificationOf({ classification: current }) === classificationKey(deps, params);
    },
  };
}

/** Governance of Box files and folders: sharing control, quarantine and classification. */
export function fileActions(deps: FileActionDeps) {
  const external = (c: Json) => isExternalCollaboration(c, deps.domains);
  return {
    remove_public_link: removeSharing(deps, 'shared link', { link: true, select: () => false }),
    remove_external_collaborators: removeSharing(deps, 'external collaboration', { link: false, select: external }),
    make_private: removeSharing(deps, 'shared link or collaboration', { link: true, select: () => true }),
    quarantine: quarantine(deps),
    restore_sharing: restoreSharing(deps),
    apply_label: applyClassification(deps),
  } satisfies Record<string, ActionHandler>;
}
