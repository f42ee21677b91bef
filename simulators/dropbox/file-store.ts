import type { Clock } from '../common/clock.js';
import { createPrng } from '../common/prng.js';
import { dropboxErrors } from './errors.js';
import type { Call, Json } from './rpc.js';
import { ids, iso, sharedFolderOf, type LinkVisibility, type SimEntry, type SimFolderUser, type SimLink, type TeamState } from './state.js';

const nameOf = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** The files of the team: listings by space, metadata as Dropbox writes it, moves, links and the change log. */
export class FileStore {
  private readonly prng = createPrng('dropbox:runtime-files');
  /** External accounts seen in shared folders, so a member removed and added again comes back as the same account. */
  private readonly accounts = new Map<string, Omit<SimFolderUser, 'access'>>();

  constructor(private readonly state: TeamState, private readonly clock: Clock) {
    for (const folder of state.sharedFolders.values()) for (const u of folder.users) if (!u.same_team) this.accounts.set(u.email.toLowerCase(), { ...u });
  }

  accountByEmail(email: string): Omit<SimFolderUser, 'access'> | undefined {
    const found = this.accounts.get(email.toLowerCase());
    return found ? { account_id: found.account_id, email: found.email, display_name: found.display_name, same_team: found.same_team } : undefined;
  }

  private own(call: Call): string {
    return (call.member ?? call.admin)!.team_member_id;
  }

  /** A member reaches their own Dropbox and the team folders; so does an admin. */
  checkAccess(call: Call, space: string): void {
    if (space !== this.own(call) && !space.startsWith('ns:')) throw dropboxErrors.notFound();
  }

  /** Splits `ns:<id>/rest` or `/rest` into the space and the path within it. */
  private locate(call: Call, path: string): { space: string; path: string } {
    const ns = /^(ns:\d+)(\/.*)?$/.exec(path);
    if (ns) {
      if (!this.state.teamFolders.some((f) => `ns:${f.team_folder_id}` === ns[1])) throw dropboxErrors.notFound();
      return { space: ns[1]!, path: ns[2] ?? '' };
    }
    return { space: this.own(call), path };
  }

  resolveRoot(route: string, call: Call, path: unknown): { space: string; root: string } {
    if (typeof path !== 'string') throw dropboxErrors.badInput(route, 'request body: path: missing');
    if (path === '') return { space: this.own(call), root: '' };
    if (path.startsWith('id:')) {
      const e = this.lookup(call, path, 'path');
      if (e.tag !== 'folder') throw dropboxErrors.endpoint({ '.tag': 'path', path: { '.tag': 'not_folder' } });
      return { space: e.space, root: e.path.toLowerCase() };
    }
    if (!path.startsWith('/') && !path.startsWith('ns:')) throw dropboxErrors.badInput(route, `request body: path: '${path}' did not match pattern '(/(.|[\\r\\n])*)?|id:.*|(ns:[0-9]+(/.*)?)'`);
    const { space, path: rest } = this.locate(call, path);
    if (rest !== '' && ![...this.state.entries.values()].some((e) => e.space === space && e.tag === 'folder' && e.path.toLowerCase() === rest.toLowerCase())) throw dropboxErrors.notFound();
    return { space, root: rest.toLowerCase() };
  }

  /** The entries of a space under `root` (all of them, or only its children), sorted by path. */
  list(space: string, root: string, recursive: boolean): SimEntry[] {
    return [...this.state.entries.values()].filter((e) => {
      if (e.space !== space) return false;
      const lower = e.path.toLowerCase();
      if (!lower.startsWith(`${root}/`)) return false;
      return recursive || !lower.slice(root.length + 1).includes('/');
    }).sort((a, b) => (a.path.toLowerCase() < b.path.toLowerCase() ? -1 : 1));
  }

  lookup(call: Call, path: unknown, key: string): SimEntry {
    if (typeof path !== 'string' || path === '') throw dropboxErrors.notFound(key);
    if (path.startsWith('id:')) {
      const e = this.state.entries.get(path);
      if (!e || (e.space !== this.own(call) && !e.space.startsWith('ns:'))) throw dropboxErrors.notFound(key);
      return e;
    }
    const { space, path: rest } = this.locate(call, path);
    const found = [...this.state.entries.values()].find((e) => e.space === space && e.path.toLowerCase() === rest.toLowerCase());
    if (!found) throw dropboxErrors.notFound(key);
    return found;
  }

  metadata(e: SimEntry): Json {
    const folder = sharedFolderOf(this.state, e);
    const base: Json = { '.tag': e.tag, name: nameOf(e.path), id: e.id, path_lower: e.path.toLowerCase(), path_display: e.path };
    if (e.tag === 'folder') {
      if (e.shared_folder_id) return { ...base, shared_folder_id: e.shared_folder_id, sharing_info: { read_only: false, shared_folder_id: e.shared_folder_id, traverse_only: false, no_access: false } };
      return folder ? { ...base, sharing_info: { read_only: false, parent_shared_folder_id: folder.shared_folder_id, traverse_only: false, no_access: false } } : base;
    }
    const owner = this.state.members.find((m) => m.team_member_id === e.space);
    return {
      ...base, client_modified: e.client_modified, server_modified: e.server_modified, rev: e.rev, size: e.size, is_downloadable: true,
      content_hash: `${e.rev}${e.rev}${e.rev}`.slice(0, 64),
      ...(folder ? { sharing_info: { read_only: false, parent_shared_folder_id: folder.shared_folder_id, modified_by: owner?.account_id ?? null } } : {}),
    };
  }

  asset(e: SimEntry): Json {
    return { '.tag': e.tag, display_name: nameOf(e.path), ...(e.tag === 'file' ? { file_id: e.id } : {}), path: { contextual: e.path, namespace_relative: { ns_id: '1', relative_path: e.path, is_shared_namespace: false } } };
  }

  linkMetadata(l: SimLink): Json {
    const e = this.state.entries.get(l.entryId);
    const creator = this.state.members.find((m) => m.team_member_id === l.createdBy);
    const visibility = { '.tag': l.visibility };
    return {
      '.tag': e?.tag ?? 'file', url: l.url, id: l.entryId, name: e ? nameOf(e.path) : '', path_lower: e?.path.toLowerCase(),
      link_permissions: {
        resolved_visibility: visibility, requested_visibility: visibility, can_revoke: true, allow_download: true, can_set_expiry: true, can_remove_expiry: true,
        effective_audience: { '.tag': l.visibility === 'team_only' ? 'team' : l.visibility === 'password' ? 'password' : 'public' }, link_access_level: { '.tag': 'viewer' },
      },
      team_member_info: { team_info: { id: 'dbtid:AAExampleTeam', name: this.state.teamName }, display_name: creator ? `${creator.given_name} ${creator.surname}` : '', member_id: l.createdBy },
      ...(e?.tag === 'file' ? { client_modified: e.client_modified, server_modified: e.server_modified, rev: e.rev, size: e.size } : {}),
    };
  }

  addLink(e: SimEntry, visibility: LinkVisibility, createdBy: string): SimLink {
    const link: SimLink = { url: `https://www.dropbox.com/scl/fi/${ids.link(this.prng)}/${encodeURIComponent(nameOf(e.path))}?rlkey=${ids.link(this.prng)}&dl=0`, entryId: e.id, space: e.space, visibility, createdBy };
    this.state.links.push(link);
    return link;
  }

  private changed(space: string, change: { entryId?: string; deletedPath?: string }): void {
    this.state.changes.push({ seq: ++this.state.seq, space, ...change });
  }

  /** Adds a file as its member uploads it: the change feed shows it. */
  addFile(space: string, path: string, size = 1234): SimEntry {
    const now = iso(this.clock.now());
    const e: SimEntry = { tag: 'file', id: ids.entry(this.prng), space, path, size, client_modified: now, server_modified: now, rev: ids.rev(this.prng) };
    this.state.entries.set(e.id, e);
    this.changed(space, { entryId: e.id });
    return e;
  }

  createFolder(call: Call, path: unknown): SimEntry {
    if (typeof path !== 'string' || path === '') throw dropboxErrors.endpoint({ '.tag': 'path', path: { '.tag': 'malformed_path' } });
    const { space, path: rest } = this.locate(call, path);
    if ([...this.state.entries.values()].some((e) => e.space === space && e.path.toLowerCase() === rest.toLowerCase())) {
      throw dropboxErrors.endpoint({ '.tag': 'path', path: { '.tag': 'conflict', conflict: { '.tag': 'folder' } } });
    }
    const e: SimEntry = { tag: 'folder', id: ids.entry(this.prng), space, path: rest, size: 0, client_modified: '', server_modified: '', rev: '' };
    this.state.entries.set(e.id, e);
    this.changed(space, { entryId: e.id });
    return e;
  }

  /** Moves an entry (and what a folder holds) within its space; the change feed shows the old path deleted and the new one. */
  move(call: Call, entry: SimEntry, toPath: unknown, autorename: boolean): SimEntry {
    if (typeof toPath !== 'string' || toPath === '') throw dropboxErrors.endpoint({ '.tag': 'to', to: { '.tag': 'malformed_path' } });
    const { space, path } = this.locate(call, toPath);
    if (space !== entry.space) throw dropboxErrors.tag('cant_move_into_vault');
    let target = path;
    const taken = (p: string) => [...this.state.entries.values()].some((e) => e.space === space && e.path.toLowerCase() === p.toLowerCase());
    for (let n = 1; taken(target); n++) {
      if (!autorename) throw dropboxErrors.endpoint({ '.tag': 'to', to: { '.tag': 'conflict', conflict: { '.tag': 'file' } } });
      const dot = path.lastIndexOf('.');
      target = dot > path.lastIndexOf('/') ? `${path.slice(0, dot)} (${n})${path.slice(dot)}` : `${path} (${n})`;
    }
    const from = entry.path;
    const moving = [...this.state.entries.values()].filter((e) => e.space === space && (e === entry || e.path.toLowerCase().startsWith(`${from.toLowerCase()}/`)));
    for (const e of moving) {
      this.changed(space, { deletedPath: e.path });
      e.path = target + e.path.slice(from.length);
      e.server_modified = iso(this.clock.now());
      this.changed(space, { entryId: e.id });
    }
    for (const folder of this.state.sharedFolders.values()) if (folder.space === space && folder.path === from) folder.path = target;
    return entry;
  }

  /** What changed in a space since `seq` under `root`: entries as they are now, and `deleted` entries for paths left. */
  changesSince(space: string, root: string, recursive: boolean, seq: number, _includeDeleted: boolean): Json[] {
    const out: Json[] = [];
    const under = (p: string) => p.toLowerCase().startsWith(`${root}/`) && (recursive || !p.toLowerCase().slice(root.length + 1).includes('/'));
    const seen = new Set<string>();
    for (const c of this.state.changes.filter((x) => x.space === space && x.seq > seq)) {
      if (c.deletedPath !== undefined) {
        if (under(c.deletedPath)) out.push({ '.tag': 'deleted', name: nameOf(c.deletedPath), path_lower: c.deletedPath.toLowerCase(), path_display: c.deletedPath });
        continue;
      }
      const e = this.state.entries.get(c.entryId!);
      if (!e || seen.has(e.id) || !under(e.path)) continue;
      seen.add(e.id);
      out.push(this.metadata(e));
    }
    return out;
  }
}
