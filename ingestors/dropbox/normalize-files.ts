import { recordId } from '../../schemas/event-id.js';
import type { Collaborator, FileEvent, FileOwner } from '../../schemas/types.js';
import type { AccessLevel, FileChange } from '../../schemas/vocabulary.js';
import type { SnapshotContext } from '../contract.js';
import { arr, domainOf, fieldErrors, num, obj, put, str, type Json } from '../runtime/json-fields.js';
import { isoTime } from '../runtime/provider-time.js';
import { tagOf } from './event-types.js';

const { failure, requireObject, requireString } = fieldErrors('dropbox');

/** One file or folder as the file scan and the change feed collect it. */
export interface DropboxFileRecord {
  /** Whose Dropbox it was listed in: a `team_member_id` (Select-User), or `ns:<id>` for a team folder (Select-Admin). */
  space: string;
  owner: FileOwner | null;
  /** The `files/list_folder` entry (`FileMetadata` or `FolderMetadata`). */
  entry: unknown;
  /** Its shared links (`SharedLinkMetadata`), from `sharing/list_shared_links`. */
  links: unknown[];
  /** The members of its shared folder (its own, or the one it lies in): `sharing/list_folder_members`, or null. */
  sharedFolder: { shared_folder_id: string; users: unknown[]; groups: unknown[]; invitees: unknown[] } | null;
  /** Email domains of the team: an invitee elsewhere is external. */
  teamDomains: readonly string[];
  change: FileChange;
}

/** Our id of a file: `<space>/<id>` (the space tells whom the actions act as). */
export function fileIdOf(space: string, entryId: string): string {
  return `${space}/${entryId}`;
}

/** The space and Dropbox id of a file id made by `fileIdOf`, or null. */
export function parseFileId(fileId: string): { space: string; id: string } | null {
  const at = fileId.lastIndexOf('/id:');
  if (at <= 0) return null;
  return { space: fileId.slice(0, at), id: fileId.slice(at + 1) };
}

const RANK: Record<AccessLevel, number> = { unknown: -1, private: 0, internal: 1, external: 2, public: 3 };

/** Who reaches the item: shared links by their resolved visibility, shared-folder members, invitees and groups. */
export function exposureOf(record: Pick<DropboxFileRecord, 'links' | 'sharedFolder' | 'teamDomains'>): { level: AccessLevel; collaborators: Collaborator[] } {
  const domains = new Set(record.teamDomains.map((d) => d.toLowerCase()));
  const collaborators: Collaborator[] = [];
  let level: AccessLevel = 'private';
  const raise = (to: AccessLevel) => { if (RANK[to] > RANK[level]) level = to; };
  for (const link of record.links.map(obj)) {
    const permissions = obj(link?.link_permissions);
    const visibility = tagOf(permissions?.resolved_visibility) ?? tagOf(permissions?.effective_audience);
    const role = permissions?.allow_download === false ? 'viewer_no_download' : 'viewer';
    if (visibility === 'public' || visibility === 'password') {
      collaborators.push({ type: 'anyone', id: str(link?.url), email: null, role });
      raise(visibility === 'public' ? 'public' : 'external');
    } else if (visibility === 'team_only' || visibility === 'team_and_password') {
      collaborators.push({ type: 'domain', id: str(link?.url), email: record.teamDomains[0] ?? null, role });
      raise('internal');
    }
  }
  const folder = record.sharedFolder;
  for (const m of arr(folder?.users).map(obj)) {
    const user = obj(m?.user);
    const role = tagOf(m?.access_type) ?? 'viewer';
    collaborators.push({ type: 'user', id: str(user?.team_member_id) ?? str(user?.account_id), email: str(user?.email), role });
    if (user?.same_team === false) raise('external');
  }
  for (const g of arr(folder?.groups).map(obj)) {
    const group = obj(g?.group);
    collaborators.push({ type: 'group', id: str(group?.group_id), email: null, role: tagOf(g?.access_type) ?? 'viewer' });
    if (group?.is_member === false && tagOf(group?.group_type) !== 'team') raise('external');
  }
  for (const i of arr(folder?.invitees).map(obj)) {
    const email = str(obj(i?.invitee)?.email);
    collaborators.push({ type: 'user', id: null, email, role: tagOf(i?.access_type) ?? 'viewer' });
    const domain = email === null ? null : domainOf(email);
    if (domain === null || !domains.has(domain)) raise('external');
  }
  return { level, collaborators };
}

/** A file or folder of the scan or change feed → FileEvent. Throws AW_NORMALIZE_FAILED naming `entry.id` or `space` when missing. */
export function normalizeDropboxFile(raw: unknown, ctx: SnapshotContext): FileEvent {
  const record = requireObject(raw, '(record)') as unknown as DropboxFileRecord;
  const entry = requireObject(record.entry, 'entry');
  const id = requireString(entry, 'id', 'entry.id');
  const space = str(record.space);
  if (space === null) throw failure('space', 'space is missing (whose Dropbox the entry was listed in)');
  const fileId = fileIdOf(space, id);
  const isFolder = tagOf(entry) === 'folder';
  const exposure = exposureOf({ links: arr(record.links), sharedFolder: record.sharedFolder ?? null, teamDomains: arr(record.teamDomains) as string[] });
  const pathDisplay = str(entry.path_display);
  const sharing = obj(entry.sharing_info);
  const attributes: Record<string, string> = { space, is_folder: String(isFolder) };
  put(attributes, 'dropbox_id', id);
  put(attributes, 'path_lower', entry.path_lower);
  put(attributes, 'rev', entry.rev);
  put(attributes, 'content_hash', entry.content_hash);
  put(attributes, 'shared_folder_id', record.sharedFolder?.shared_folder_id ?? sharing?.shared_folder_id ?? sharing?.parent_shared_folder_id);
  put(attributes, 'modified_by', sharing?.modified_by);
  const links = arr(record.links).map((l) => str(obj(l)?.url)).filter((u): u is string => u !== null);
  if (links.length > 0) attributes.shared_links = links.join(',');
  return {
    record_id: recordId('dropbox', ctx.instance, 'file', fileId),
    provider: 'dropbox',
    instance: ctx.instance,
    observed_at: ctx.observedAt,
    change: record.change,
    file: {
      id: fileId,
      name: str(entry.name) ?? id,
      path: pathDisplay === null ? null : parentOf(pathDisplay),
      mime_type: null,
      size: num(entry.size),
      owner: record.owner ?? null,
      created_at: isoTime(entry.client_modified),
      modified_at: isoTime(entry.server_modified),
      access_level: exposure.level,
      collaborators: exposure.collaborators,
      label: null,
      url: links[0] ?? null,
    },
    attributes,
    raw: JSON.stringify({ space, entry: record.entry, links: record.links, shared_folder: record.sharedFolder }),
  };
}

/** `/Projects/Plans/a.txt` → `/Projects/Plans`; an item at the root → `/`. */
function parentOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

/** The entry as a JSON object (for the streams). */
export function entryOf(raw: unknown): Json | null {
  return obj(raw);
}
