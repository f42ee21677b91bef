import type { FastifyInstance } from 'fastify';
import { dropboxErrors } from './errors.js';
import { FileStore } from './file-store.js';
import { decodeCursor, encodeCursor, limitOf, rpc, type Call, type Guard, type Json } from './rpc.js';
import { displayName, type LinkVisibility } from './state.js';
import { memberLog, teamEvent, type TeamLog } from './team-log.js';

const VISIBILITIES: readonly string[] = ['public', 'team_only', 'password'];

/** `files/*` and `sharing/*`, user endpoints: as the member of Select-User, or (team folders) the admin of Select-Admin. */
export function registerFileRoutes(app: FastifyInstance, guard: Guard, log: TeamLog): FileStore {
  const store = new FileStore(guard.state, guard.clock);
  const { state } = guard;
  const actor = (call: Call) => memberLog((call.member ?? call.admin)!);
  const record = (call: Call, type: string, category: string, description: string, parts: Json) => log.add(teamEvent(type, category, description, guard.clock.now(), {
    actor: { '.tag': 'user', user: actor(call) }, context: actor(call), origin: { access_method: { '.tag': 'api', request_id: `dbarod:${guard.requests.total}` } }, ...parts,
  }));

  const listing = (route: string, call: Call, c: Json) => {
    const all = store.list(c.sp, c.r, c.rec);
    const page = all.slice(c.o, c.o + c.l);
    const done = c.o + page.length >= all.length;
    const next = done ? { ...c, o: -1 } : { ...c, o: c.o + page.length };
    return { entries: page.map((e) => store.metadata(e)), cursor: encodeCursor(next), has_more: !done };
  };
  rpc(app, guard, 'files/list_folder', { scope: 'files.metadata.read', user: true }, (body, call) => {
    const route = 'files/list_folder';
    const { space, root } = store.resolveRoot(route, call, body.path);
    const c = { k: 'list_folder', sp: space, r: root, rec: body.recursive === true, del: body.include_deleted === true, o: 0, l: limitOf(route, body, 2000, 2000), seq: state.seq };
    return listing(route, call, c);
  });
  rpc(app, guard, 'files/list_folder/continue', { scope: 'files.metadata.read', user: true }, (body, call) => {
    const route = 'files/list_folder/continue';
    const c = decodeCursor(route, body.cursor, 'list_folder', 'reset');
    store.checkAccess(call, c.sp);
    if (c.o >= 0) return listing(route, call, c);
    const changes = store.changesSince(c.sp, c.r, c.rec, c.seq, c.del);
    return { entries: changes, cursor: encodeCursor({ ...c, o: -1, seq: state.seq }), has_more: false };
  });
  rpc(app, guard, 'files/list_folder/get_latest_cursor', { scope: 'files.metadata.read', user: true }, (body, call) => {
    const { space, root } = store.resolveRoot('files/list_folder/get_latest_cursor', call, body.path);
    return { cursor: encodeCursor({ k: 'list_folder', sp: space, r: root, rec: body.recursive === true, del: body.include_deleted === true, o: -1, l: 2000, seq: state.seq }) };
  });
  rpc(app, guard, 'files/get_metadata', { scope: 'files.metadata.read', user: true }, (body, call) => store.metadata(store.lookup(call, body.path, 'path')));
  rpc(app, guard, 'files/create_folder_v2', { scope: 'files.content.write', user: true, write: true }, (body, call) => ({ metadata: store.metadata(store.createFolder(call, body.path)) }));
  rpc(app, guard, 'files/move_v2', { scope: 'files.content.write', user: true, write: true }, (body, call) => {
    const entry = store.lookup(call, body.from_path, 'from_lookup');
    const from = entry.path;
    const moved = store.move(call, entry, body.to_path, body.autorename === true);
    record(call, 'file_move', 'file_operations', 'Moved files and/or folders', {
      assets: [{ '.tag': entry.tag, display_name: moved.path.slice(moved.path.lastIndexOf('/') + 1), file_id: moved.id, path: { contextual: moved.path, namespace_relative: { ns_id: '1', relative_path: moved.path, is_shared_namespace: false } } }],
      details: { '.tag': 'file_move_details', relocate_action_details: [{ src_asset_index: 0, dest_asset_index: 0 }], previous_path: from },
    });
    return { metadata: store.metadata(moved) };
  });

  rpc(app, guard, 'sharing/list_shared_links', { scope: 'sharing.read', user: true }, (body, call) => {
    const caller = (call.member ?? call.admin)!;
    let links = state.links.filter((l) => l.createdBy === caller.team_member_id);
    if (body.path !== undefined) {
      const entry = store.lookup(call, body.path, 'path');
      links = state.links.filter((l) => l.entryId === entry.id);
    }
    return { links: links.map((l) => store.linkMetadata(l)), has_more: false };
  });
  rpc(app, guard, 'sharing/revoke_shared_link', { scope: 'sharing.write', user: true }, (body, call) => {
    const link = state.links.find((l) => l.url === body.url);
    if (!link) throw dropboxErrors.tag('shared_link_not_found');
    const caller = (call.member ?? call.admin)!;
    if (link.createdBy !== caller.team_member_id && link.space !== caller.team_member_id && call.admin === null) throw dropboxErrors.tag('shared_link_access_denied');
    state.links.splice(state.links.indexOf(link), 1);
    const entry = state.entries.get(link.entryId);
    record(call, 'shared_link_remove', 'sharing', 'Removed link', { assets: entry ? [store.asset(entry)] : [], details: { '.tag': 'shared_link_remove_details', shared_link_owner: actor(call) } });
    return null;
  });
  rpc(app, guard, 'sharing/create_shared_link_with_settings', { scope: 'sharing.write', user: true }, (body, call) => {
    const entry = store.lookup(call, body.path, 'path');
    const requested = ((body.settings as Json | undefined)?.requested_visibility as Json | undefined)?.['.tag'] ?? 'public';
    if (!VISIBILITIES.includes(requested)) throw dropboxErrors.badInput('sharing/create_shared_link_with_settings', `request body: settings: requested_visibility: unknown tag '${requested}'`);
    const existing = state.links.find((l) => l.entryId === entry.id && l.visibility === requested);
    if (existing) throw dropboxErrors.endpoint({ '.tag': 'shared_link_already_exists', shared_link_already_exists: { '.tag': 'metadata', metadata: store.linkMetadata(existing) } });
    const link = store.addLink(entry, requested as LinkVisibility, (call.member ?? call.admin)!.team_member_id);
    record(call, 'shared_link_create', 'sharing', 'Created shared link', { assets: [store.asset(entry)], details: { '.tag': 'shared_link_create_details', shared_link_access_level: { '.tag': requested } } });
    return store.linkMetadata(link);
  });

  const folderOf = (call: Call, id: unknown) => {
    const folder = state.sharedFolders.get(String(id));
    if (!folder) throw dropboxErrors.endpoint({ '.tag': 'access_error', access_error: { '.tag': 'invalid_id' } });
    const caller = (call.member ?? call.admin)!;
    if (call.admin === null && !folder.users.some((u) => u.team_member_id === caller.team_member_id)) throw dropboxErrors.endpoint({ '.tag': 'access_error', access_error: { '.tag': 'not_a_member' } });
    return folder;
  };
  rpc(app, guard, 'sharing/list_folder_members', { scope: 'sharing.read', user: true }, (body, call) => {
    const folder = folderOf(call, body.shared_folder_id);
    return {
      users: folder.users.map((u) => ({
        access_type: { '.tag': u.access }, is_inherited: false, permissions: [],
        user: { account_id: u.account_id, email: u.email, display_name: u.display_name, same_team: u.same_team, ...(u.team_member_id ? { team_member_id: u.team_member_id } : {}) },
      })),
      groups: [],
      invitees: folder.invitees.map((i) => ({ access_type: { '.tag': i.access }, is_inherited: false, permissions: [], invitee: { '.tag': 'email', email: i.email } })),
    };
  });
  rpc(app, guard, 'sharing/remove_folder_member', { scope: 'sharing.write', user: true }, (body, call) => {
    const folder = folderOf(call, body.shared_folder_id);
    const selector = (body.member ?? {}) as Json;
    const user = folder.users.find((u) => (selector['.tag'] === 'dropbox_id' && u.account_id === selector.dropbox_id) || (selector['.tag'] === 'email' && u.email.toLowerCase() === String(selector.email).toLowerCase()));
    const invitee = folder.invitees.find((i) => selector['.tag'] === 'email' && i.email.toLowerCase() === String(selector.email).toLowerCase());
    if (user?.access === 'owner') throw dropboxErrors.endpoint({ '.tag': 'member_error', member_error: { '.tag': 'no_explicit_access' } });
    if (!user && !invitee) throw dropboxErrors.endpoint({ '.tag': 'member_error', member_error: { '.tag': 'not_a_member' } });
    if (user) folder.users.splice(folder.users.indexOf(user), 1);
    if (invitee) folder.invitees.splice(folder.invitees.indexOf(invitee), 1);
    const root = [...state.entries.values()].find((e) => e.shared_folder_id === folder.shared_folder_id);
    record(call, invitee ? 'shared_content_remove_invitees' : 'shared_content_remove_member', 'sharing', 'Removed user/group from shared file/folder', {
      assets: root ? [store.asset(root)] : [], involve_non_team_member: user ? !user.same_team : true,
      participants: [{ '.tag': 'user', user: user ? { '.tag': user.same_team ? 'team_member' : 'non_team_member', account_id: user.account_id, display_name: user.display_name, email: user.email } : { '.tag': 'non_team_member', email: invitee!.email } }],
      details: { '.tag': 'shared_content_remove_member_details' },
    });
    return { '.tag': 'async_job_id', async_job_id: `dbjid:${guard.requests.total}` };
  });
  rpc(app, guard, 'sharing/check_remove_member_job_status', { scope: 'sharing.write', user: true }, () => ({ '.tag': 'complete' }));
  rpc(app, guard, 'sharing/add_folder_member', { scope: 'sharing.write', user: true }, (body, call) => {
    const folder = folderOf(call, body.shared_folder_id);
    for (const add of (Array.isArray(body.members) ? body.members : []) as Json[]) {
      const email = String((add.member as Json | undefined)?.email ?? '').toLowerCase();
      const access = ((add.access_level as Json | undefined)?.['.tag'] ?? 'viewer') as 'editor' | 'viewer';
      if (email === '' || folder.users.some((u) => u.email.toLowerCase() === email) || folder.invitees.some((i) => i.email.toLowerCase() === email)) continue;
      const member = state.members.find((m) => m.email.toLowerCase() === email);
      const known = store.accountByEmail(email);
      if (member) folder.users.push({ account_id: member.account_id, email: member.email, display_name: displayName(member), same_team: true, team_member_id: member.team_member_id, access });
      else if (known) folder.users.push({ ...known, access });
      else folder.invitees.push({ email, access });
    }
    return null;
  });
  return store;
}
