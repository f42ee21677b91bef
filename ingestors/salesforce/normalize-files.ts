import { recordId } from '../../schemas/event-id.js';
import type { Collaborator, FileEvent } from '../../schemas/types.js';
import type { AccessLevel, FileChange } from '../../schemas/vocabulary.js';
import type { SnapshotContext } from '../contract.js';
import { arr, fieldErrors, num, obj, put, str, type Json } from '../runtime/json-fields.js';
import { isoTime } from '../runtime/provider-time.js';

const { requireObject, requireString } = fieldErrors('salesforce');

/** ContentDocumentLink `ShareType`: V viewer, C collaborator, I inferred (from the record it is linked to). */
const SHARE_ROLES: Record<string, string> = { V: 'viewer', C: 'collaborator', I: 'inferred' };

/** A ContentDocument as the file scans collect it: the document, its links (`ContentDocumentLink`) and public links (`ContentDistribution`). */
export interface ContentRecord {
  document: Json;
  links: Json[];
  distributions: Json[];
  change: FileChange;
}

function collaboratorType(entityId: string | null): Collaborator['type'] {
  if (entityId === null) return 'unknown';
  if (entityId.startsWith('005')) return 'user';
  if (entityId.startsWith('00G')) return 'group';
  return 'unknown';
}

/** A public link counts while it has not expired. */
function liveDistribution(d: Json, nowMs: number): boolean {
  const expiry = isoTime(d.ExpiryDate);
  return expiry === null || expiry > nowMs;
}

/**
 * A ContentDocument → FileEvent. Public when a live ContentDistribution (a public link) exists;
 * internal when it is linked to anyone or anything besides its owner; else private.
 */
export function normalizeContentDocument(raw: unknown, ctx: SnapshotContext): FileEvent {
  const record = requireObject(raw, '(record)');
  const doc = requireObject(record.document, 'document');
  const id = requireString(doc, 'Id', 'document.Id');
  const ownerId = str(doc.OwnerId);
  const owner = obj(doc.Owner);
  const links = arr(record.links).map((l) => obj(l) ?? {});
  const distributions = arr(record.distributions).map((d) => obj(d) ?? {});
  const live = distributions.filter((d) => liveDistribution(d, ctx.observedAt));
  const shared = links.filter((l) => str(l.LinkedEntityId) !== ownerId);
  const access: AccessLevel = live.length > 0 ? 'public' : shared.length > 0 ? 'internal' : 'private';
  const collaborators: Collaborator[] = [
    ...shared.map((l): Collaborator => {
      const entity = str(l.LinkedEntityId);
      return { type: collaboratorType(entity), id: entity, email: null, role: SHARE_ROLES[str(l.ShareType) ?? ''] ?? str(l.ShareType) ?? 'unknown' };
    }),
    ...live.map((): Collaborator => ({ type: 'anyone', id: null, email: null, role: 'viewer' })),
  ];
  const attributes: Record<string, string> = {};
  put(attributes, 'latest_version_id', doc.LatestPublishedVersionId);
  put(attributes, 'file_type', doc.FileType);
  if (live.length > 0) attributes.public_link_ids = live.map((d) => str(d.Id)).filter(Boolean).join(',');
  const linkIds = links.map((l) => str(l.Id)).filter((x): x is string => x !== null);
  if (linkIds.length > 0) attributes.link_ids = linkIds.join(',');
  const extension = str(doc.FileExtension);
  const title = str(doc.Title) ?? id;
  return {
    record_id: recordId('salesforce', ctx.instance, 'file', id),
    provider: 'salesforce',
    instance: ctx.instance,
    observed_at: ctx.observedAt,
    change: record.change === 'created' || record.change === 'updated' || record.change === 'deleted' ? record.change : 'seen',
    file: {
      id,
      name: extension !== null && !title.toLowerCase().endsWith(`.${extension.toLowerCase()}`) ? `${title}.${extension}` : title,
      path: null,
      mime_type: null,
      size: num(doc.ContentSize),
      owner: ownerId === null ? null : { id: ownerId, email: str(owner?.Email), name: str(owner?.Name) },
      created_at: isoTime(doc.CreatedDate),
      modified_at: isoTime(doc.LastModifiedDate),
      access_level: access,
      collaborators,
      label: null,
      url: str(live[0]?.DistributionPublicUrl),
    },
    attributes,
    raw: JSON.stringify(raw),
  };
}
