import { recordId } from '../../schemas/event-id.js';
import type { Collaborator, FileEvent } from '../../schemas/types.js';
import type { AccessLevel, FileChange } from '../../schemas/vocabulary.js';
import type { SnapshotContext } from '../contract.js';
import { arr, domainOf, fieldErrors, type Json, numeric, obj, put, str } from '../runtime/json-fields.js';
import { isoTimeOrNever } from '../runtime/provider-time.js';
import { CLASSIFICATION_KEY, CLASSIFICATION_TEMPLATE } from './config.js';

const { requireObject, requireString } = fieldErrors('box');
const ACCESS_RANK: Record<AccessLevel, number> = { unknown: 0, private: 1, internal: 2, external: 3, public: 4 };
/** What a shared link's `access` exposes: anyone with the link, anyone in the company, or only the item's collaborators. */
const LINK_ACCESS: Record<string, AccessLevel> = { open: 'public', company: 'internal', collaborators: 'private' };

/** The organisation's email domains, lower-cased. */
export type InternalDomains = ReadonlySet<string>;

/** The login of a collaboration's collaborator: the user's, or the invitation's for someone without a Box account yet. */
export function collaboratorLogin(collaboration: Json): string | null {
  return str(obj(collaboration.accessible_by)?.login) ?? str(collaboration.invite_email);
}

/** A collaboration with someone of another domain (groups are the enterprise's own). */
export function isExternalCollaboration(collaboration: Json, domains: InternalDomains): boolean {
  if (str(obj(collaboration.accessible_by)?.type) === 'group') return false;
  const domain = domainOf(collaboratorLogin(collaboration) ?? '');
  return domain !== null && !domains.has(domain);
}

/** The record id of an item: files and folders are numbered apart in Box, so the type is part of it. */
export function itemRecordId(instance: string, type: string, id: string): string {
  return recordId('box', instance, 'file', `${type}:${id}`);
}

/** The classification an item carries (the `securityClassification-6VMVochwUWo` metadata the scan asks for with `fields`). */
export function classificationOf(item: Json): string | null {
  const instance = obj(obj(obj(item.metadata)?.enterprise)?.[CLASSIFICATION_TEMPLATE]) ?? obj(item.classification);
  return str(instance?.[CLASSIFICATION_KEY]) ?? str(instance?.name);
}

function accessLevelOf(link: Json | null, collaborations: readonly Json[], domains: InternalDomains): AccessLevel {
  let level: AccessLevel = link === null ? 'private' : LINK_ACCESS[str(link.effective_access) ?? str(link.access) ?? ''] ?? 'unknown';
  for (const c of collaborations) {
    const exposure: AccessLevel = isExternalCollaboration(c, domains) ? 'external' : 'private';
    if (ACCESS_RANK[exposure] > ACCESS_RANK[level]) level = exposure;
  }
  return level;
}

/**
 * A Box file or folder (an entry of a folder listing, or `GET /files/{id}`, with `fields` asking for
 * its owner, shared link and classification) with its `collaborations` (the scan reads them per item)
 * → FileEvent. The collaborators are the collaborations (id: the collaboration's, which removing it
 * needs) and the shared link (`anyone` for an open link, `domain` for a company link).
 */
export function normalizeBoxItem(raw: unknown, ctx: SnapshotContext, change: FileChange, domains: InternalDomains): FileEvent {
  const item = requireObject(raw, '(record)');
  const id = requireString(item, 'id');
  const type = requireString(item, 'type');
  const owner = obj(item.owned_by);
  const link = obj(item.shared_link);
  const collaborations = Array.isArray(item.collaborations) ? arr(item.collaborations).map((c) => obj(c)).filter((c): c is Json => c !== null) : null;
  const collaborators: Collaborator[] = (collaborations ?? []).map((c) => ({
    type: str(obj(c.accessible_by)?.type) === 'group' ? 'group' : 'user', id: str(c.id), email: collaboratorLogin(c), role: str(c.role) ?? 'unknown',
  }));
  const linkAccess = str(link?.access);
  if (link !== null && (linkAccess === 'open' || linkAccess === 'company')) {
    collaborators.push({ type: linkAccess === 'open' ? 'anyone' : 'domain', id: null, email: null, role: obj(link.permissions)?.can_edit === true ? 'editor' : 'viewer' });
  }
  const folders = arr(obj(item.path_collection)?.entries).map((e) => obj(e)).filter((e): e is Json => e !== null && str(e.id) !== '0');
  const label = classificationOf(item);
  const attributes: Record<string, string> = { item_type: type };
  put(attributes, 'parent_id', obj(item.parent)?.id);
  put(attributes, 'item_status', item.item_status);
  put(attributes, 'sha1', item.sha1);
  if (link !== null) {
    put(attributes, 'shared_link_access', link.access);
    put(attributes, 'shared_link_effective_access', link.effective_access);
    put(attributes, 'shared_link_url', link.url);
    put(attributes, 'shared_link_password', link.is_password_enabled === true);
    put(attributes, 'shared_link_expires_at', link.unshared_at);
    put(attributes, 'shared_link_can_download', obj(link.permissions)?.can_download);
  }
  if (label !== null) attributes.classification = label;
  return {
    record_id: itemRecordId(ctx.instance, type, id),
    provider: 'box',
    instance: ctx.instance,
    observed_at: ctx.observedAt,
    change: change === 'deleted' || item.item_status === 'trashed' || item.item_status === 'deleted' ? 'deleted' : change,
    file: {
      id,
      name: str(item.name) ?? '',
      path: `/${[...folders.map((f) => str(f.name) ?? ''), str(item.name) ?? ''].join('/')}`,
      mime_type: type === 'folder' ? 'folder' : null,
      size: numeric(item.size),
      owner: owner ? { id: str(owner.id), email: str(owner.login), name: str(owner.name) } : null,
      created_at: isoTimeOrNever(item.created_at),
      modified_at: isoTimeOrNever(item.modified_at),
      access_level: collaborations === null ? 'unknown' : accessLevelOf(link, collaborations, domains),
      collaborators,
      label,
      url: str(link?.url),
    },
    attributes,
    raw: JSON.stringify(raw),
  };
}
