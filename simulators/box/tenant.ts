import type { Prng } from '../common/prng.js';

export type ItemType = 'file' | 'folder';

export interface SimUser {
  id: string;
  name: string;
  login: string;
  status: 'active' | 'inactive';
  role: 'admin' | 'coadmin' | 'user';
  createdAt: string;
  modifiedAt: string;
  /** Times an admin asked Box to end this user's sessions. */
  sessionsTerminated: number;
}

export interface SimExternal {
  id: string;
  name: string;
  login: string;
}

export interface SimGroup {
  id: string;
  name: string;
  createdAt: string;
}

export interface SimMembership {
  id: string;
  userId: string;
  groupId: string;
  role: 'member' | 'admin';
  createdAt: string;
}

export interface SimLink {
  access: 'open' | 'company' | 'collaborators';
  isPasswordEnabled: boolean;
  unsharedAt: string | null;
  canDownload: boolean;
}

export interface SimItem {
  type: ItemType;
  id: string;
  name: string;
  owner: string;
  parent: string;
  size: number;
  createdAt: string;
  modifiedAt: string;
  sha1: string;
  sharedLink: SimLink | null;
  classification: string | null;
}

export interface SimCollaboration {
  id: string;
  itemType: ItemType;
  itemId: string;
  /** A managed or external user's id, or a group's. */
  accessibleBy: { type: 'user' | 'group'; id: string };
  role: string;
  status: 'accepted' | 'pending';
  createdBy: string;
  createdAt: string;
}

export const ROOT = '0';
const FIRST = ['Andrea', 'Bilal', 'Chen', 'Dana', 'Emeka', 'Fatima', 'Gustavo', 'Hana', 'Ivan', 'Jade', 'Kofi', 'Lena', 'Mateo', 'Nora', 'Omar', 'Priya'];
const LAST = ['Zhou', 'Haddad', 'Okafor', 'Silva', 'Kowalski', 'Tanaka', 'Moreau', 'Lindqvist', 'Reyes', 'Novak', 'Mensah', 'Iyer'];
const FOLDERS = ['Finance', 'Contracts', 'Roadmap', 'Board', 'Marketing', 'Payroll', 'Design', 'Legal'];
const FILES = ['budget.xlsx', 'offer.pdf', 'plan.docx', 'notes.boxnote', 'deck.pptx', 'export.csv', 'spec.md', 'photo.png'];
export const CLASSIFICATIONS = ['Public', 'Internal', 'Confidential', 'Restricted'];

/** Box times: seconds, with the enterprise's offset (the samples' -08:00). */
export function boxTime(ms: number): string {
  return `${new Date(ms - 8 * 3_600_000).toISOString().slice(0, 19)}-08:00`;
}

/** The enterprise's data: managed users, external collaborators, groups, the content tree and how it is shared. */
export class Tenant {
  readonly users: SimUser[] = [];
  readonly externals: SimExternal[] = [];
  readonly groups: SimGroup[] = [];
  readonly memberships: SimMembership[] = [];
  readonly items = new Map<string, SimItem>();
  readonly collaborations = new Map<string, SimCollaboration>();
  readonly serviceAccount: SimUser;
  #nextId: number;

  constructor(prng: Prng, readonly domain: string, readonly enterpriseId: string, sizes: { users: number; groups: number; foldersPerUser: number; filesPerFolder: number; nowMs: number }) {
    this.#nextId = prng.int(10_000_000_000, 20_000_000_000);
    const day = 86_400_000;
    const at = () => boxTime(sizes.nowMs - prng.int(30, 900) * day);
    this.serviceAccount = {
      id: this.newId(), name: 'Appwarden', login: `AutomationUser_${prng.int(1_000_000, 9_999_999)}_${prng.chars(10, 'abcdefghijklmnopqrstuvwxyz0123456789')}@boxdevedition.com`,
      status: 'active', role: 'coadmin', createdAt: at(), modifiedAt: at(), sessionsTerminated: 0,
    };
    for (let i = 0; i < sizes.users; i++) {
      const first = FIRST[i % FIRST.length]!;
      const last = LAST[Math.floor(i / FIRST.length + i) % LAST.length]!;
      const suffix = i < FIRST.length ? '' : String(Math.floor(i / FIRST.length));
      const created = at();
      this.users.push({
        id: this.newId(), name: `${first} ${last}`, login: `${first.toLowerCase()}.${last.toLowerCase()}${suffix}@${domain}`,
        status: i > 2 && prng.chance(0.1) ? 'inactive' : 'active', role: i === 0 ? 'admin' : i === 1 ? 'coadmin' : 'user',
        createdAt: created, modifiedAt: created, sessionsTerminated: 0,
      });
    }
    for (let i = 0; i < Math.max(2, Math.ceil(sizes.users / 5)); i++) {
      this.externals.push({ id: this.newId(), name: `Partner ${FIRST[(i + 5) % FIRST.length]}`, login: `${FIRST[(i + 5) % FIRST.length]!.toLowerCase()}@partner${i % 2}.example.net` });
    }
    for (let g = 0; g < sizes.groups; g++) {
      const group = { id: this.newId(), name: `${FOLDERS[g % FOLDERS.length]} team`, createdAt: at() };
      this.groups.push(group);
      for (const user of this.users) {
        if (prng.chance(0.4)) this.memberships.push({ id: this.newId(), userId: user.id, groupId: group.id, role: prng.chance(0.15) ? 'admin' : 'member', createdAt: at() });
      }
    }
    for (const user of this.users) this.#seedTree(prng, user, sizes, at);
  }

  newId(): string {
    return String(this.#nextId++ * 7 + 3);
  }

  #seedTree(prng: Prng, user: SimUser, sizes: { foldersPerUser: number; filesPerFolder: number }, at: () => string): void {
    for (let f = 0; f < sizes.foldersPerUser; f++) {
      const folder = this.addItem({ type: 'folder', name: `${prng.pick(FOLDERS)} ${f + 1}`, owner: user.id, parent: ROOT, createdAt: at() });
      const sub = this.addItem({ type: 'folder', name: 'Archive', owner: user.id, parent: folder.id, createdAt: at() });
      for (const parent of [folder, sub]) {
        for (let i = 0; i < sizes.filesPerFolder; i++) {
          const file = this.addItem({ type: 'file', name: prng.pick(FILES), owner: user.id, parent: parent.id, createdAt: at(), size: prng.int(100, 5_000_000), sha1: prng.hex(40) });
          this.#seedSharing(prng, file, user);
        }
      }
      this.#seedSharing(prng, folder, user);
    }
  }

  #seedSharing(prng: Prng, item: SimItem, owner: SimUser): void {
    const roll = prng.next();
    if (roll < 0.25) item.sharedLink = { access: 'open', isPasswordEnabled: prng.chance(0.3), unsharedAt: prng.chance(0.3) ? boxTime(Date.parse(item.createdAt) + 400 * 86_400_000) : null, canDownload: true };
    else if (roll < 0.45) item.sharedLink = { access: 'company', isPasswordEnabled: false, unsharedAt: null, canDownload: true };
    if (prng.chance(0.35)) {
      const other = prng.pick(this.users);
      if (other.id !== owner.id) this.addCollaboration(item, { type: 'user', id: other.id }, prng.pick(['editor', 'viewer', 'previewer']), owner.id, item.createdAt);
    }
    if (prng.chance(0.25)) this.addCollaboration(item, { type: 'user', id: prng.pick(this.externals).id }, prng.pick(['viewer', 'editor']), owner.id, item.createdAt, prng.chance(0.2) ? 'pending' : 'accepted');
    if (this.groups.length > 0 && prng.chance(0.15)) this.addCollaboration(item, { type: 'group', id: prng.pick(this.groups).id }, 'viewer', owner.id, item.createdAt);
    if (prng.chance(0.3)) item.classification = prng.pick(CLASSIFICATIONS);
  }

  addItem(init: Pick<SimItem, 'type' | 'name' | 'owner' | 'parent' | 'createdAt'> & Partial<SimItem>): SimItem {
    const item: SimItem = { id: this.newId(), size: 0, modifiedAt: init.createdAt, sha1: '', sharedLink: null, classification: null, ...init };
    this.items.set(`${item.type}:${item.id}`, item);
    return item;
  }

  item(type: ItemType, id: string): SimItem | undefined {
    return this.items.get(`${type}:${id}`);
  }

  addCollaboration(item: SimItem, accessibleBy: SimCollaboration['accessibleBy'], role: string, createdBy: string, createdAt: string, status: SimCollaboration['status'] = 'accepted'): SimCollaboration {
    const c: SimCollaboration = { id: this.newId(), itemType: item.type, itemId: item.id, accessibleBy, role, status, createdBy, createdAt };
    this.collaborations.set(c.id, c);
    return c;
  }

  user(id: string): SimUser | undefined {
    if (id === this.serviceAccount.id) return this.serviceAccount;
    return this.users.find((u) => u.id === id);
  }

  /** A managed user, the service account, or an external collaborator. */
  anyUser(id: string): SimUser | SimExternal | undefined {
    return this.user(id) ?? this.externals.find((e) => e.id === id);
  }

  collaborationsOf(item: SimItem): SimCollaboration[] {
    return [...this.collaborations.values()].filter((c) => c.itemType === item.type && c.itemId === item.id);
  }

  /** The folders above an item, root first (the root itself excluded). */
  ancestors(item: SimItem): SimItem[] {
    const out: SimItem[] = [];
    for (let parent = item.parent; parent !== ROOT;) {
      const folder = this.item('folder', parent);
      if (!folder) break;
      out.unshift(folder);
      parent = folder.parent;
    }
    return out;
  }

  #collaborates(userId: string, item: SimItem): boolean {
    const groups = new Set(this.memberships.filter((m) => m.userId === userId).map((m) => m.groupId));
    return this.collaborationsOf(item).some((c) => c.status === 'accepted' && (c.accessibleBy.type === 'user' ? c.accessibleBy.id === userId : groups.has(c.accessibleBy.id)));
  }

  /** Box shows an item to its owner and to the collaborators of it or of a folder above it. */
  canSee(userId: string, item: SimItem): boolean {
    if (item.owner === userId) return true;
    return [item, ...this.ancestors(item)].some((i) => this.#collaborates(userId, i));
  }

  /** The root listing of a user: what they own at the root, and what is shared with them directly. */
  rootItems(userId: string): SimItem[] {
    return [...this.items.values()].filter((i) => (i.owner === userId && i.parent === ROOT) || (i.owner !== userId && this.#collaborates(userId, i)));
  }

  children(folderId: string): SimItem[] {
    return [...this.items.values()].filter((i) => i.parent === folderId);
  }

  /** Moves an item under another folder; in Box it then belongs to that folder's owner, with what it holds. */
  move(item: SimItem, folder: SimItem | null, asUser: string): void {
    item.parent = folder?.id ?? ROOT;
    const owner = folder?.owner ?? asUser;
    const give = (i: SimItem) => {
      i.owner = owner;
      if (i.type === 'folder') for (const child of this.children(i.id)) give(child);
    };
    give(item);
  }
}
