import { pathSegment } from '../runtime/http-client.js';
import type { GoogleApi } from './google-api.js';
import type { Principal } from './scopes.js';

type Json = Record<string, unknown>;

export const FOLDER_MIME_TYPE = 'application/vnd.google-apps.folder';
const PERMISSION_FIELDS = 'id,type,role,emailAddress,domain,allowFileDiscovery,displayName,deleted,permissionDetails';
const FILE_FIELDS = 'id,name,mimeType,size,owners(displayName,emailAddress,permissionId),'
  + `permissions(${PERMISSION_FIELDS}),permissionIds,shared,webViewLink,createdTime,modifiedTime,parents,driveId,trashed,ownedByMe,labelInfo`;
const SHARED_DRIVES_PAGE = 100;
// Items of every drive the caller may see, with their shared-drive fields.
const ALL_DRIVES = { supportsAllDrives: true, includeItemsFromAllDrives: true } as const;

const enc = pathSegment;

/** A page of a list and the token of the page after it (null on the last). */
export interface TokenPage {
  items: Json[];
  next: string | null;
}

/** A page of the changes feed and the page token that follows it (`newStartPageToken` on the last page). */
export interface ChangesPage {
  changes: Json[];
  token: string;
  last: boolean;
}

/** Drive API v3 calls, nothing else; each acts as a given user (Drive shows a user their own files). */
export class DriveClient {
  constructor(private readonly api: GoogleApi, private readonly options: { pageSize: number; labelIds: readonly string[] }) {}

  private as(subject: string): Principal {
    return { scope: 'drive', subject };
  }

  private labels(): { includeLabels?: string } {
    return this.options.labelIds.length > 0 ? { includeLabels: this.options.labelIds.join(',') } : {};
  }

  /** Every shared drive of the organisation (as an admin), from page token `from`. */
  sharedDrives(admin: string, from?: string): AsyncIterable<TokenPage> {
    return this.api.tokenPages(this.api.drive('/drives', { query: { useDomainAdminAccess: true, pageSize: SHARED_DRIVES_PAGE } }), this.as(admin), 'drives', from);
  }

  /** The files a user owns in their My Drive, trashed ones left out, from page token `from`. */
  ownedFiles(user: string, from?: string): AsyncIterable<TokenPage> {
    return this.api.tokenPages(this.api.drive('/files', {
      query: {
        corpora: 'user', q: "'me' in owners and trashed = false", pageSize: this.options.pageSize,
        fields: `nextPageToken,files(${FILE_FIELDS})`, ...ALL_DRIVES, ...this.labels(),
      },
    }), this.as(user), 'files', from);
  }

  /** The items of one shared drive, read as a member of it, from page token `from`. */
  sharedDriveFiles(driveId: string, member: string, from?: string): AsyncIterable<TokenPage> {
    return this.api.tokenPages(this.api.drive('/files', {
      query: {
        corpora: 'drive', driveId, q: 'trashed = false', pageSize: this.options.pageSize,
        fields: `nextPageToken,files(${FILE_FIELDS})`, ...ALL_DRIVES, ...this.labels(),
      },
    }), this.as(member), 'files', from);
  }

  /** A file's permissions; files.list leaves them out for shared-drive items. */
  permissions(fileId: string, subject: string): Promise<Json[]> {
    return this.api.all(this.api.drive(`/files/${enc(fileId)}/permissions`, { query: { supportsAllDrives: true, fields: `nextPageToken,permissions(${PERMISSION_FIELDS})` } }),
      this.as(subject), 'permissions');
  }

  getFile(fileId: string, subject: string): Promise<Json | null> {
    return this.api.find(this.api.drive(`/files/${enc(fileId)}`, { query: { supportsAllDrives: true, fields: FILE_FIELDS, ...this.labels() } }), this.as(subject));
  }

  /** The labels applied to a file, among `labelIds`. */
  async fileLabels(fileId: string, labelIds: readonly string[], subject: string): Promise<Json[]> {
    const file = await this.api.find(this.api.drive(`/files/${enc(fileId)}`, { query: { supportsAllDrives: true, fields: 'labelInfo', includeLabels: labelIds.join(',') } }), this.as(subject));
    const labels = (file?.labelInfo as { labels?: unknown } | undefined)?.labels;
    return Array.isArray(labels) ? (labels as Json[]) : [];
  }

  async startPageToken(subject: string): Promise<string> {
    const res = await this.api.request(this.api.drive('/changes/startPageToken', { query: { supportsAllDrives: true } }), this.as(subject));
    return String(res.body.startPageToken);
  }

  /** The user's changes after `token`, a page at a time, until Google hands out `newStartPageToken`. */
  async *changes(token: string, subject: string): AsyncIterable<ChangesPage> {
    const query = {
      pageSize: this.options.pageSize, ...ALL_DRIVES, ...this.labels(),
      fields: `nextPageToken,newStartPageToken,changes(changeType,removed,time,fileId,driveId,file(${FILE_FIELDS}))`,
    };
    let pageToken = token;
    // Every page either ends the feed or hands a new token; a feed that repeats its token is cut off.
    for (let page = 0; page < 100_000; page++) {
      const res = await this.api.request(this.api.drive('/changes', { query: { ...query, pageToken } }), this.as(subject));
      const body = res.body;
      const changes = Array.isArray(body.changes) ? (body.changes as Json[]) : [];
      if (typeof body.newStartPageToken === 'string') {
        yield { changes, token: body.newStartPageToken, last: true };
        return;
      }
      if (typeof body.nextPageToken !== 'string' || body.nextPageToken === pageToken) {
        yield { changes, token: pageToken, last: true };
        return;
      }
      pageToken = body.nextPageToken;
      yield { changes, token: pageToken, last: false };
    }
  }

  /** Deletes a permission; false when it was already gone (404). */
  async deletePermission(fileId: string, permissionId: string, subject: string): Promise<boolean> {
    const res = await this.api.request(this.api.drive(`/files/${enc(fileId)}/permissions/${enc(permissionId)}`,
      { method: 'DELETE', query: { supportsAllDrives: true }, acceptStatus: [404] }), this.as(subject));
    return res.status !== 404;
  }

  /** Shares a file (a person, group, domain or anyone), without mailing anyone about it. */
  async createPermission(fileId: string, permission: Json, subject: string): Promise<void> {
    await this.api.request(this.api.drive(`/files/${enc(fileId)}/permissions`, {
      method: 'POST', query: { sendNotificationEmail: false, supportsAllDrives: true }, body: permission,
    }), this.as(subject));
  }

  /** Makes `newOwner` the owner of a My Drive file (the caller must be its owner); the old owner keeps writer access. */
  async transferOwnership(fileId: string, newOwner: string, subject: string): Promise<void> {
    await this.api.request(this.api.drive(`/files/${enc(fileId)}/permissions`, {
      method: 'POST', query: { transferOwnership: true, supportsAllDrives: true }, body: { type: 'user', role: 'owner', emailAddress: newOwner },
    }), this.as(subject));
  }

  /** Moves a file: adds `addParent`, removes `removeParents`. */
  async move(fileId: string, addParent: string, removeParents: readonly string[], subject: string): Promise<Json> {
    const res = await this.api.request(this.api.drive(`/files/${enc(fileId)}`, {
      method: 'PATCH', body: {},
      query: { addParents: addParent, ...(removeParents.length > 0 ? { removeParents: removeParents.join(',') } : {}), supportsAllDrives: true, fields: FILE_FIELDS },
    }), this.as(subject));
    return res.body;
  }

  /** The id of the subject's own folder of that name, created when there is none. */
  async ensureFolder(name: string, subject: string): Promise<string> {
    const escaped = name.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
    const found = await this.api.all<Json>(this.api.drive('/files', {
      query: { q: `name = '${escaped}' and mimeType = '${FOLDER_MIME_TYPE}' and 'me' in owners and trashed = false`, fields: 'nextPageToken,files(id,name)', pageSize: 10 },
    }), this.as(subject), 'files');
    if (found[0] && typeof found[0].id === 'string') return found[0].id;
    const res = await this.api.request(this.api.drive('/files', { method: 'POST', body: { name, mimeType: FOLDER_MIME_TYPE }, query: { fields: 'id' } }), this.as(subject));
    return String(res.body.id);
  }

  /** Applies a Drive label (files.modifyLabels), with one selection value when `fieldId`/`selectionId` are given. */
  async applyLabel(fileId: string, label: { labelId: string; fieldId?: string; selectionId?: string }, subject: string): Promise<Json> {
    const modification: Json = { kind: 'drive#labelModification', labelId: label.labelId };
    if (label.fieldId && label.selectionId) {
      modification.fieldModifications = [{ kind: 'drive#labelFieldModification', fieldId: label.fieldId, setSelectionValues: [label.selectionId] }];
    }
    const res = await this.api.request(this.api.drive(`/files/${enc(fileId)}/modifyLabels`, {
      method: 'POST', body: { kind: 'drive#modifyLabelsRequest', labelModifications: [modification] },
    }), this.as(subject));
    return res.body;
  }

  /** One small read, to see whether the Drive scope works for the admin. */
  probe(admin: string): Promise<unknown> {
    return this.api.request(this.api.drive('/files', { query: { pageSize: 1, fields: 'files(id)' } }), this.as(admin));
  }
}
