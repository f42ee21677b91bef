import { recordId } from '../../schemas/event-id.js';
import type { FileEvent } from '../../schemas/types.js';
import type { FileChange } from '../../schemas/vocabulary.js';
import type { SnapshotContext } from '../contract.js';
import { exposureOf } from './access-level.js';
import { num, obj } from '../runtime/json-fields.js';
import { isoTime } from '../runtime/provider-time.js';
import { failure, put, requireObject, requireString, str } from './fields.js';

/** One drive item as the file scan and the delta feed collect it: the item, its drive, its permissions and labels. */
export interface DriveItemRecord {
  /** The Graph `drive` (id, driveType, owner, webUrl). */
  drive: unknown;
  /** The Graph `driveItem`. */
  item: unknown;
  /** `GET /drives/{d}/items/{i}/permissions` → `value`. */
  permissions: unknown[];
  /** Sensitivity label ids from `extractSensitivityLabels`, or null when they were not read. */
  labels: string[] | null;
  /** The tenant's verified domains: grantees outside them are external. */
  tenantDomains: readonly string[];
  /** `seen` from a scan; from the delta feed `created`, `updated` or `deleted`. */
  change: FileChange;
}

/** Our id of a drive item: `<driveId>/<itemId>` (Graph addresses an item only within its drive). */
export function fileIdOf(driveId: string, itemId: string): string {
  return `${driveId}/${itemId}`;
}

/** The drive and item ids of a file id made by `fileIdOf`, or null when it is not one. */
export function parseFileId(fileId: string): { driveId: string; itemId: string } | null {
  const slash = fileId.indexOf('/');
  if (slash <= 0 || slash === fileId.length - 1) return null;
  return { driveId: fileId.slice(0, slash), itemId: fileId.slice(slash + 1) };
}

/**
 * A OneDrive or SharePoint drive item → FileEvent, with its access level derived from its sharing
 * links and grants. Pure. Throws AW_NORMALIZE_FAILED naming `item.id` or `drive.id` when missing.
 */
export function normalizeDriveItem(record: DriveItemRecord, ctx: SnapshotContext): FileEvent {
  const item = requireObject(record.item, 'item');
  const drive = obj(record.drive) ?? {};
  const itemId = requireString(item, 'id', 'item.id');
  const parent = obj(item.parentReference);
  const driveId = str(drive.id) ?? str(parent?.driveId);
  if (driveId === null) throw failure('drive.id', 'drive.id is missing (neither the drive nor parentReference.driveId names it)');
  const fileId = fileIdOf(driveId, itemId);
  const exposure = exposureOf(record.permissions, record.tenantDomains);
  const owner = obj(obj(drive.owner)?.user) ?? obj(obj(item.createdBy)?.user);
  const isFolder = obj(item.folder) !== null;
  const attributes: Record<string, string> = {};
  put(attributes, 'drive_id', driveId);
  put(attributes, 'item_id', itemId);
  put(attributes, 'drive_type', drive.driveType);
  attributes.is_folder = String(isFolder);
  put(attributes, 'etag', item.eTag);
  put(attributes, 'child_count', obj(item.folder)?.childCount);
  const permissionIds = record.permissions.map((p) => str(obj(p)?.id)).filter((id): id is string => id !== null);
  if (permissionIds.length > 0) attributes.permission_ids = permissionIds.join(',');
  put(attributes, 'last_modified_by', obj(obj(item.lastModifiedBy)?.user)?.email);
  put(attributes, 'malware', obj(item.malware)?.description);
  const deleted = obj(item.deleted) !== null;
  return {
    record_id: recordId('office365', ctx.instance, 'file', fileId),
    provider: 'office365',
    instance: ctx.instance,
    observed_at: ctx.observedAt,
    change: deleted ? 'deleted' : record.change,
    file: {
      id: fileId,
      // A deleted item in the delta feed may come without its name.
      name: str(item.name) ?? itemId,
      path: folderPath(str(parent?.path)),
      mime_type: str(obj(item.file)?.mimeType),
      size: num(item.size),
      owner: owner === null ? null : { id: str(owner.id), email: str(owner.email), name: str(owner.displayName) },
      created_at: isoTime(item.createdDateTime),
      modified_at: isoTime(item.lastModifiedDateTime),
      access_level: deleted ? 'unknown' : exposure.access_level,
      collaborators: exposure.collaborators,
      label: record.labels?.[0] ?? null,
      url: str(item.webUrl),
    },
    attributes,
    raw: JSON.stringify({ item: record.item, permissions: record.permissions, labels: record.labels }),
  };
}

/** `/drives/{id}/root:/Documents/Plans` → `/Documents/Plans`; the root itself is `/`. */
function folderPath(parentPath: string | null): string | null {
  if (parentPath === null) return null;
  const at = parentPath.indexOf('root:');
  if (at === -1) return null;
  const rest = decodeURIComponent(parentPath.slice(at + 'root:'.length));
  return rest === '' ? '/' : rest;
}

/** Whether a delta item is the drive's root folder (which the file feed leaves out). */
export function isDriveRoot(item: unknown): boolean {
  const o = obj(item);
  return o !== null && obj(o.root) !== null;
}

/** `created` when the item was never modified since creation, else `updated` (delta does not say which). */
export function deltaChangeOf(item: unknown): FileChange {
  const o = obj(item);
  if (o === null) return 'updated';
  if (obj(o.deleted) !== null) return 'deleted';
  const created = str(o.createdDateTime);
  return created !== null && created === str(o.lastModifiedDateTime) ? 'created' : 'updated';
}
