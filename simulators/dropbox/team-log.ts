import type { Clock } from '../common/clock.js';
import { AnchoredHistory } from '../common/anchored-history.js';
import { cloneJson } from '../common/json.js';
import type { Prng } from '../common/prng.js';
import { displayName, iso, type SimEntry, type SimMember, type TeamState } from './state.js';

type Json = Record<string, unknown>;
const DAY = 86_400_000;

/** A member as team_log writes users (`UserLogInfo`, tag `team_member`). */
export function memberLog(m: SimMember): Json {
  return { '.tag': 'team_member', account_id: m.account_id, display_name: displayName(m), email: m.email, team_member_id: m.team_member_id };
}

const PLACES = [
  { city: 'San Francisco', region: 'California', country: 'US' }, { city: 'Austin', region: 'Texas', country: 'US' },
  { city: 'Tel Aviv', region: 'Tel Aviv', country: 'IL' }, { city: 'Berlin', region: 'Berlin', country: 'DE' },
];

function origin(p: Prng, client: 'web' | 'desktop' | 'mobile' = 'web'): Json {
  return {
    geo_location: { ...p.pick(PLACES), ip_address: `${p.int(1, 223)}.${p.int(0, 255)}.${p.int(0, 255)}.${p.int(1, 254)}` },
    access_method: { '.tag': 'end_user', end_user: { '.tag': client, session_id: `dbwsid:${p.chars(39, '0123456789')}` } },
  };
}

function fileAsset(path: string, id: string, size: number): Json {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return { '.tag': 'file', display_name: name, file_id: id, file_size: size, path: { contextual: path, namespace_relative: { is_shared_namespace: false, ns_id: '1234', relative_path: path } } };
}

/** Builds one event of the team log: the event type, its category and description, and its own parts. */
export function teamEvent(type: string, category: string, description: string, atMs: number, parts: Json): Json {
  return {
    timestamp: iso(atMs), event_category: { '.tag': category }, event_type: { '.tag': type, description },
    involve_non_team_member: false, participants: [], assets: [], ...parts,
  };
}

/** The team as generated, which the history is drawn from. */
interface Snapshot { members: SimMember[]; groups: TeamState['groups']; entries: SimEntry[] }

/** The kinds of generated activity, by weight: sign-ins and file work dominate, as in real teams. */
function makeEvent(state: Snapshot, p: Prng, atMs: number): Json {
  const joined = state.members.filter((m) => m.status === 'active' || m.status === 'suspended');
  const m = p.pick(joined);
  const admin = state.members[0]!;
  const user = { '.tag': 'user', user: memberLog(m) };
  const self = { context: memberLog(m) };
  const files = state.entries.filter((e) => e.space === m.team_member_id && e.tag === 'file');
  const file = files.length > 0 ? p.pick(files) : null;
  const kind = p.weighted([
    ['login_success', 30], ['login_fail', 4], ['logout', 6], ['file_add', 12], ['file_download', 12], ['file_preview', 8],
    ['shared_content_add_member', 4], ['shared_link_create', 4], ['sign_in_as_session_start', 2], ['member_send_invite_policy_changed', 1],
    ['app_link_user', 2], ['tfa_change_status', 2], ['device_change_ip_desktop', 3], ['group_add_member', 2],
  ] as const);
  const assets = file ? [fileAsset(file.path, file.id, file.size)] : [];
  switch (kind) {
    case 'login_success':
      return teamEvent(kind, 'logins', 'Signed in', atMs, { actor: user, ...self, origin: origin(p), details: { '.tag': 'login_success_details', is_emm_managed: false, login_method: { '.tag': 'password' } } });
    case 'login_fail':
      return teamEvent(kind, 'logins', 'Failed to sign in', atMs, { actor: user, ...self, origin: origin(p), details: { '.tag': 'login_fail_details', is_emm_managed: false, login_method: { '.tag': 'password' }, error_details: { user_friendly_message: 'Incorrect password', technical_error_message: 'bad_password' } } });
    case 'logout':
      return teamEvent(kind, 'logins', 'Signed out', atMs, { actor: user, ...self, origin: origin(p), details: { '.tag': 'logout_details' } });
    case 'file_add':
    case 'file_download':
    case 'file_preview': {
      const label = { file_add: 'Added files and/or folders', file_download: 'Downloaded files and/or folders', file_preview: 'Viewed files and/or folders' }[kind];
      return teamEvent(kind, 'file_operations', label, atMs, { actor: user, ...self, origin: origin(p, 'desktop'), assets, details: { '.tag': `${kind}_details` } });
    }
    case 'shared_content_add_member':
      return teamEvent(kind, 'sharing', 'Added users and/or groups to shared file/folder', atMs, {
        actor: user, ...self, origin: origin(p), assets, involve_non_team_member: true,
        participants: [{ '.tag': 'user', user: { '.tag': 'non_team_member', account_id: `dbid:AA${p.hex(30)}`, display_name: 'Partner Person', email: `partner${p.int(1, 99)}@partner.example.org` } }],
        details: { '.tag': 'shared_content_add_member_details', shared_content_access_level: { '.tag': 'viewer' } },
      });
    case 'shared_link_create':
      return teamEvent(kind, 'sharing', 'Created shared link', atMs, { actor: user, ...self, origin: origin(p), assets, details: { '.tag': 'shared_link_create_details', shared_link_access_level: { '.tag': 'public' } } });
    case 'sign_in_as_session_start':
      return teamEvent(kind, 'logins', 'Started admin sign-in-as session', atMs, { actor: { '.tag': 'admin', admin: memberLog(admin) }, ...self, origin: origin(p), details: { '.tag': 'sign_in_as_session_start_details' } });
    case 'member_send_invite_policy_changed':
      return teamEvent(kind, 'team_policies', 'Changed member send invite policy for team', atMs, {
        actor: { '.tag': 'admin', admin: memberLog(admin) }, context: { '.tag': 'team' }, origin: origin(p),
        details: { '.tag': 'member_send_invite_policy_changed_details', new_value: { '.tag': 'everyone' }, previous_value: { '.tag': 'specific_members' } },
      });
    case 'app_link_user': {
      const app = m.apps[0] ?? { app_id: `dbaid:AA${p.hex(30)}`, app_name: 'Zapier' };
      return teamEvent(kind, 'apps', 'Linked app', atMs, { actor: user, ...self, origin: { ...origin(p), access_method: { '.tag': 'api', request_id: `dbarod:${p.hex(32)}` } }, details: { '.tag': 'app_link_user_details', app_info: { '.tag': 'member_linked_app', app_id: app.app_id, display_name: app.app_name } } });
    }
    case 'tfa_change_status':
      return teamEvent(kind, 'tfa', 'Enabled/disabled/changed two-step verification setting', atMs, { actor: user, ...self, origin: origin(p), details: { '.tag': 'tfa_change_status_details', new_value: { '.tag': p.chance(0.5) ? 'authenticator' : 'disabled' }, previous_value: { '.tag': 'sms' }, used_rescue_code: false } });
    case 'device_change_ip_desktop':
      // Not mapped by the connector: it flows as a `devices` event of action `other`.
      return teamEvent(kind, 'devices', 'Changed IP address associated with active desktop session', atMs, { actor: user, ...self, origin: origin(p, 'desktop'), details: { '.tag': 'device_change_ip_desktop_details', device_session_info: { '.tag': 'desktop_device_session', ip_address: '198.51.100.7' } } });
    case 'group_add_member': {
      const group = state.groups.length > 0 ? p.pick(state.groups) : { group_id: 'g:0', group_name: 'Everyone' };
      return teamEvent(kind, 'groups', 'Added team members to group', atMs, { actor: { '.tag': 'admin', admin: memberLog(admin) }, ...self, origin: origin(p), participants: [{ '.tag': 'group', group: { group_id: group.group_id, display_name: group.group_name, external_id: null } }], details: { '.tag': 'group_add_member_details', is_group_owner: false } });
    }
  }
}

/**
 * The team log: generated history anchored to fixed times (the same after a restart), live activity
 * as the clock moves on, and the events governance calls and tests add.
 */
export class TeamLog {
  private readonly history: AnchoredHistory<Json>;
  private readonly start: number;
  private readonly extra: Array<{ atMs: number; event: unknown }> = [];

  constructor(state: TeamState, seed: string, eventsPerDay: number, days: number, private readonly clock: Clock) {
    // History is made from the team as it was generated: what governance changes later must not rewrite the past.
    const snapshot: Snapshot = cloneJson({ members: state.members, groups: state.groups, entries: [...state.entries.values()] });
    this.history = new AnchoredHistory(`${seed}:team_log`, eventsPerDay, (p, atMs) => makeEvent(snapshot, p, atMs));
    this.start = this.history.anchor(clock.now() - days * DAY);
  }

  /** Records an event at `atMs` (default now), readable at once. */
  add(event: unknown, atMs = this.clock.now()): void {
    const at = this.extra.findIndex((e) => e.atMs > atMs);
    this.extra.splice(at === -1 ? this.extra.length : at, 0, { atMs, event: cloneJson(event) });
  }

  /** The events whose time is in [fromMs, toMs) and already happened, oldest first. */
  between(fromMs: number, toMs: number): unknown[] {
    const until = Math.min(toMs, this.clock.now() + 1);
    const generated = this.history.between(Math.max(fromMs, this.start), until).map((event) => ({ atMs: Date.parse(String(event.timestamp)), event: event as unknown }));
    const added = this.extra.filter((e) => e.atMs >= fromMs && e.atMs < until);
    return [...generated, ...added].sort((a, b) => a.atMs - b.atMs).map((e) => cloneJson(e.event));
  }
}
