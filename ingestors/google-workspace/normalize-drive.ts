import { recordId } from '../../schemas/event-id.js';
import type { Collaborator, FileEvent } from '../../schemas/types.js';
import type { AccessLevel, CollaboratorType, FileChange } from '../../schemas/vocabulary.js';
import type { SnapshotContext } from '../contract.js';
import { FOLDER_MIME_TYPE } from './drive-client.js';
import { domainOf, fieldErrors, type Json, numeric, obj, put, str } from '../runtime/json-fields.js';
import { isoTimeOrNever } from '../runtime/provider-time.js';

const { requireObject, requireString } = fieldErrors('google_workspace');

const COLLABORATOR_TYPES: Record<string, CollaboratorType> = { user: 'user', group: 'group', domain: 'domain', anyone: 'anyone' };
const ACCESS_RANK: Record<AccessLevel, number> = { unknown: 0, private: 1, internal: 2, external: 3, public: 4 };

/** Whether an email or domain belongs to the organisation (its primary and additional domains). */
export type InternalDomains = ReadonlySet<string>;

export function internalDomains(primary: string, additional: readonly string[]): InternalDomains {
  return new Set([primary, ...additional].map((d) => d.toLowerCase()));
}

/**
 * The widest exposure a file's permissions give: `anyone` is public (with or without discovery), a
 * `domain` permission is internal for one of ours and external otherwise, a user or group of
 * another domain is external; otherwise private.
 */
export function accessLevelOf(permissions: readonly Json[], domains: InternalDomains): AccessLevel {
  let level: AccessLevel = 'private';
  for (const p of permissions) {
    if (p.deleted === true) continue;
    let exposure: AccessLevel = 'private';
    const type = str(p.type);
    if (type === 'anyone') exposure = 'public';
    else if (type === 'domain') exposure = domains.has((str(p.domain) ?? '').toLowerCase()) ? 'internal' : 'external';
    else if (type === 'user' || type === 'group') {
      const domain = domainOf(str(p.emailAddress) ?? '');
      if (domain !== null && !domains.has(domain)) exposure = 'external';
    }
    if (ACCESS_RANK[exposure] > ACCESS_RANK[level]) level = exposure;
  }
  return level;
}

export interface FileNormalizeOptions {
  change: FileChange;
  domains: InternalDomains;
}

/**
 * A Drive API File (with its `permissions`, which files.list fills for a My Drive owner and the
 * scan reads separately for shared-drive items) → FileEvent. `access_level` is `unknown` when the
 * permissions are not known. `label` is the first applied label among those the scan asked for.
 */
export function normalizeGoogleFile(rawFile: unknown, ctx: SnapshotContext, options: FileNormalizeOptions): FileEvent {
  const file = requireObject(rawFile, '(record)');
  const id = requireString(file, 'id', 'id');
  const permissions = Array.isArray(file.permissions) ? file.permissions.map((p) => obj(p)).filter((p): p is Json => p !== null) : null;
  const owner = obj(Array.isArray(file.owners) ? file.owners[0] : undefined);
  const labels = (obj(file.labelInfo)?.labels ?? []) as unknown[];
  const labelIds = Array.isArray(labels) ? labels.map((l) => str(obj(l)?.id)).filter((l): l is string => l !== null) : [];
  const attributes: Record<string, string> = {};
  put(attributes, 'drive_id', file.driveId);
  if (Array.isArray(file.parents)) put(attributes, 'parents', file.parents.filter((p) => typeof p === 'string').join(','));
  put(attributes, 'shared', file.shared);
  put(attributes, 'trashed', file.trashed);
  put(attributes, 'is_folder', file.mimeType === FOLDER_MIME_TYPE);
  if (labelIds.length > 0) attributes.label_ids = labelIds.join(',');
  return {
    record_id: recordId('google_workspace', ctx.instance, 'file', id),
    provider: 'google_workspace',
    instance: ctx.instance,
    observed_at: ctx.observedAt,
    change: options.change,
    file: {
      id,
      name: str(file.name) ?? '',
      path: null,
      mime_type: str(file.mimeType),
      size: numeric(file.size),
      owner: owner ? { id: str(owner.permissionId), email: str(owner.emailAddress), name: str(owner.displayName) } : null,
      created_at: isoTimeOrNever(file.createdTime),
      modified_at: isoTimeOrNever(file.modifiedTime),
      access_level: permissions === null ? 'unknown' : accessLevelOf(permissions, options.domains),
      collaborators: (permissions ?? []).filter((p) => p.deleted !== true).map(collaborator),
      label: labelIds[0] ?? null,
      url: str(file.webViewLink),
    },
    attributes,
    raw: JSON.stringify(rawFile),
  };
}

/** The permission id is the collaborator's id: it is what removing the grant needs. */
function collaborator(p: Json): Collaborator {
  const type = COLLABORATOR_TYPES[str(p.type) ?? ''] ?? 'unknown';
  return { type, id: str(p.id), email: type === 'domain' ? str(p.domain) : str(p.emailAddress), role: (str(p.role) ?? 'unknown').toLowerCase() };
}
