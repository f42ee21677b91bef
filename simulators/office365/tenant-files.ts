import { isoString } from '../common/json.js';
import type { Prng } from '../common/prng.js';
import { DriveState, type Identity, type Item, type Permission } from './drives.js';
import { driveId, itemId, permissionId } from './ids.js';
import { EXTERNAL_DOMAINS, FIRST } from './names.js';
import type { GraphUser, SensitivityLabel, Site } from './tenant.js';

const DAY = 86_400_000;
const SITE_NAMES = ['Marketing', 'Finance', 'Engineering', 'HR', 'Sales', 'Legal'];
const FOLDER_NAMES = ['Projects', 'Shared', 'Archive', 'Reports'];
const FILES: Array<[string, string, number]> = [
  ['Q3 Forecast.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 48_211],
  ['Board deck.pptx', 'application/vnd.openxmlformats-officedocument.presentationml.presentation', 2_811_002],
  ['Customer list.csv', 'text/csv', 120_553],
  ['Roadmap.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 88_120],
  ['Contract - Acme.pdf', 'application/pdf', 412_876],
  ['Team photo.jpg', 'image/jpeg', 1_554_201],
  ['Notes.txt', 'text/plain', 2_048],
  ['Salaries 2024.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 61_337],
];

/** The four labels of a typical sensitivity label policy. */
const LABELS = ['Public', 'General', 'Confidential', 'Highly Confidential'];

export interface FilesOptions {
  tenantName: string;
  members: GraphUser[];
  guests: GraphUser[];
  alice: GraphUser;
  itemsPerDrive: number;
  sites: number;
  nowMs: number;
  clock: () => number;
}

export interface TenantFiles {
  labels: SensitivityLabel[];
  drives: Map<string, DriveState>;
  oneDrives: Map<string, string>;
  siteDrives: Map<string, string[]>;
  sites: Site[];
}

/**
 * The tenant's files: a OneDrive per member and a document library per site, each with items, their
 * sharing (owner, links, colleagues, outsiders) and some sensitivity labels.
 */
export function generateFiles(prng: Prng, options: FilesOptions): TenantFiles {
  const { tenantName, members, guests, alice } = options;
  const at = (ms: number) => isoString(ms);
  const labels: SensitivityLabel[] = LABELS.map((name) => ({ id: prng.uuid(), name }));
  const drives = new Map<string, DriveState>();
  const oneDrives = new Map<string, string>();
  const siteDrives = new Map<string, string[]>();
  const identity = (u: GraphUser): Identity => ({ id: u.id, displayName: u.displayName, email: u.mail ?? u.userPrincipalName });
  const sharepointHost = `https://${tenantName}.sharepoint.com`;

  const newDrive = (id: string, name: string, driveType: 'business' | 'documentLibrary', webUrl: string, owner: { user?: Identity; group?: Identity }, createdAt: number): DriveState => {
    const state = new DriveState({ id, name, driveType, webUrl, createdDateTime: at(createdAt), owner }, options.clock);
    const ownerIdentity = owner.user ?? { id: owner.group!.id, displayName: owner.group!.displayName };
    state.addItem({ id: itemId(prng), name: 'root', parentId: null, folder: true, size: 0, mimeType: null, createdDateTime: at(createdAt), lastModifiedDateTime: at(createdAt), createdBy: ownerIdentity, lastModifiedBy: ownerIdentity, labelId: null });
    drives.set(id, state);
    return state;
  };

  const exposures = ['private', 'private', 'private', 'organization', 'anonymous', 'internal', 'external'] as const;
  type Exposure = (typeof exposures)[number];
  const sharing = (kind: Exposure, item: Item, colleague: GraphUser | undefined): Permission[] => {
    const linkUrl = `${sharepointHost}/:${item.folder ? 'f' : 'x'}:/g/${prng.chars(22, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')}`;
    switch (kind) {
      case 'anonymous': return [{ id: permissionId(prng), roles: ['read'], link: { scope: 'anonymous', type: 'view', webUrl: linkUrl, preventsDownload: false }, hasPassword: false, grantedToIdentitiesV2: [] }];
      case 'organization': return [{ id: permissionId(prng), roles: ['write'], link: { scope: 'organization', type: 'edit', webUrl: linkUrl }, hasPassword: false }];
      case 'internal': return colleague === undefined ? [] : [{ id: permissionId(prng), roles: ['write'], grantedToV2: { user: identity(colleague) } }];
      case 'external': {
        const guest = guests.length > 0 && prng.chance(0.5) ? prng.pick(guests) : undefined;
        const email = guest?.mail ?? `${prng.pick(FIRST).toLowerCase()}@${prng.pick(EXTERNAL_DOMAINS)}`;
        return [{
          id: permissionId(prng), roles: ['read'],
          grantedToV2: { user: { id: guest?.id ?? prng.uuid(), displayName: guest?.displayName ?? email, email } },
          invitation: { email, signInRequired: true },
        }];
      }
      default: return [];
    }
  };

  const fill = (state: DriveState, owner: Identity, colleagues: GraphUser[], fixed: readonly Exposure[] | null): void => {
    const created = Date.parse(state.drive.createdDateTime);
    const folders: Item[] = [];
    const ownerPermission = (): Permission => ({ id: permissionId(prng), roles: ['owner'], grantedToV2: { user: { ...owner } } });
    for (let i = 0; i < options.itemsPerDrive; i++) {
      const isFolder = i === 1 || (i > 4 && prng.chance(0.15));
      const parent = !isFolder && folders.length > 0 && i > 2 && prng.chance(0.4) ? prng.pick(folders) : undefined;
      const createdAt = created + prng.int(DAY, 200 * DAY);
      const modifiedAt = Math.min(options.nowMs - 60_000, createdAt + prng.int(0, 60 * DAY));
      const [fileName, mimeType, size] = FILES[(i + prng.int(0, FILES.length)) % FILES.length]!;
      const name = isFolder ? FOLDER_NAMES[folders.length % FOLDER_NAMES.length]! : fileName;
      const siblings = state.children(parent?.id ?? state.rootId).map((c) => c.name);
      const unique = siblings.includes(name) ? name.replace(/(\.[^.]+)?$/, ` (${i})$1`) : name;
      const item = state.addItem({
        id: itemId(prng), name: unique, parentId: parent?.id ?? state.rootId, folder: isFolder, size: isFolder ? 0 : size,
        mimeType: isFolder ? null : mimeType, createdDateTime: at(createdAt), lastModifiedDateTime: at(modifiedAt),
        createdBy: owner, lastModifiedBy: owner, labelId: !isFolder && prng.chance(0.3) ? prng.pick(labels).id : null,
      });
      if (isFolder) folders.push(item);
      const exposure: Exposure = fixed?.[i] ?? (isFolder ? 'private' : prng.pick(exposures));
      const colleague = colleagues.length > 0 ? prng.pick(colleagues) : undefined;
      state.permissions.set(item.id, [ownerPermission(), ...sharing(exposure, item, colleague)]);
    }
  };

  for (const [index, user] of members.entries()) {
    const personal = user.userPrincipalName.replace(/[@.]/g, '_');
    const state = newDrive(driveId(prng), 'OneDrive', 'business', `https://${tenantName}-my.sharepoint.com/personal/${personal}/Documents`, { user: identity(user) }, Date.parse(user.createdDateTime));
    oneDrives.set(user.id, state.drive.id);
    // Alice's files: one of each exposure, in a known order (tests rely on it).
    fill(state, identity(user), members.filter((m) => m !== user), index === 0 ? ['anonymous', 'private', 'external', 'organization', 'internal', 'private'] : null);
  }
  const sites: Site[] = [];
  for (let i = 0; i < options.sites; i++) {
    const displayName = SITE_NAMES[i % SITE_NAMES.length]!;
    const name = i < SITE_NAMES.length ? displayName : `${displayName}${i}`;
    const siteGuid = prng.uuid();
    const site: Site = {
      id: `${tenantName}.sharepoint.com,${siteGuid},${prng.uuid()}`, name, displayName,
      webUrl: `${sharepointHost}/sites/${name}`, createdDateTime: at(options.nowMs - prng.int(200 * DAY, 900 * DAY)),
    };
    sites.push(site);
    const ownersGroup = { id: prng.uuid(), displayName: `${displayName} Owners` };
    const state = newDrive(driveId(prng), 'Documents', 'documentLibrary', `${site.webUrl}/Shared%20Documents`, { group: ownersGroup }, Date.parse(site.createdDateTime));
    siteDrives.set(site.id, [state.drive.id]);
    fill(state, identity(alice), members, null);
  }

  return { labels, drives, oneDrives, siteDrives, sites };
}
