import type { ActionHandler, ActionResult, ActionTarget, ActionVerb } from '../contract.js';
import { arr, domainOf, obj, str, type Json } from '../runtime/json-fields.js';
import type { DropboxClient, DropboxCredential } from './client.js';
import { tagOf } from './event-types.js';
import { parseFileId } from './normalize-files.js';
import type { TeamDirectory } from './team.js';
import { badRequest } from './user-actions.js';

/** Sharing an action removed, as its undo record keeps it for `restore_sharing`. */
export type RemovedSharing =
  | { link: string }
  | { folder: string; email: string; access: string };

interface FileRef { space: string; id: string; credential: DropboxCredential }

export interface FileActionDeps {
  client: DropboxClient;
  team: TeamDirectory;
  quarantineFolder: string;
}

/** Whom to act as for a file id `<space>/<id>`: its member, or the admin for a team folder. */
async function fileOf(deps: FileActionDeps, target: ActionTarget, verb: ActionVerb): Promise<FileRef> {
  const parsed = target.type === 'file' ? parseFileId(target.id) : null;
  if (parsed === null) throw badRequest(`${verb} applies to a file <space>/<id:...>, as file events carry it`, { target });
  const credential: DropboxCredential = parsed.space.startsWith('ns:') ? { selectAdmin: await deps.team.adminId() } : { selectUser: parsed.space };
  return { ...parsed, credential };
}

const isPublic = (link: Json) => ['public', 'password'].includes(tagOf(obj(link.link_permissions)?.resolved_visibility) ?? '');

/**
 * Sharing control, quarantine and its undo, as the file's member (`Dropbox-API-Select-User`) or, in a
 * team folder, as the admin (`Dropbox-API-Select-Admin`). Each reads the sharing first (applying twice
 * applies once), records what it removed, and `verify` re-reads it.
 */
export function fileActions(deps: FileActionDeps) {
  const { client } = deps;
  const metadata = async (f: FileRef): Promise<Json> => {
    const answer = await client.call<Json>('files/get_metadata', { path: f.id }, f.credential);
    if (!answer.ok) throw badRequest(`no file ${f.space}/${f.id}: ${answer.summary}`, { id: f.id });
    return answer.body;
  };
  const links = (f: FileRef) => client.all('sharing/list_shared_links', { path: f.id, direct_only: true }, 'sharing/list_shared_links', 'links', f.credential);
  const folderOf = (entry: Json) => str(obj(entry.sharing_info)?.shared_folder_id) ?? str(obj(entry.sharing_info)?.parent_shared_folder_id);
  const members = async (f: FileRef, folder: string): Promise<Array<{ email: string; access: string; member: Json; external: boolean }>> => {
    const res = await client.rpc<Json>('sharing/list_folder_members', { shared_folder_id: folder, limit: 1000 }, f.credential);
    const invited = arr(res.invitees);
    const domains = new Set(invited.length === 0 ? [] : deps.team.domainsOf((await deps.team.members()).map((m) => obj(m.profile) ?? {})));
    const users = arr(res.users).map(obj).filter((u) => tagOf(u?.access_type) !== 'owner').map((u) => {
      const user = obj(u!.user) ?? {};
      return { email: str(user.email) ?? '', access: tagOf(u!.access_type) ?? 'viewer', member: { '.tag': 'dropbox_id', dropbox_id: str(user.account_id) }, external: user.same_team === false };
    });
    const invitees = invited.map(obj).map((i) => {
      const email = str(obj(i?.invitee)?.email) ?? '';
      const domain = domainOf(email);
      return { email, access: tagOf(i?.access_type) ?? 'viewer', member: { '.tag': 'email', email }, external: domain === null || !domains.has(domain) };
    });
    return [...users, ...invitees];
  };

  /** Revokes the links and removes the folder members `pick` selects; the removed sharing is the undo record. */
  const strip = async (f: FileRef, pick: { link: (l: Json) => boolean; member: (m: { external: boolean }) => boolean }): Promise<RemovedSharing[]> => {
    const removed: RemovedSharing[] = [];
    for (const link of (await links(f)).filter(pick.link)) {
      const answer = await client.call('sharing/revoke_shared_link', { url: link.url }, f.credential);
      if (!answer.ok && !answer.summary.startsWith('shared_link_not_found')) throw badRequest(`revoking a shared link failed: ${answer.summary}`);
      removed.push({ link: tagOf(obj(link.link_permissions)?.requested_visibility) ?? tagOf(obj(link.link_permissions)?.resolved_visibility) ?? 'public' });
    }
    const folder = folderOf(await metadata(f));
    if (folder !== null) {
      for (const m of (await members(f, folder)).filter(pick.member)) {
        const answer = await client.call('sharing/remove_folder_member', { shared_folder_id: folder, member: m.member, leave_a_copy: false }, f.credential);
        if (!answer.ok) throw badRequest(`removing a folder member failed: ${answer.summary}`);
        removed.push({ folder, email: m.email, access: m.access });
      }
    }
    return removed;
  };
  const left = async (f: FileRef, pick: { link: (l: Json) => boolean; member: (m: { external: boolean }) => boolean }): Promise<boolean> => {
    if ((await links(f)).some(pick.link)) return true;
    const folder = folderOf(await metadata(f));
    return folder !== null && (await members(f, folder)).some(pick.member);
  };
  const result = (removed: RemovedSharing[], what: string): ActionResult => removed.length === 0
    ? { status: 'noop', message: `no ${what} to remove` }
    : { status: 'applied', message: `removed ${removed.length} ${what}`, undo: { removed: JSON.stringify(removed) } };
  const sharing = (verb: ActionVerb, what: string, pick: { link: (l: Json) => boolean; member: (m: { external: boolean }) => boolean }): ActionHandler => ({
    inverse: 'restore_sharing',
    permission: 'sharing.write',
    async run(target) {
      return result(await strip(await fileOf(deps, target, verb), pick), what);
    },
    async verify(target) {
      return !(await left(await fileOf(deps, target, verb), pick));
    },
  });
  const everything = { link: () => true, member: () => true };
  const quarantinePath = (f: FileRef, name: string) => `${f.space.startsWith('ns:') ? f.space : ''}${deps.quarantineFolder}/${name}`;

  return {
    remove_public_link: sharing('remove_public_link', 'public link(s)', { link: isPublic, member: () => false }),
    remove_external_collaborators: sharing('remove_external_collaborators', 'external member(s) of its shared folder', { link: () => false, member: (m) => m.external }),
    make_private: sharing('make_private', 'shared link(s) and folder member(s)', everything),

    quarantine: {
      inverse: 'restore_sharing',
      permission: 'files.content.write',
      async run(target) {
        const f = await fileOf(deps, target, 'quarantine');
        const entry = await metadata(f);
        const previousPath = str(entry.path_display) ?? '';
        const removed = await strip(f, everything);
        const folder = `${f.space.startsWith('ns:') ? f.space : ''}${deps.quarantineFolder}`;
        if (previousPath.toLowerCase().startsWith(`${deps.quarantineFolder.toLowerCase()}/`)) {
          return removed.length === 0 ? { status: 'noop', message: 'already in quarantine' } : { ...result(removed, 'sharing'), message: 'already in quarantine; sharing removed' };
        }
        const created = await client.call('files/create_folder_v2', { path: folder, autorename: false }, f.credential);
        if (!created.ok && !created.summary.startsWith('path/conflict')) throw badRequest(`creating ${deps.quarantineFolder} failed: ${created.summary}`);
        const moved = await client.call<Json>('files/move_v2', { from_path: f.id, to_path: quarantinePath(f, str(entry.name) ?? f.id), autorename: true }, f.credential);
        if (!moved.ok) throw badRequest(`moving the file into quarantine failed: ${moved.summary}`);
        return {
          status: 'applied',
          message: `moved to ${str(obj(moved.body.metadata)?.path_display) ?? deps.quarantineFolder} and ${removed.length} sharing(s) removed`,
          undo: { previousPath, removed: JSON.stringify(removed) },
        };
      },
      async verify(target) {
        const f = await fileOf(deps, target, 'quarantine');
        const path = str((await metadata(f)).path_lower) ?? '';
        return path.startsWith(`${deps.quarantineFolder.toLowerCase()}/`) && !(await left(f, everything));
      },
    },

    restore_sharing: {
      permission: 'sharing.write',
      async run(target, params) {
        const f = await fileOf(deps, target, 'restore_sharing');
        if (params.removed === undefined && params.previousPath === undefined) throw badRequest('restore_sharing needs params.removed (or previousPath): run it as the revert of a sharing action', { param: 'removed' });
        let moved = false;
        if (params.previousPath) {
          const entry = await metadata(f);
          if (str(entry.path_lower) !== params.previousPath.toLowerCase()) {
            const answer = await client.call('files/move_v2', { from_path: f.id, to_path: `${f.space.startsWith('ns:') ? f.space : ''}${params.previousPath}`, autorename: true }, f.credential);
            if (!answer.ok) throw badRequest(`moving the file back failed: ${answer.summary}`);
            moved = true;
          }
        }
        const wanted = parseRemoved(params.removed);
        let given = 0;
        const present = await links(f);
        for (const item of wanted) {
          if ('link' in item) {
            if (present.some((l) => tagOf(obj(l.link_permissions)?.resolved_visibility) === item.link)) continue;
            const answer = await client.call('sharing/create_shared_link_with_settings', { path: f.id, settings: { requested_visibility: { '.tag': item.link } } }, f.credential);
            if (!answer.ok && !answer.summary.startsWith('shared_link_already_exists')) throw badRequest(`re-creating a shared link failed: ${answer.summary}`);
          } else {
            const answer = await client.call('sharing/add_folder_member', {
              shared_folder_id: item.folder, members: [{ member: { '.tag': 'email', email: item.email }, access_level: { '.tag': item.access } }], quiet: true,
            }, f.credential);
            if (!answer.ok) throw badRequest(`adding ${item.email} back failed: ${answer.summary}`);
          }
          given++;
        }
        if (!moved && given === 0) return { status: 'noop', message: 'the sharing is already as it was' };
        return { status: 'applied', message: `${moved ? 'moved back; ' : ''}${given} sharing(s) given back (links get a new URL)` };
      },
      async verify(target, params) {
        const f = await fileOf(deps, target, 'restore_sharing');
        if (params.previousPath && str((await metadata(f)).path_lower) !== params.previousPath.toLowerCase()) return false;
        const present = await links(f);
        for (const item of parseRemoved(params.removed)) {
          if ('link' in item && !present.some((l) => tagOf(obj(l.link_permissions)?.resolved_visibility) === item.link)) return false;
          if ('folder' in item && !(await members(f, item.folder)).some((m) => m.email.toLowerCase() === item.email.toLowerCase())) return false;
        }
        return true;
      },
    },
  } satisfies Record<string, ActionHandler>;
}

function parseRemoved(text: string | undefined): RemovedSharing[] {
  if (text === undefined || text === '') return [];
  try {
    const parsed = JSON.parse(text) as unknown;
    if (Array.isArray(parsed)) return parsed as RemovedSharing[];
  } catch {
    // reported below
  }
  throw badRequest('restore_sharing: params.removed must be the JSON list an earlier action returned in its undo record', { param: 'removed' });
}
