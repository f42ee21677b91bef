import { isoString } from '../common/json.js';
import type { Prng } from '../common/prng.js';
import type { Directory, SimUser } from './directory.js';
import { googleIds } from './ids.js';

export const FOLDER_MIME = 'application/vnd.google-apps.folder';
export type PermissionRole = 'owner' | 'organizer' | 'fileOrganizer' | 'writer' | 'commenter' | 'reader';

/** A Drive permission as the simulator keeps it (file-level; shared-drive membership is kept on the drive). */
export interface SimPermission {
  id: string;
  type: 'user' | 'group' | 'domain' | 'anyone';
  role: PermissionRole;
  emailAddress?: string;
  domain?: string;
  displayName?: string;
  allowFileDiscovery?: boolean;
}

export interface SimFile {
  id: string;
  name: string;
  mimeType: string;
  size?: number;
  createdTime: number;
  modifiedTime: number;
  parents: string[];
  /** Set for shared-drive items (which have no owner). */
  driveId?: string;
  /** The owner's email, for My Drive items. */
  owner?: string;
  trashed: boolean;
  permissions: SimPermission[];
  /** Applied Drive labels: label id → its field values. */
  labels: Map<string, Record<string, unknown>>;
}

export interface SimSharedDrive {
  id: string;
  name: string;
  createdTime: number;
  members: Array<{ email: string; role: PermissionRole }>;
}

export interface SimLabel {
  id: string;
  name: string;
}

/** One entry of the change log behind `changes.list`: which file changed, and who could see it then. */
export interface DriveChange {
  seq: number;
  fileId: string;
  time: number;
  viewers: Set<string>;
}

const NAMES = ['Q3 plan', 'Budget 2025', 'Customer list', 'Roadmap', 'Board deck', 'Salaries', 'Design doc', 'Meeting notes', 'Contract draft', 'Pricing'];
const TYPES: Array<[string, string]> = [
  ['application/vnd.google-apps.document', ''], ['application/vnd.google-apps.spreadsheet', ''], ['application/vnd.google-apps.presentation', ''],
  ['application/pdf', '.pdf'], ['image/png', '.png'],
];
const PARTNER_DOMAIN = 'partner.example.org';
const GOOGLE_NATIVE = 'application/vnd.google-apps.';

/** What kind of sharing a generated file gets. */
type Sharing = 'public' | 'external' | 'domain' | 'internal' | 'private';

/** The tenant's Drive: My Drive files, shared drives, labels, and the change log. Tests may read it. */
export class DriveState {
  readonly files = new Map<string, SimFile>();
  readonly drives: SimSharedDrive[] = [];
  readonly labels: SimLabel[] = [];
  readonly changes: DriveChange[] = [];
  /** User email → the id of their My Drive root folder. */
  readonly roots = new Map<string, string>();
  #nextSeq = 1;

  constructor(private readonly directory: Directory, private readonly prng: Prng) {}

  /** Generates files for every user, shared drives with items, and two labels. */
  generate(settings: { filesPerUser: number; sharedDrives: number; adminEmail: string; nowMs: number }): void {
    this.labels.push({ id: googleIds.label(this.prng), name: 'Confidential' }, { id: googleIds.label(this.prng), name: 'Internal only' });
    const active = this.directory.users.filter((u) => !u.archived);
    // The first active user after the admin gets one file of each exposure, so every case exists.
    const showcase: Sharing[] = ['public', 'external', 'domain', 'internal'];
    active.forEach((user, i) => {
      for (let f = 0; f < settings.filesPerUser; f++) {
        const sharing = i === 1 && f < showcase.length ? showcase[f]! : this.prng.weighted([['public', 15], ['external', 15], ['domain', 15], ['internal', 25], ['private', 30]] as const);
        this.createGenerated(user, sharing, settings.nowMs);
      }
    });
    for (let d = 0; d < settings.sharedDrives; d++) {
      const members = [{ email: settings.adminEmail, role: 'organizer' as PermissionRole }];
      for (const user of active.slice(1)) if (this.prng.chance(0.3)) members.push({ email: user.primaryEmail, role: 'writer' });
      const drive: SimSharedDrive = { id: googleIds.sharedDrive(this.prng), name: `Team drive ${d + 1}`, createdTime: settings.nowMs - this.prng.int(10, 400) * 86_400_000, members };
      this.drives.push(drive);
      for (let f = 0; f < 3; f++) {
        const [mimeType, ext] = this.prng.pick(TYPES);
        const file = this.baseFile(`${this.prng.pick(NAMES)} ${d + 1}.${f + 1}${ext}`, mimeType, [drive.id], settings.nowMs);
        file.driveId = drive.id;
        if (f === 0) file.permissions.push(this.externalPermission('reader'));
        this.files.set(file.id, file);
      }
    }
  }

  private createGenerated(user: SimUser, sharing: Sharing, nowMs: number): void {
    const [mimeType, ext] = this.prng.pick(TYPES);
    const file = this.baseFile(`${this.prng.pick(NAMES)}${ext}`, mimeType, [this.rootOf(user.primaryEmail)], nowMs);
    file.owner = user.primaryEmail;
    file.permissions.push(this.userPermission(user, 'owner'));
    if (sharing === 'public') file.permissions.push({ id: 'anyoneWithLink', type: 'anyone', role: 'reader', allowFileDiscovery: false });
    if (sharing === 'external') file.permissions.push(this.externalPermission('writer'));
    if (sharing === 'domain') file.permissions.push({ id: googleIds.domainPermission(this.prng), type: 'domain', role: 'reader', domain: this.directory.domain, displayName: this.directory.domain, allowFileDiscovery: false });
    if (sharing === 'internal') {
      const other = this.prng.pick(this.directory.users.filter((u) => u !== user && !u.archived));
      if (other) file.permissions.push(this.userPermission(other, 'reader'));
    }
    this.files.set(file.id, file);
  }

  private baseFile(name: string, mimeType: string, parents: string[], nowMs: number): SimFile {
    const createdTime = nowMs - this.prng.int(1, 300) * 86_400_000;
    return {
      id: googleIds.file(this.prng), name, mimeType, createdTime, modifiedTime: createdTime + this.prng.int(0, 86_400) * 1000, parents, trashed: false,
      permissions: [], labels: new Map(), ...(mimeType.startsWith(GOOGLE_NATIVE) ? {} : { size: this.prng.int(1000, 5_000_000) }),
    };
  }

  userPermission(user: SimUser, role: PermissionRole): SimPermission {
    // Drive's permission id for a user is the user's own id.
    return { id: user.id, type: 'user', role, emailAddress: user.primaryEmail, displayName: user.name.fullName };
  }

  externalPermission(role: PermissionRole): SimPermission {
    const who = this.prng.pick(['dana', 'li', 'sam', 'kim']);
    return { id: googleIds.externalPermission(this.prng), type: 'user', role, emailAddress: `${who}@${PARTNER_DOMAIN}`, displayName: who };
  }

  /** The id of a user's My Drive root folder. */
  rootOf(email: string): string {
    let id = this.roots.get(email);
    if (!id) {
      id = googleIds.sharedDrive(this.prng);
      this.roots.set(email, id);
    }
    return id;
  }

  sharedDrive(id: string): SimSharedDrive | undefined {
    return this.drives.find((d) => d.id === id);
  }

  /** The role a user has on a file: owner, a shared-drive membership, or a direct user permission. */
  roleOf(file: SimFile, email: string): PermissionRole | null {
    const who = email.toLowerCase();
    if (file.driveId) return this.sharedDrive(file.driveId)?.members.find((m) => m.email === who)?.role ?? null;
    if (file.owner === who) return 'owner';
    return file.permissions.find((p) => p.type === 'user' && p.emailAddress?.toLowerCase() === who)?.role ?? null;
  }

  canSee(file: SimFile, email: string): boolean {
    return this.roleOf(file, email) !== null;
  }

  /** Owners, organizers and writers may change sharing (Drive's default for writers). */
  canShare(file: SimFile, email: string): boolean {
    const role = this.roleOf(file, email);
    return role === 'owner' || role === 'organizer' || role === 'fileOrganizer' || role === 'writer';
  }

  /** Everyone who may see the file now. */
  viewers(file: SimFile): Set<string> {
    if (file.driveId) return new Set(this.sharedDrive(file.driveId)?.members.map((m) => m.email) ?? []);
    const set = new Set<string>(file.owner ? [file.owner] : []);
    for (const p of file.permissions) if (p.type === 'user' && p.emailAddress) set.add(p.emailAddress.toLowerCase());
    return set;
  }

  /** The file's permissions as the API lists them: shared-drive members (inherited) first, then its own. */
  permissionsOf(file: SimFile): Array<Record<string, unknown>> {
    const inherited = file.driveId
      ? (this.sharedDrive(file.driveId)?.members ?? []).map((m) => {
        const user = this.directory.users.find((u) => u.primaryEmail === m.email);
        return renderPermission({ id: user?.id ?? m.email, type: 'user', role: m.role, emailAddress: m.email, displayName: user?.name.fullName }, file.driveId);
      })
      : [];
    return [...inherited, ...file.permissions.map((p) => renderPermission(p, file.driveId, false))];
  }

  /** A file as `viewer` sees it through the API. `includeLabels`: the label ids asked for. */
  render(file: SimFile, viewer: string, includeLabels: ReadonlySet<string> | null): Record<string, unknown> {
    const who = viewer.toLowerCase();
    const out: Record<string, unknown> = {
      kind: 'drive#file', id: file.id, name: file.name, mimeType: file.mimeType, parents: [...file.parents],
      createdTime: isoString(file.createdTime), modifiedTime: isoString(file.modifiedTime), trashed: file.trashed,
      shared: file.driveId !== undefined || file.permissions.length > 1,
      webViewLink: file.mimeType === FOLDER_MIME ? `https://drive.google.com/drive/folders/${file.id}` : `https://drive.google.com/file/d/${file.id}/view?usp=drivesdk`,
      permissionIds: this.permissionsOf(file).map((p) => p.id),
    };
    // Drive writes int64 sizes as strings.
    if (file.size !== undefined) out.size = String(file.size);
    if (file.driveId) {
      out.driveId = file.driveId;
      out.teamDriveId = file.driveId;
    } else {
      const owner = this.directory.users.find((u) => u.primaryEmail === file.owner);
      out.owners = [{ kind: 'drive#user', displayName: owner?.name.fullName ?? file.owner, emailAddress: file.owner, permissionId: owner?.id, me: file.owner === who }];
      out.ownedByMe = file.owner === who;
      // files.list fills permissions only for someone who may share, and never for shared-drive items.
      if (this.canShare(file, who)) out.permissions = this.permissionsOf(file);
    }
    if (includeLabels) {
      out.labelInfo = { labels: [...file.labels].filter(([id]) => includeLabels.has(id)).map(([id, fields]) => ({ kind: 'drive#label', id, revisionId: '1', fields })) };
    }
    return out;
  }

  /** Records that a file changed: it shows in the feeds of everyone who could see it before or can now. */
  recordChange(file: SimFile, viewersBefore: ReadonlySet<string>, time: number): void {
    this.changes.push({ seq: this.#nextSeq++, fileId: file.id, time, viewers: new Set([...viewersBefore, ...this.viewers(file)]) });
  }

  /** Deletes a file for good (an emptied trash): it leaves the feeds of everyone who could see it as `removed`. */
  deleteFile(fileId: string, time: number): void {
    const file = this.files.get(fileId);
    if (!file) throw new Error(`no file ${fileId}`);
    const viewers = this.viewers(file);
    this.files.delete(fileId);
    this.changes.push({ seq: this.#nextSeq++, fileId, time, viewers });
  }

  /** The token a feed starting now begins with. */
  startPageToken(): string {
    return String(this.#nextSeq);
  }

  /** Changes from token `from` seen by `user`: at most `pageSize`, the latest per file, and the token that follows. */
  changesFor(user: string, from: number, pageSize: number): { entries: DriveChange[]; next: number; done: boolean } {
    const who = user.toLowerCase();
    const entries: DriveChange[] = [];
    let i = this.changes.findIndex((c) => c.seq >= from);
    if (i < 0) return { entries, next: this.#nextSeq, done: true };
    for (; i < this.changes.length && entries.length < pageSize; i++) {
      const change = this.changes[i]!;
      if (!change.viewers.has(who)) continue;
      const earlier = entries.findIndex((e) => e.fileId === change.fileId);
      if (earlier >= 0) entries.splice(earlier, 1);
      entries.push(change);
    }
    const rest = this.changes.slice(i).some((c) => c.viewers.has(who));
    return rest ? { entries, next: this.changes[i]!.seq, done: false } : { entries, next: this.#nextSeq, done: true };
  }

  /** What the file's sharing looks like in Drive's audit terms (`visibility`). */
  visibility(file: SimFile): string {
    const perms = file.permissions;
    if (perms.some((p) => p.type === 'anyone' && p.allowFileDiscovery)) return 'public_on_the_web';
    if (perms.some((p) => p.type === 'anyone')) return 'people_with_link';
    if (perms.some((p) => p.type === 'domain' && p.domain === this.directory.domain)) return 'people_within_domain_with_link';
    const others = perms.filter((p) => p.role !== 'owner');
    if (others.some((p) => (p.emailAddress ?? p.domain ?? '').split('@').pop() !== this.directory.domain)) return 'shared_externally';
    return others.length > 0 ? 'shared_internally' : 'private';
  }

  newFileId(): string {
    return googleIds.file(this.prng);
  }

  newPermissionId(type: SimPermission['type']): string {
    return type === 'anyone' ? 'anyoneWithLink' : type === 'domain' ? googleIds.domainPermission(this.prng) : googleIds.externalPermission(this.prng);
  }
}

/** A permission as the API answers it; shared-drive items say where a grant comes from. */
function renderPermission(p: SimPermission, driveId: string | undefined, inherited = true): Record<string, unknown> {
  const out: Record<string, unknown> = { kind: 'drive#permission', id: p.id, type: p.type, role: p.role };
  if (p.emailAddress) out.emailAddress = p.emailAddress;
  if (p.domain) out.domain = p.domain;
  if (p.displayName) out.displayName = p.displayName;
  if (p.type === 'anyone' || p.type === 'domain') out.allowFileDiscovery = p.allowFileDiscovery === true;
  out.deleted = false;
  if (driveId) out.permissionDetails = [{ permissionType: 'file', role: p.role, inherited, ...(inherited ? { inheritedFrom: driveId } : {}) }];
  return out;
}
