import type { Prng } from '../common/prng.js';

const B62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const DIGITS = '0123456789';

export const ids = {
  member: (p: Prng) => `dbmid:AA${p.chars(32, B62)}`,
  account: (p: Prng) => `dbid:AA${p.chars(32, B62)}`,
  group: (p: Prng) => `g:${p.hex(24)}`,
  entry: (p: Prng) => `id:${p.chars(22, B62)}`,
  namespace: (p: Prng) => p.chars(10, DIGITS).replace(/^0/, '1'),
  app: (p: Prng) => `dbaid:AA${p.chars(30, B62)}`,
  session: (p: Prng, prefix: string) => `${prefix}:${p.chars(39, DIGITS)}`,
  rev: (p: Prng) => p.hex(15),
  link: (p: Prng) => p.chars(15, 'abcdefghijklmnopqrstuvwxyz0123456789'),
};

export type MemberStatus = 'active' | 'invited' | 'suspended' | 'removed';
export interface SimRole { role_id: string; name: string; description: string }
export interface SimApp { app_id: string; app_name: string; publisher: string; publisher_url: string; is_app_folder: boolean; linked: string }
export interface SimSession { kind: 'web_session' | 'desktop_client' | 'mobile_client'; session_id: string; ip_address: string; country: string; created: string }

export interface SimMember {
  team_member_id: string;
  account_id: string;
  email: string;
  given_name: string;
  surname: string;
  status: MemberStatus;
  joined_on: string;
  external_id: string;
  roles: SimRole[];
  apps: SimApp[];
  sessions: SimSession[];
}

export interface SimGroup { group_id: string; group_name: string; management: 'company_managed' | 'user_managed'; members: Array<{ id: string; access: 'member' | 'owner' }> }

export interface SimEntry {
  tag: 'file' | 'folder';
  id: string;
  /** A team_member_id, or `ns:<team folder id>`. */
  space: string;
  /** Display path, from the space's root (`/Projects/plan.docx`). */
  path: string;
  size: number;
  client_modified: string;
  server_modified: string;
  rev: string;
  /** Set on the root folder of a shared folder. */
  shared_folder_id?: string;
}

export interface SimFolderUser { account_id: string; email: string; display_name: string; same_team: boolean; team_member_id?: string; access: 'owner' | 'editor' | 'viewer' }
export interface SimSharedFolder { shared_folder_id: string; name: string; space: string; path: string; users: SimFolderUser[]; invitees: Array<{ email: string; access: 'editor' | 'viewer' }> }
export type LinkVisibility = 'public' | 'team_only' | 'password';
export interface SimLink { url: string; entryId: string; space: string; visibility: LinkVisibility; createdBy: string }
export interface SimTeamFolder { team_folder_id: string; name: string }

/** One change of a space, for `list_folder/continue`: the entry's id, or the path of what was deleted. */
export interface SimChange { seq: number; space: string; entryId?: string; deletedPath?: string; deletedName?: string }

/** The whole team the simulator serves. */
export interface TeamState {
  teamName: string;
  domain: string;
  members: SimMember[];
  groups: SimGroup[];
  teamFolders: SimTeamFolder[];
  entries: Map<string, SimEntry>;
  sharedFolders: Map<string, SimSharedFolder>;
  links: SimLink[];
  changes: SimChange[];
  seq: number;
}

export const ROLES: Record<string, SimRole> = {
  team: { role_id: 'pid_dbtmr:3kmLmQFnf1AAAAAAAAAAAw', name: 'Team admin', description: 'User can do most user provisioning, de-provisioning and management.' },
  users: { role_id: 'pid_dbtmr:3kmLmQFnf1AAAAAAAAAABA', name: 'User management admin', description: 'User can add, remove and manage members of the team.' },
  support: { role_id: 'pid_dbtmr:3kmLmQFnf1AAAAAAAAAABQ', name: 'Support admin', description: 'User can help members of the team with their accounts.' },
};

const FIRST = ['Alice', 'Bob', 'Carol', 'Dan', 'Erin', 'Frank', 'Grace', 'Heidi', 'Ivan', 'Judy', 'Mallory', 'Niaj', 'Olivia', 'Peggy', 'Rupert', 'Sybil', 'Trent', 'Victor', 'Walter', 'Yolanda'];
const LAST = ['Anders', 'Baker', 'Chen', 'Diaz', 'Evans', 'Fischer', 'Garcia', 'Hughes', 'Ito', 'Jones', 'Khan', 'Lopez', 'Moreau', 'Novak', 'Okafor'];
const APPS: Array<Omit<SimApp, 'app_id' | 'linked'>> = [
  { app_name: 'Zapier', publisher: 'Zapier Inc.', publisher_url: 'https://zapier.com', is_app_folder: false },
  { app_name: 'Slack for Dropbox', publisher: 'Slack Technologies', publisher_url: 'https://slack.com', is_app_folder: false },
  { app_name: 'Backup Buddy', publisher: 'Buddy Apps', publisher_url: 'https://backup.example.net', is_app_folder: true },
];
const GROUP_NAMES = ['Engineering', 'Sales', 'Finance', 'Legal', 'Marketing', 'Support', 'Design', 'Operations'];
const PARTNERS = ['partner.example.org', 'contractor.example.net', 'gmail.com'];

export function displayName(m: Pick<SimMember, 'given_name' | 'surname'>): string {
  return `${m.given_name} ${m.surname}`;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface GenerateOptions { members: number; groups: number; teamFolders: number; filesPerMember: number; domain: string; nowMs: number }

/**
 * A team shaped like the samples: an admin who authorized the app (Team admin), members mostly active
 * with one suspended, one invited and one removed, groups, linked apps and sessions; each member's
 * Dropbox holds a folder, a file with a public link, a shared folder with an external member and an
 * external invitee, a file with a team-only link, and private files; team folders with a public link.
 */
export function generateTeam(p: Prng, o: GenerateOptions): TeamState {
  const state: TeamState = { teamName: 'Example Team', domain: o.domain, members: [], groups: [], teamFolders: [], entries: new Map(), sharedFolders: new Map(), links: [], changes: [], seq: 0 };
  const day = 86_400_000;
  for (let i = 0; i < o.members; i++) {
    const given = FIRST[i % FIRST.length]!;
    const surname = LAST[(i * 7) % LAST.length]!;
    const status: MemberStatus = i === 2 ? 'suspended' : i === 3 ? 'invited' : i === 4 && o.members > 5 ? 'removed' : 'active';
    const member: SimMember = {
      team_member_id: ids.member(p), account_id: ids.account(p),
      email: `${given.toLowerCase()}${i >= FIRST.length ? i : ''}.${surname.toLowerCase()}@${o.domain}`,
      given_name: given, surname, status, joined_on: iso(o.nowMs - (400 - i) * day), external_id: `emp-${1000 + i}`,
      roles: i === 0 ? [ROLES.team!] : i === 1 ? [ROLES.users!] : i === 5 ? [ROLES.support!] : [],
      apps: [], sessions: [],
    };
    if (status === 'active' || status === 'suspended') {
      member.sessions.push({ kind: 'web_session', session_id: ids.session(p, 'dbwsid'), ip_address: `203.0.113.${10 + i}`, country: 'US', created: iso(o.nowMs - 2 * day) });
      if (i % 2 === 0) member.sessions.push({ kind: 'desktop_client', session_id: ids.session(p, 'dbdsid'), ip_address: `198.51.100.${10 + i}`, country: 'US', created: iso(o.nowMs - 30 * day) });
      if (i % 3 === 0) member.sessions.push({ kind: 'mobile_client', session_id: ids.session(p, 'dbmsid'), ip_address: `192.0.2.${10 + i}`, country: 'DE', created: iso(o.nowMs - 9 * day) });
      const apps = i % 3 === 1 ? 2 : i % 3 === 0 ? 1 : 0;
      for (let a = 0; a < apps; a++) member.apps.push({ ...APPS[(i + a) % APPS.length]!, app_id: ids.app(p), linked: iso(o.nowMs - (20 + a) * day) });
    }
    state.members.push(member);
  }
  const joined = state.members.filter((m) => m.status !== 'invited' && m.status !== 'removed');
  for (let g = 0; g < o.groups; g++) {
    const group: SimGroup = { group_id: ids.group(p), group_name: GROUP_NAMES[g % GROUP_NAMES.length]! + (g >= GROUP_NAMES.length ? ` ${g}` : ''), management: g === 0 ? 'company_managed' : 'user_managed', members: [] };
    joined.forEach((m, i) => { if (i % (g + 2) === 0 || (i === 0 && g === 0)) group.members.push({ id: m.team_member_id, access: group.members.length === 0 ? 'owner' : 'member' }); });
    state.groups.push(group);
  }
  const at = (k: number) => iso(o.nowMs - (10 + k) * day);
  const entry = (space: string, tag: SimEntry['tag'], path: string, k: number): SimEntry => {
    const e: SimEntry = { tag, id: ids.entry(p), space, path, size: tag === 'file' ? 1000 + p.int(0, 900_000) : 0, client_modified: at(k), server_modified: at(k), rev: ids.rev(p) };
    state.entries.set(e.id, e);
    return e;
  };
  joined.forEach((m, n) => {
    const s = m.team_member_id;
    entry(s, 'folder', '/Projects', 0);
    entry(s, 'file', `/Projects/plan-${n}.docx`, 1);
    const report = entry(s, 'file', `/report-${n}.xlsx`, 2);
    state.links.push({ url: `https://www.dropbox.com/scl/fi/${ids.link(p)}/report-${n}.xlsx?rlkey=${ids.link(p)}&dl=0`, entryId: report.id, space: s, visibility: 'public', createdBy: s });
    const folder = entry(s, 'folder', '/Shared with partners', 3);
    folder.shared_folder_id = ids.namespace(p);
    const colleague = joined[(n + 1) % joined.length]!;
    const partner = PARTNERS[n % PARTNERS.length]!;
    state.sharedFolders.set(folder.shared_folder_id, {
      shared_folder_id: folder.shared_folder_id, name: 'Shared with partners', space: s, path: folder.path,
      users: [
        { account_id: m.account_id, email: m.email, display_name: displayName(m), same_team: true, team_member_id: s, access: 'owner' },
        ...(colleague !== m ? [{ account_id: colleague.account_id, email: colleague.email, display_name: displayName(colleague), same_team: true, team_member_id: colleague.team_member_id, access: 'editor' as const }] : []),
        { account_id: ids.account(p), email: `guest${n}@${partner}`, display_name: `Guest ${n}`, same_team: false, access: 'editor' },
      ],
      invitees: [{ email: `invitee${n}@${partner}`, access: 'viewer' }],
    });
    entry(s, 'file', `/Shared with partners/contract-${n}.pdf`, 4);
    const notes = entry(s, 'file', `/notes-${n}.txt`, 5);
    state.links.push({ url: `https://www.dropbox.com/scl/fi/${ids.link(p)}/notes-${n}.txt?rlkey=${ids.link(p)}&dl=0`, entryId: notes.id, space: s, visibility: 'team_only', createdBy: s });
    for (let k = 6; k < o.filesPerMember; k++) entry(s, 'file', `/Projects/draft-${n}-${k}.txt`, k);
  });
  const admin = state.members[0]!;
  for (let t = 0; t < o.teamFolders; t++) {
    const folder: SimTeamFolder = { team_folder_id: ids.namespace(p), name: `${GROUP_NAMES[(t + 2) % GROUP_NAMES.length]} Team` };
    state.teamFolders.push(folder);
    const space = `ns:${folder.team_folder_id}`;
    const budget = entry(space, 'file', `/${folder.name}/budget-${t}.xlsx`, 7);
    entry(space, 'file', `/${folder.name}/handbook-${t}.pdf`, 8);
    state.links.push({ url: `https://www.dropbox.com/scl/fi/${ids.link(p)}/budget-${t}.xlsx?rlkey=${ids.link(p)}&dl=0`, entryId: budget.id, space, visibility: 'public', createdBy: admin.team_member_id });
  }
  return state;
}

/** The shared folder an entry is the root of, or lies in (by path, within its space). */
export function sharedFolderOf(state: TeamState, e: SimEntry): SimSharedFolder | null {
  for (const folder of state.sharedFolders.values()) {
    if (folder.space !== e.space) continue;
    const root = folder.path.toLowerCase();
    if (e.path.toLowerCase() === root || e.path.toLowerCase().startsWith(`${root}/`)) return folder;
  }
  return null;
}
