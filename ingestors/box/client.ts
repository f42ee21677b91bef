import { pathSegment } from '../runtime/http-client.js';
import { collect } from '../runtime/paging.js';
import { arr, obj, str, type Json } from '../runtime/json-fields.js';
import type { BoxApi } from './api.js';
import { CLASSIFICATION_TEMPLATE } from './config.js';

export const USER_FIELDS = 'id,type,name,login,status,role,enterprise,created_at,modified_at,space_amount,space_used,is_external_collab_restricted,is_platform_access_only';
export const ITEM_FIELDS = `id,type,name,size,owned_by,shared_link,created_at,modified_at,parent,path_collection,item_status,sha1,metadata.enterprise.${CLASSIFICATION_TEMPLATE}`;

export type ItemType = 'file' | 'folder';
const COLLECTION: Record<ItemType, string> = { file: 'files', folder: 'folders' };

/** The path of a file or folder: `/files/{id}` or `/folders/{id}`. */
export function itemPath(type: ItemType, id: string): string {
  return `/${COLLECTION[type]}/${pathSegment(id)}`;
}

export function itemTypeOf(value: unknown): ItemType | null {
  return value === 'file' || value === 'folder' ? value : null;
}

/** The calls the streams and actions make, on the instance's `BoxApi`. */
export class BoxClient {
  constructor(readonly api: BoxApi, private readonly pageSizes: { users: number; items: number; events: number }) {}

  get eventPageSize(): number {
    return this.pageSizes.events;
  }

  /** Managed users (`user_type=managed`), marker paging. */
  async *users(): AsyncIterable<Json[]> {
    for await (const page of this.api.markerPages('/users', { user_type: 'managed', fields: USER_FIELDS, limit: this.pageSizes.users })) {
      if (page.items.length > 0) yield page.items;
    }
  }

  allUsers(): Promise<Json[]> {
    return collect(this.users());
  }

  user(id: string): Promise<Json | null> {
    return this.api.find(`/users/${pathSegment(id)}`, { fields: USER_FIELDS });
  }

  /** The service account the app's token stands for. */
  me(): Promise<Json> {
    return this.api.get('/users/me', { fields: 'id,name,login,role' });
  }

  groups(): AsyncIterable<Json[]> {
    return this.api.offsetPages('/groups', { limit: 1000, fields: 'id,type,name,group_type,provenance,invitability_level,member_viewability_level,created_at' });
  }

  memberships(groupId: string): AsyncIterable<Json[]> {
    return this.api.offsetPages(`/groups/${pathSegment(groupId)}/memberships`, { limit: 1000 });
  }

  /** The items of a folder as `asUser` sees them, page by page, each with the marker of the page after it. */
  folderItems(folderId: string, asUser: string | undefined, from?: string): AsyncIterable<{ items: Json[]; next: string | null }> {
    return this.api.markerPages(`/folders/${pathSegment(folderId)}/items`, { fields: ITEM_FIELDS, limit: this.pageSizes.items }, asUser, from);
  }

  /** A file or folder as `asUser` sees it (null when they cannot). */
  item(type: ItemType, id: string, asUser?: string): Promise<Json | null> {
    return this.api.find(itemPath(type, id), { fields: ITEM_FIELDS }, asUser);
  }

  async collaborations(type: ItemType, id: string, asUser?: string): Promise<Json[]> {
    const pages = this.api.markerPages(`${itemPath(type, id)}/collaborations`, { limit: 1000, fields: 'id,type,role,status,accessible_by,invite_email,created_by,expires_at' }, asUser);
    const out: Json[] = [];
    for await (const page of pages) out.push(...page.items);
    return out;
  }

  /** The item with its collaborations, as the file events carry it. */
  async withCollaborations(item: Json, asUser?: string): Promise<Json> {
    const type = itemTypeOf(item.type);
    const id = str(item.id);
    if (type === null || id === null) return item;
    return { ...item, collaborations: await this.collaborations(type, id, asUser) };
  }

  updateItem(type: ItemType, id: string, body: Json, asUser?: string): Promise<Json> {
    return this.api.request<Json>({ method: 'PUT', path: itemPath(type, id), query: { fields: ITEM_FIELDS }, body }, asUser).then((r) => r.body);
  }

  /** Deletes a collaboration; false when it was already gone. */
  async deleteCollaboration(id: string, asUser?: string): Promise<boolean> {
    const res = await this.api.request({ method: 'DELETE', path: `/collaborations/${pathSegment(id)}`, acceptStatus: [404] }, asUser);
    return res.status !== 404;
  }

  createCollaboration(item: { type: ItemType; id: string }, accessibleBy: Json, role: string, asUser?: string): Promise<Json> {
    return this.api.request<Json>({ method: 'POST', path: '/collaborations', body: { item, accessible_by: accessibleBy, role } }, asUser).then((r) => r.body);
  }

  /** The first folder of `name` directly under the root of `asUser` (the service account when absent). */
  async folderNamed(name: string, asUser?: string): Promise<Json | null> {
    for await (const page of this.api.markerPages('/folders/0/items', { fields: 'id,type,name', limit: 1000 }, asUser)) {
      const found = page.items.find((i) => i.type === 'folder' && i.name === name);
      if (found) return found;
    }
    return null;
  }

  createFolder(name: string, parentId: string, asUser?: string): Promise<Json> {
    return this.api.request<Json>({ method: 'POST', path: '/folders', body: { name, parent: { id: parentId } } }, asUser).then((r) => r.body);
  }

  /** The classification metadata instance of an item, or null. */
  classification(type: ItemType, id: string, asUser?: string): Promise<Json | null> {
    return this.api.find(`${itemPath(type, id)}/metadata/enterprise/${CLASSIFICATION_TEMPLATE}`, {}, asUser);
  }

  async classify(type: ItemType, id: string, key: string, asUser?: string): Promise<void> {
    const path = `${itemPath(type, id)}/metadata/enterprise/${CLASSIFICATION_TEMPLATE}`;
    const res = await this.api.request({ method: 'POST', path, body: { Box__Security__Classification__Key: key }, acceptStatus: [409] }, asUser);
    // 409 tuple_already_exists: the item is classified already; replace the value.
    if (res.status === 409) {
      await this.api.request({
        method: 'PUT', path, rawBody: JSON.stringify([{ op: 'replace', path: '/Box__Security__Classification__Key', value: key }]),
        headers: { 'content-type': 'application/json-patch+json' },
      }, asUser);
    }
  }

  setUserStatus(id: string, status: 'active' | 'inactive'): Promise<unknown> {
    return this.api.request({ method: 'PUT', path: `/users/${pathSegment(id)}`, query: { fields: USER_FIELDS }, body: { status } });
  }

  terminateSessions(userIds: string[]): Promise<unknown> {
    return this.api.request({ method: 'POST', path: '/users/terminate_sessions', body: { user_ids: userIds } });
  }
}

/** The entries of a collection the API answered inline (`path_collection`), without the root. */
export function pathFolders(item: Json): Json[] {
  return arr(obj(item.path_collection)?.entries).map((e) => obj(e)).filter((e): e is Json => e !== null && str(e.id) !== '0');
}
