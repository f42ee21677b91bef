import { cloneJson, isoString } from '../common/json.js';

/** A Graph identity (`{ id, displayName, email }`). */
export interface Identity {
  id: string;
  displayName: string;
  email?: string;
}

/** A drive as `GET /drives/{id}` returns it. */
export interface Drive {
  id: string;
  name: string;
  driveType: 'personal' | 'business' | 'documentLibrary';
  webUrl: string;
  createdDateTime: string;
  owner: { user?: Identity; group?: Identity };
}

/** A drive item in the simulator's state (rendered to Graph's `driveItem` when served). */
export interface Item {
  id: string;
  name: string;
  /** null for the root folder. */
  parentId: string | null;
  folder: boolean;
  size: number;
  mimeType: string | null;
  createdDateTime: string;
  lastModifiedDateTime: string;
  createdBy: Identity;
  lastModifiedBy: Identity;
  /** Sensitivity label id, or null. */
  labelId: string | null;
  /** The drive's change sequence at the item's last change (drives the delta feed). */
  seq: number;
}

/** A Graph `permission` (sharing link or grant), as served. */
export type Permission = Record<string, unknown> & { id: string; roles: string[] };

/** A drive and its items, permissions and change sequence. Mutations bump the sequence, which the delta feed reads. */
export class DriveState {
  readonly items = new Map<string, Item>();
  readonly permissions = new Map<string, Permission[]>();
  /** Deleted items: id → sequence of the deletion and what delta still tells about them. */
  readonly tombstones = new Map<string, { seq: number; name: string; parentId: string | null }>();
  seq = 0;
  rootId = '';

  constructor(readonly drive: Drive, private readonly now: () => number) {}

  addItem(item: Omit<Item, 'seq'>, permissions: Permission[] = []): Item {
    const stored: Item = { ...item, seq: ++this.seq };
    this.items.set(stored.id, stored);
    this.permissions.set(stored.id, permissions);
    if (stored.parentId === null) this.rootId = stored.id;
    return stored;
  }

  /** Records a change to an item (content, name, place, sharing, label). */
  touch(item: Item, modified = false): void {
    item.seq = ++this.seq;
    if (modified) item.lastModifiedDateTime = isoString(this.now());
  }

  children(parentId: string): Item[] {
    return [...this.items.values()].filter((i) => i.parentId === parentId);
  }

  /** `/Documents/Plans` for an item in that folder; `` for one at the root. */
  folderPath(item: Item): string {
    const parts: string[] = [];
    let parent = item.parentId === null ? undefined : this.items.get(item.parentId);
    // Bounded by the number of items: parent chains have no cycles, but a bug must not hang the simulator.
    for (let guard = 0; parent !== undefined && parent.parentId !== null && guard <= this.items.size; guard++) {
      parts.unshift(parent.name);
      parent = parent.parentId === null ? undefined : this.items.get(parent.parentId);
    }
    return parts.length === 0 ? '' : `/${parts.map(encodeURIComponent).join('/')}`;
  }

  /** The Graph `driveItem` JSON of an item. */
  render(item: Item): Record<string, unknown> {
    const base: Record<string, unknown> = {
      id: item.id,
      name: item.parentId === null ? 'root' : item.name,
      createdDateTime: item.createdDateTime,
      lastModifiedDateTime: item.lastModifiedDateTime,
      eTag: `"{${item.id}},${item.seq}"`,
      cTag: `"c:{${item.id}},${item.seq}"`,
      size: item.size,
      webUrl: item.parentId === null ? this.drive.webUrl : `${this.drive.webUrl}${this.folderPath(item)}/${encodeURIComponent(item.name)}`,
      createdBy: { user: cloneJson(item.createdBy) },
      lastModifiedBy: { user: cloneJson(item.lastModifiedBy) },
      parentReference: item.parentId === null
        ? { driveId: this.drive.id, driveType: this.drive.driveType }
        : { driveId: this.drive.id, driveType: this.drive.driveType, id: item.parentId, path: `/drives/${this.drive.id}/root:${this.folderPath(item)}` },
    };
    if (item.parentId === null) base.root = {};
    if (item.folder) base.folder = { childCount: this.children(item.id).length };
    else base.file = { mimeType: item.mimeType ?? 'application/octet-stream' };
    return base;
  }

  renderTombstone(id: string): Record<string, unknown> {
    const stone = this.tombstones.get(id)!;
    return { id, name: stone.name, deleted: { state: 'deleted' }, parentReference: { driveId: this.drive.id, driveType: this.drive.driveType, id: stone.parentId } };
  }

  /** Changes after sequence `after` up to `upTo`, oldest first: live items and deletions. */
  changesBetween(after: number, upTo: number): Array<{ seq: number; render: () => Record<string, unknown> }> {
    const out: Array<{ seq: number; render: () => Record<string, unknown> }> = [];
    for (const item of this.items.values()) if (item.seq > after && item.seq <= upTo) out.push({ seq: item.seq, render: () => this.render(item) });
    for (const [id, stone] of this.tombstones) if (stone.seq > after && stone.seq <= upTo) out.push({ seq: stone.seq, render: () => this.renderTombstone(id) });
    return out.sort((a, b) => a.seq - b.seq);
  }

  deleteItem(item: Item): void {
    for (const child of this.children(item.id)) this.deleteItem(child);
    this.items.delete(item.id);
    this.permissions.delete(item.id);
    this.tombstones.set(item.id, { seq: ++this.seq, name: item.name, parentId: item.parentId });
  }

  addPermission(item: Item, permission: Permission): void {
    this.permissions.get(item.id)!.push(permission);
    this.touch(item);
  }

  /** Removes a permission; false when the item has none with that id. */
  removePermission(item: Item, permissionId: string): boolean {
    const list = this.permissions.get(item.id) ?? [];
    const index = list.findIndex((p) => p.id === permissionId);
    if (index < 0) return false;
    list.splice(index, 1);
    this.touch(item);
    return true;
  }
}
