import type { FileOwner } from '../../schemas/types.js';
import type { FileChange } from '../../schemas/vocabulary.js';
import { arr, obj, str, type Json } from '../runtime/json-fields.js';
import type { DropboxClient, DropboxCredential } from './client.js';
import type { DropboxFileRecord } from './normalize-files.js';
import { ROUTES, type TeamDirectory } from './team.js';

/** One place files are listed from: a member's Dropbox (as the member) or a team folder (as the admin). */
export interface FileSpace {
  space: string;
  credential: DropboxCredential;
  /** The `path` of `files/list_folder`: the member's root (`""`), or `ns:<team_folder_id>`. */
  root: string;
  owner: FileOwner | null;
}

type SharedFolder = NonNullable<DropboxFileRecord['sharedFolder']>;

/**
 * What completes a listed entry into a file record: the spaces to list, the shared links of the team
 * (each member's `sharing/list_shared_links`, by file id), and the members of each shared folder
 * (`sharing/list_folder_members`, once per folder). One catalog serves one scan or one change read.
 */
export class FileCatalog {
  readonly #links = new Map<string, Json[]>();
  readonly #folders = new Map<string, Promise<SharedFolder>>();
  #domains: string[] = [];
  #memberIds = new Set<string>();

  constructor(private readonly client: DropboxClient, private readonly team: TeamDirectory, private readonly options: { scanTeamFolders: boolean; pageSize: number }) {}

  /** Every space of the team, members first; with `links`, every member's shared links are read first. */
  async spaces(options: { links: boolean }): Promise<FileSpace[]> {
    const profiles = await this.team.filesMembers();
    this.#domains = this.team.domainsOf(profiles);
    this.#memberIds = new Set(profiles.map((p) => String(p.team_member_id)));
    const spaces: FileSpace[] = profiles.map((p) => ({
      space: String(p.team_member_id), credential: { selectUser: String(p.team_member_id) }, root: '',
      owner: { id: String(p.team_member_id), email: str(p.email), name: str(obj(p.name)?.display_name) },
    }));
    if (this.options.scanTeamFolders) {
      const admin = await this.team.adminId();
      const [route, next, key] = ROUTES.teamFolders;
      for (const folder of await this.client.all(route, { limit: this.options.pageSize }, next, key)) {
        const id = str(folder.team_folder_id);
        if (id === null || (obj(folder.status)?.['.tag'] ?? 'active') !== 'active') continue;
        spaces.push({ space: `ns:${id}`, credential: { selectAdmin: admin }, root: `ns:${id}`, owner: { id: null, email: null, name: str(folder.name) } });
      }
    }
    if (options.links) {
      for (const space of spaces) {
        const [route, next, key] = ROUTES.sharedLinks;
        for (const link of await this.client.all(route, {}, next, key, space.credential)) this.#addLink(link);
      }
    }
    return spaces;
  }

  #addLink(link: Json): void {
    const id = str(link.id);
    if (id === null) return;
    const list = this.#links.get(id) ?? [];
    if (!list.some((l) => l.url === link.url)) list.push(link);
    this.#links.set(id, list);
  }

  /** The links of one entry, read for it alone (the change feed, which has no team-wide map). */
  async readLinks(space: FileSpace, entryId: string): Promise<void> {
    this.#links.delete(entryId);
    const [route, next, key] = ROUTES.sharedLinks;
    for (const link of await this.client.all(route, { path: entryId, direct_only: true }, next, key, space.credential)) this.#addLink(link);
  }

  /** The shared folder an entry is, or lies in. */
  sharedFolderIdOf(entry: Json): string | null {
    const sharing = obj(entry.sharing_info);
    return str(sharing?.shared_folder_id) ?? str(sharing?.parent_shared_folder_id);
  }

  sharedFolder(id: string, credential: DropboxCredential): Promise<SharedFolder> {
    let found = this.#folders.get(id);
    if (!found) {
      found = (async () => {
        const [route, next] = ROUTES.folderMembers;
        const folder: SharedFolder = { shared_folder_id: id, users: [], groups: [], invitees: [] };
        // `SharedFolderMembers`: a `cursor` only while more members follow (`list_folder_members/continue`).
        let page = await this.client.rpc<Json>(route, { shared_folder_id: id, limit: 1000 }, credential);
        for (let n = 0; n < 10_000; n++) {
          folder.users.push(...arr(page.users));
          folder.groups.push(...arr(page.groups));
          folder.invitees.push(...arr(page.invitees));
          const cursor = str(page.cursor);
          if (cursor === null) break;
          page = await this.client.rpc<Json>(next, { cursor }, credential);
        }
        return folder;
      })();
      this.#folders.set(id, found);
      found.catch(() => this.#folders.delete(id));
    }
    return found;
  }

  /**
   * The record of an entry listed in `space`, or null when another space reports it: a shared folder
   * owned by another member of the team is reported (once) in its owner's space.
   */
  async record(space: FileSpace, entry: Json, change: FileChange): Promise<DropboxFileRecord | null> {
    const folderId = this.sharedFolderIdOf(entry);
    const sharedFolder = folderId === null ? null : await this.sharedFolder(folderId, space.credential);
    if (sharedFolder !== null && !space.space.startsWith('ns:')) {
      const owner = sharedFolder.users.map(obj).find((u) => obj(u?.access_type)?.['.tag'] === 'owner');
      const ownerId = str(obj(owner?.user)?.team_member_id);
      if (ownerId !== null && ownerId !== space.space && this.#memberIds.has(ownerId)) return null;
    }
    return {
      space: space.space, owner: space.owner, entry, links: this.#links.get(String(entry.id)) ?? [],
      sharedFolder, teamDomains: this.#domains, change,
    };
  }
}
