import { isoString } from '../common/json.js';
import type { Prng } from '../common/prng.js';
import { googleIds } from './ids.js';

/** A Directory API User resource (the fields the simulator serves). */
export interface SimUser {
  kind: 'admin#directory#user';
  id: string;
  etag: string;
  primaryEmail: string;
  name: { givenName: string; familyName: string; fullName: string };
  isAdmin: boolean;
  isDelegatedAdmin: boolean;
  lastLoginTime: string;
  creationTime: string;
  agreedToTerms: boolean;
  suspended: boolean;
  suspensionReason?: string;
  archived: boolean;
  changePasswordAtNextLogin: boolean;
  ipWhitelisted: boolean;
  emails: Array<{ address: string; primary?: boolean }>;
  customerId: string;
  orgUnitPath: string;
  isMailboxSetup: boolean;
  isEnrolledIn2Sv: boolean;
  isEnforcedIn2Sv: boolean;
  includeInGlobalAddressList: boolean;
}

export interface SimGroup {
  kind: 'admin#directory#group';
  id: string;
  etag: string;
  email: string;
  name: string;
  directMembersCount: string;
  description: string;
  adminCreated: boolean;
}

export interface SimMember {
  kind: 'admin#directory#member';
  etag: string;
  id: string;
  email: string;
  role: 'OWNER' | 'MANAGER' | 'MEMBER';
  type: 'USER' | 'GROUP';
  status: 'ACTIVE';
  delivery_settings?: string;
}

export interface SimRole {
  kind: 'admin#directory#role';
  etag: string;
  roleId: string;
  roleName: string;
  roleDescription: string;
  rolePrivileges: Array<{ privilegeName: string; serviceId: string }>;
  isSystemRole: boolean;
  isSuperAdminRole: boolean;
}

export interface SimRoleAssignment {
  kind: 'admin#directory#roleAssignment';
  etag: string;
  roleAssignmentId: string;
  roleId: string;
  assignedTo: string;
  assigneeType: 'user' | 'group';
  scopeType: 'CUSTOMER' | 'ORG_UNIT';
  orgUnitId?: string;
}

/** A third-party app users grant OAuth tokens to. */
export interface SimApp {
  clientId: string;
  name: string;
  clientType: 'WEB' | 'NATIVE_DESKTOP' | 'NATIVE_APPLICATION' | 'NATIVE_ANDROID';
  scopes: string[];
}

/** A Directory API Token resource: an app's OAuth access a user granted. */
export interface SimToken {
  kind: 'admin#directory#token';
  etag: string;
  clientId: string;
  displayText: string;
  anonymous: boolean;
  nativeApp: boolean;
  userKey: string;
  scopes: string[];
}

/** The tenant's directory, live: governance calls change it, and tests may read it. */
export interface Directory {
  customerId: string;
  domain: string;
  users: SimUser[];
  groups: SimGroup[];
  /** Group id → its direct members. */
  members: Map<string, SimMember[]>;
  roles: SimRole[];
  roleAssignments: SimRoleAssignment[];
  apps: SimApp[];
  /** User id → the OAuth tokens the user granted. */
  tokens: Map<string, SimToken[]>;
  /** User id → when an admin last signed the user out (`POST users/{key}/signOut`). */
  signOuts: Map<string, number>;
}

const FIRST = ['Alice', 'Bob', 'Carol', 'Dan', 'Erin', 'Frank', 'Grace', 'Heidi', 'Ivan', 'Judy', 'Mallory', 'Niaj', 'Olivia', 'Peggy', 'Rupert', 'Sybil', 'Trent', 'Victor', 'Walter', 'Yara'];
const LAST = ['Anderson', 'Brown', 'Chen', 'Diaz', 'Evans', 'Fischer', 'Garcia', 'Haddad', 'Ito', 'Jensen', 'Kowalski', 'Larsen', 'Moreau', 'Nakamura', 'Okafor', 'Patel'];
const GROUP_NAMES = ['Engineering', 'Sales', 'Finance', 'Support', 'Marketing', 'Legal', 'People', 'Security'];
const ORG_UNITS = ['/', '/Engineering', '/Sales', '/Finance'];

// Apps seen in the Token audit samples (Google Chrome, Panther) and common ones.
const APPS: SimApp[] = [
  { clientId: '77185425430.apps.googleusercontent.com', name: 'Google Chrome', clientType: 'NATIVE_APPLICATION', scopes: ['https://www.google.com/accounts/OAuthLogin'] },
  { clientId: '433621349790-9qchlplr8d8lp6fbt3ngn56t5856et37.apps.googleusercontent.com', name: 'Panther', clientType: 'NATIVE_DESKTOP', scopes: ['https://www.googleapis.com/auth/admin.reports.audit.readonly'] },
  { clientId: '292824132082.apps.googleusercontent.com', name: 'Slack', clientType: 'WEB', scopes: ['openid', 'https://www.googleapis.com/auth/userinfo.email', 'https://www.googleapis.com/auth/drive.readonly'] },
  { clientId: '849883241272-ed6lnodi1grnoomiuknqkq2rbvd2udku.apps.googleusercontent.com', name: 'Zoom', clientType: 'WEB', scopes: ['openid', 'https://www.googleapis.com/auth/calendar'] },
  { clientId: '1083469133-2p0ls2e6hrhj9kqubnl0r4l2bpiiqsq1.apps.googleusercontent.com', name: 'DocuSign', clientType: 'WEB', scopes: ['https://www.googleapis.com/auth/drive.file'] },
];

// Google's predefined admin roles (system roles) and one custom role.
const ROLE_DEFINITIONS: Array<Pick<SimRole, 'roleName' | 'roleDescription' | 'isSystemRole' | 'isSuperAdminRole'>> = [
  { roleName: '_SEED_ADMIN_ROLE', roleDescription: 'Super Admin', isSystemRole: true, isSuperAdminRole: true },
  { roleName: '_GROUPS_ADMIN_ROLE', roleDescription: 'Groups Administrator', isSystemRole: true, isSuperAdminRole: false },
  { roleName: '_USER_MANAGEMENT_ADMIN_ROLE', roleDescription: 'User Management Administrator', isSystemRole: true, isSuperAdminRole: false },
  { roleName: '_HELP_DESK_ADMIN_ROLE', roleDescription: 'Help Desk Administrator', isSystemRole: true, isSuperAdminRole: false },
  { roleName: '_SERVICES_ADMIN_ROLE', roleDescription: 'Services Administrator', isSystemRole: true, isSuperAdminRole: false },
  { roleName: 'Security Reviewer', roleDescription: 'Reads the audit logs', isSystemRole: false, isSuperAdminRole: false },
];

export interface DirectorySettings {
  users: number;
  groups: number;
  domain: string;
  adminEmail: string;
  nowMs: number;
}

/**
 * Generates the directory from a seed: the first user is the super admin; others are mostly active,
 * some suspended or archived; about one in ten holds a delegated admin role; half granted app tokens.
 */
export function generateDirectory(prng: Prng, settings: DirectorySettings): Directory {
  const { domain, nowMs } = settings;
  const customerId = googleIds.customer(prng);
  const usedEmails = new Set<string>();
  const users: SimUser[] = [];
  for (let i = 0; i < settings.users; i++) {
    const givenName = i === 0 ? 'Ada' : prng.pick(FIRST);
    const familyName = i === 0 ? 'Admin' : prng.pick(LAST);
    let email = i === 0 ? settings.adminEmail : `${givenName}.${familyName}@${domain}`.toLowerCase();
    for (let n = 2; usedEmails.has(email); n++) email = `${givenName}.${familyName}${n}@${domain}`.toLowerCase();
    usedEmails.add(email);
    const status = i === 0 ? 'active' : prng.weighted([['active', 85], ['suspended', 10], ['archived', 5]] as const);
    const createdMs = nowMs - prng.int(30, 900) * 86_400_000;
    const neverSignedIn = i !== 0 && prng.chance(0.05);
    const user: SimUser = {
      kind: 'admin#directory#user',
      id: googleIds.user(prng),
      etag: googleIds.etag(prng),
      primaryEmail: email,
      name: { givenName, familyName, fullName: `${givenName} ${familyName}` },
      isAdmin: i === 0,
      isDelegatedAdmin: false,
      // Google reports "never" as the epoch.
      lastLoginTime: neverSignedIn ? '1970-01-01T00:00:00.000Z' : isoString(nowMs - prng.int(1, 20 * 86_400) * 1000),
      creationTime: isoString(createdMs),
      agreedToTerms: true,
      suspended: status === 'suspended',
      archived: status === 'archived',
      changePasswordAtNextLogin: false,
      ipWhitelisted: false,
      emails: [{ address: email, primary: true }],
      customerId,
      orgUnitPath: i === 0 ? '/' : prng.pick(ORG_UNITS),
      isMailboxSetup: true,
      isEnrolledIn2Sv: i === 0 || prng.chance(0.7),
      isEnforcedIn2Sv: prng.chance(0.5),
      includeInGlobalAddressList: true,
    };
    if (user.suspended) user.suspensionReason = 'ADMIN';
    users.push(user);
  }

  const groups: SimGroup[] = [];
  const members = new Map<string, SimMember[]>();
  for (let g = 0; g < settings.groups; g++) {
    const base = GROUP_NAMES[g % GROUP_NAMES.length]!;
    const name = g < GROUP_NAMES.length ? base : `${base} ${Math.floor(g / GROUP_NAMES.length) + 1}`;
    const group: SimGroup = {
      kind: 'admin#directory#group', id: googleIds.group(prng), etag: googleIds.etag(prng),
      email: `${name.toLowerCase().replace(/\s+/g, '-')}@${domain}`, name, directMembersCount: '0', description: `${name} team`, adminCreated: true,
    };
    const list: SimMember[] = [];
    users.forEach((user, i) => {
      if (i === 0 ? g === 0 : !prng.chance(0.4)) return;
      list.push({ kind: 'admin#directory#member', etag: googleIds.etag(prng), id: user.id, email: user.primaryEmail, role: list.length === 0 ? 'OWNER' : 'MEMBER', type: 'USER', status: 'ACTIVE', delivery_settings: 'ALL_MAIL' });
    });
    // Each group is also a member of the one before it: Google allows nested groups.
    const previous = groups[g - 1];
    if (previous) {
      const previousMembers = members.get(previous.id)!;
      previousMembers.push({ kind: 'admin#directory#member', etag: googleIds.etag(prng), id: group.id, email: group.email, role: 'MEMBER', type: 'GROUP', status: 'ACTIVE' });
      previous.directMembersCount = String(previousMembers.length);
    }
    group.directMembersCount = String(list.length);
    groups.push(group);
    members.set(group.id, list);
  }

  const roles: SimRole[] = ROLE_DEFINITIONS.map((definition) => ({
    kind: 'admin#directory#role', etag: googleIds.etag(prng), roleId: googleIds.role(prng), ...definition,
    rolePrivileges: [{ privilegeName: definition.isSuperAdminRole ? 'SUPER_ADMIN' : 'REPORTS_ACCESS', serviceId: '00haapch16h1ysv' }],
  }));
  const roleAssignments: SimRoleAssignment[] = [];
  const assign = (roleId: string, assignedTo: string, assigneeType: 'user' | 'group') => {
    roleAssignments.push({ kind: 'admin#directory#roleAssignment', etag: googleIds.etag(prng), roleAssignmentId: googleIds.roleAssignment(prng), roleId, assignedTo, assigneeType, scopeType: 'CUSTOMER' });
  };
  assign(roles[0]!.roleId, users[0]!.id, 'user');
  users.forEach((user, i) => {
    if (i === 0 || user.suspended || !prng.chance(0.1)) return;
    user.isDelegatedAdmin = true;
    assign(prng.pick(roles.slice(1)).roleId, user.id, 'user');
  });
  if (groups[0]) assign(roles[1]!.roleId, groups[0].id, 'group');

  const tokens = new Map<string, SimToken[]>();
  users.forEach((user, i) => {
    if (user.suspended || (i !== 0 && !prng.chance(0.5))) return;
    const granted = APPS.filter((_, a) => (i === 0 ? a < 2 : prng.chance(0.35)));
    if (granted.length === 0) return;
    tokens.set(user.id, granted.map((app) => ({
      kind: 'admin#directory#token', etag: googleIds.etag(prng), clientId: app.clientId, displayText: app.name,
      anonymous: false, nativeApp: app.clientType !== 'WEB', userKey: user.id, scopes: [...app.scopes],
    })));
  });

  return { customerId, domain, users, groups, members, roles, roleAssignments, apps: APPS.map((a) => ({ ...a, scopes: [...a.scopes] })), tokens, signOuts: new Map() };
}

/** A user by primary email, alias or id (`userKey`), case-insensitively for emails. */
export function findUser(directory: Directory, userKey: string): SimUser | undefined {
  const key = userKey.toLowerCase();
  return directory.users.find((u) => u.id === userKey || u.primaryEmail === key || u.emails.some((e) => e.address.toLowerCase() === key));
}

/** A group by email or id. */
export function findGroup(directory: Directory, groupKey: string): SimGroup | undefined {
  const key = groupKey.toLowerCase();
  return directory.groups.find((g) => g.id === groupKey || g.email === key);
}

/** Whether the user holds an admin role (super admin or delegated), as the Admin SDK requires of the caller. */
export function isAdministrator(user: SimUser): boolean {
  return user.isAdmin || user.isDelegatedAdmin;
}
