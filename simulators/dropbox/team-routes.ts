import type { FastifyInstance } from 'fastify';
import { dropboxErrors } from './errors.js';
import { decodeCursor, limitOf, offsetPage, rpc, type Guard, type Json } from './rpc.js';
import { displayName, type SimMember } from './state.js';
import { memberLog, teamEvent, type TeamLog } from './team-log.js';

/** A member as `TeamMemberProfile` (members/list_v2, get_info_v2) or `MemberProfile` (groups/members/list). */
export function profileOf(guard: Guard, m: SimMember): Json {
  const profile: Json = {
    team_member_id: m.team_member_id, account_id: m.account_id, email: m.email, email_verified: m.status !== 'invited', secondary_emails: [],
    status: { '.tag': m.status }, name: { given_name: m.given_name, surname: m.surname, familiar_name: m.given_name, display_name: displayName(m), abbreviated_name: `${m.given_name[0]}${m.surname[0]}` },
    membership_type: { '.tag': 'full' }, external_id: m.external_id,
    groups: guard.state.groups.filter((g) => g.members.some((x) => x.id === m.team_member_id)).map((g) => g.group_id),
    member_folder_id: String(parseInt(m.account_id.replace(/\D/g, '').slice(0, 9) || '1', 10)),
  };
  if (m.status === 'invited') profile.invited_on = m.joined_on;
  else profile.joined_on = m.joined_on;
  return profile;
}

/** The member a `UserSelectorArg` names, or a 409 `user_not_found`. */
export function selectMember(guard: Guard, selector: unknown): SimMember {
  const s = (selector ?? {}) as Json;
  const found = guard.state.members.find((m) => (s['.tag'] === 'team_member_id' && m.team_member_id === s.team_member_id)
    || (s['.tag'] === 'email' && m.email.toLowerCase() === String(s.email).toLowerCase()) || (s['.tag'] === 'external_id' && m.external_id === s.external_id));
  if (!found) throw dropboxErrors.tag('user_not_found');
  return found;
}

/** The team's actions recorded in the team log as done by the app (as a team-linked app acts). */
function appActor(): Json {
  return { '.tag': 'app', app: { '.tag': 'team_linked_app', app_id: 'dbaid:AAAppwardenSimulatedTeamApp000000', display_name: 'Appwarden' } };
}

/** `team/*` and `team_log/*`: members, groups, linked apps, devices, team folders, and the team log. */
export function registerTeamRoutes(app: FastifyInstance, guard: Guard, log: TeamLog, options: { emptyFirstPage: boolean }): void {
  const { state } = guard;
  const live = () => state.members;
  const member = (route: string, id: unknown) => {
    const m = state.members.find((x) => x.team_member_id === id);
    if (!m) throw dropboxErrors.tag('member_not_found');
    return m;
  };
  const record = (type: string, category: string, description: string, parts: Json) => log.add(teamEvent(type, category, description, guard.clock.now(), { actor: appActor(), origin: { access_method: { '.tag': 'api', request_id: `dbarod:${guard.requests.total}` } }, ...parts }));

  rpc(app, guard, 'team/token/get_authenticated_admin', { scope: 'team_info.read' }, () => ({ admin_profile: profileOf(guard, state.members[0]!) }));

  const memberItem = (m: SimMember) => ({ profile: profileOf(guard, m), roles: m.roles });
  rpc(app, guard, 'team/members/list_v2', { scope: 'members.read' }, (body) => {
    const limit = limitOf('team/members/list_v2', body, 1000);
    const items = live().filter((m) => body.include_removed === true || m.status !== 'removed');
    const { page, cursor, has_more } = offsetPage(items, 0, limit, 'members', { r: body.include_removed === true, l: limit });
    return { members: page.map(memberItem), cursor, has_more };
  });
  rpc(app, guard, 'team/members/list/continue_v2', { scope: 'members.read' }, (body) => {
    const c = decodeCursor('team/members/list/continue_v2', body.cursor, 'members');
    const items = live().filter((m) => c.r === true || m.status !== 'removed');
    const { page, cursor, has_more } = offsetPage(items, c.o, c.l, 'members', { r: c.r, l: c.l });
    return { members: page.map(memberItem), cursor, has_more };
  });
  rpc(app, guard, 'team/members/get_info_v2', { scope: 'members.read' }, (body) => ({
    members_info: (Array.isArray(body.members) ? body.members : []).map((selector: Json) => {
      try {
        const m = selectMember(guard, selector);
        return { '.tag': 'member_info', ...memberItem(m) };
      } catch {
        return { '.tag': 'id_not_found', id_not_found: String(selector.team_member_id ?? selector.email ?? selector.external_id ?? '') };
      }
    }),
  }));
  const changeStatus = (m: SimMember, next: 'active' | 'suspended') => {
    const previous = m.status;
    m.status = next;
    record('member_change_status', 'members', 'Changed member status (active, suspended, etc.)', {
      context: memberLog(m), details: { '.tag': 'member_change_status_details', previous_value: { '.tag': previous }, new_value: { '.tag': next } },
    });
  };
  rpc(app, guard, 'team/members/suspend', { scope: 'members.write' }, (body) => {
    const m = selectMember(guard, body.user);
    if (m.status !== 'active') throw dropboxErrors.tag('suspend_inactive_user');
    if (m.roles.some((r) => r.name === 'Team admin') && state.members.filter((x) => x.status === 'active' && x.roles.some((r) => r.name === 'Team admin')).length === 1) throw dropboxErrors.tag('suspend_last_admin');
    changeStatus(m, 'suspended');
    return null;
  });
  rpc(app, guard, 'team/members/unsuspend', { scope: 'members.write' }, (body) => {
    const m = selectMember(guard, body.user);
    if (m.status !== 'suspended') throw dropboxErrors.tag('unsuspend_non_suspended_member');
    changeStatus(m, 'active');
    return null;
  });

  const groupSummary = (g: (typeof state.groups)[number]) => ({ group_name: g.group_name, group_id: g.group_id, group_management_type: { '.tag': g.management }, member_count: g.members.length });
  rpc(app, guard, 'team/groups/list', { scope: 'groups.read' }, (body) => {
    const limit = limitOf('team/groups/list', body, 1000);
    const { page, cursor, has_more } = offsetPage(state.groups, 0, limit, 'groups', { l: limit });
    return { groups: page.map(groupSummary), cursor, has_more };
  });
  rpc(app, guard, 'team/groups/list/continue', { scope: 'groups.read' }, (body) => {
    const c = decodeCursor('team/groups/list/continue', body.cursor, 'groups');
    const { page, cursor, has_more } = offsetPage(state.groups, c.o, c.l, 'groups', { l: c.l });
    return { groups: page.map(groupSummary), cursor, has_more };
  });
  const groupMembers = (groupId: unknown, offset: number, limit: number) => {
    const group = state.groups.find((g) => g.group_id === groupId);
    if (!group) throw dropboxErrors.tag('group_not_found');
    const { page, cursor, has_more } = offsetPage(group.members, offset, limit, 'group_members', { g: group.group_id, l: limit });
    const members = page.map((x) => ({ x, m: state.members.find((m) => m.team_member_id === x.id) })).filter((p) => p.m !== undefined)
      .map(({ x, m }) => ({ profile: profileOf(guard, m!), access_type: { '.tag': x.access } }));
    return { members, cursor, has_more };
  };
  rpc(app, guard, 'team/groups/members/list', { scope: 'groups.read' }, (body) => groupMembers((body.group as Json | undefined)?.group_id, 0, limitOf('team/groups/members/list', body, 1000)));
  rpc(app, guard, 'team/groups/members/list/continue', { scope: 'groups.read' }, (body) => {
    const c = decodeCursor('team/groups/members/list/continue', body.cursor, 'group_members');
    return groupMembers(c.g, c.o, c.l);
  });

  rpc(app, guard, 'team/linked_apps/list_members_linked_apps', { scope: 'sessions.list' }, (body) => {
    const withApps = live().filter((m) => m.apps.length > 0);
    const offset = body.cursor === undefined ? 0 : decodeCursor('team/linked_apps/list_members_linked_apps', body.cursor, 'apps', 'reset').o;
    const { page, cursor, has_more } = offsetPage(withApps, offset, 50, 'apps');
    return { apps: page.map((m) => ({ team_member_id: m.team_member_id, linked_api_apps: m.apps })), has_more, ...(has_more ? { cursor } : {}) };
  });
  rpc(app, guard, 'team/linked_apps/list_member_linked_apps', { scope: 'sessions.list' }, (body) => ({ linked_api_apps: member('list_member_linked_apps', body.team_member_id).apps }));
  rpc(app, guard, 'team/linked_apps/revoke_linked_app', { scope: 'sessions.modify' }, (body) => {
    const m = member('revoke_linked_app', body.team_member_id);
    const found = m.apps.find((a) => a.app_id === body.app_id);
    if (!found) throw dropboxErrors.tag('app_not_found');
    m.apps = m.apps.filter((a) => a !== found);
    record('app_unlink_user', 'apps', 'Unlinked app', { context: memberLog(m), details: { '.tag': 'app_unlink_user_details', app_info: { '.tag': 'member_linked_app', app_id: found.app_id, display_name: found.app_name } } });
    return null;
  });

  rpc(app, guard, 'team/devices/list_member_devices', { scope: 'sessions.list' }, (body) => {
    const m = member('list_member_devices', body.team_member_id);
    const of = (kind: string) => m.sessions.filter((s) => s.kind === kind);
    return {
      active_web_sessions: body.include_web_sessions === false ? [] : of('web_session').map((s) => ({ session_id: s.session_id, ip_address: s.ip_address, country: s.country, created: s.created, user_agent: 'Mozilla/5.0', os: 'Mac OS X', browser: 'Chrome' })),
      desktop_client_sessions: body.include_desktop_clients === false ? [] : of('desktop_client').map((s) => ({ session_id: s.session_id, ip_address: s.ip_address, country: s.country, created: s.created, host_name: 'laptop', client_type: { '.tag': 'mac' }, client_version: '190.4.6383', platform: 'Mac OS X', is_delete_on_unlink_supported: true })),
      mobile_client_sessions: body.include_mobile_clients === false ? [] : of('mobile_client').map((s) => ({ session_id: s.session_id, ip_address: s.ip_address, country: s.country, created: s.created, device_name: 'iPhone', client_type: { '.tag': 'iphone' } })),
    };
  });
  const revoke = (arg: Json): boolean => {
    const m = state.members.find((x) => x.team_member_id === arg.team_member_id);
    const session = m?.sessions.find((s) => s.session_id === arg.session_id && s.kind === arg['.tag']);
    if (!m || !session) return false;
    m.sessions = m.sessions.filter((s) => s !== session);
    record('device_unlink', 'devices', 'Disconnected device', { context: memberLog(m), details: { '.tag': 'device_unlink_details', delete_data: false, session_info: { '.tag': arg['.tag'], session_id: session.session_id } } });
    return true;
  };
  rpc(app, guard, 'team/devices/revoke_device_session', { scope: 'sessions.modify' }, (body) => {
    if (!revoke(body)) throw dropboxErrors.tag('device_session_not_found');
    return null;
  });
  rpc(app, guard, 'team/devices/revoke_device_session_batch', { scope: 'sessions.modify' }, (body) => ({
    revoke_devices_status: (Array.isArray(body.revoke_devices) ? body.revoke_devices : []).map((arg: Json) => (revoke(arg) ? { success: true } : { success: false, error_type: { '.tag': 'device_session_not_found' } })),
  }));

  const folderItem = (f: (typeof state.teamFolders)[number]) => ({ team_folder_id: f.team_folder_id, name: f.name, status: { '.tag': 'active' }, is_team_shared_dropbox: false, sync_setting: { '.tag': 'default' }, content_sync_settings: [] });
  rpc(app, guard, 'team/team_folder/list', { scope: 'team_data.team_space' }, (body) => {
    const limit = limitOf('team/team_folder/list', body, 1000);
    const { page, cursor, has_more } = offsetPage(state.teamFolders, 0, limit, 'team_folders', { l: limit });
    return { team_folders: page.map(folderItem), cursor, has_more };
  });
  rpc(app, guard, 'team/team_folder/list/continue', { scope: 'team_data.team_space' }, (body) => {
    const c = decodeCursor('team/team_folder/list/continue', body.cursor, 'team_folders');
    const { page, cursor, has_more } = offsetPage(state.teamFolders, c.o, c.l, 'team_folders', { l: c.l });
    return { team_folders: page.map(folderItem), cursor, has_more };
  });

  registerTeamLogRoutes(app, guard, log, options);
}

const DROPBOX_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** `team_log/get_events` and `/continue`: events by time, pages of `limit`, a cursor that can also tail. */
function registerTeamLogRoutes(app: FastifyInstance, guard: Guard, log: TeamLog, options: { emptyFirstPage: boolean }): void {
  const page = (c: Json) => {
    const events = log.between(c.s, c.e ?? Number.POSITIVE_INFINITY).filter((e) => c.c === null || ((e as Json).event_category as Json | undefined)?.['.tag'] === c.c);
    const slice = events.slice(c.o, c.o + c.l);
    const next = { ...c, o: c.o + slice.length };
    return { events: slice, cursor: Buffer.from(JSON.stringify(next)).toString('base64url'), has_more: next.o < events.length };
  };
  rpc(app, guard, 'team_log/get_events', { scope: 'events.read' }, (body) => {
    const route = 'team_log/get_events';
    const limit = limitOf(route, body, 1000);
    const time = (body.time ?? {}) as Json;
    for (const key of ['start_time', 'end_time']) {
      if (time[key] !== undefined && (typeof time[key] !== 'string' || !DROPBOX_TIME.test(time[key]))) throw dropboxErrors.badInput(route, `request body: time: ${key}: '${String(time[key])}' expected to be a timestamp in the form %Y-%m-%dT%H:%M:%SZ`);
    }
    if (body.category !== undefined && body.event_type !== undefined) throw dropboxErrors.tag('invalid_filters');
    const start = time.start_time === undefined ? 0 : Date.parse(time.start_time);
    const end = time.end_time === undefined ? null : Date.parse(time.end_time);
    if (end !== null && end < start) throw dropboxErrors.tag('invalid_time_range');
    const c = { k: 'team_log', s: start, e: end, c: (body.category as Json | undefined)?.['.tag'] ?? (typeof body.category === 'string' ? body.category : null), o: 0, l: limit };
    const first = page(c);
    // Dropbox may answer fewer events than the limit, even none, while has_more is true.
    if (options.emptyFirstPage && first.events.length > 0) return { events: [], cursor: Buffer.from(JSON.stringify(c)).toString('base64url'), has_more: true };
    return first;
  });
  rpc(app, guard, 'team_log/get_events/continue', { scope: 'events.read' }, (body) => {
    let c: Json;
    try {
      c = JSON.parse(Buffer.from(String(body.cursor), 'base64url').toString('utf8')) as Json;
    } catch {
      throw dropboxErrors.tag('bad_cursor');
    }
    if (c.k !== 'team_log') throw dropboxErrors.tag('bad_cursor');
    return page(c);
  });
}
