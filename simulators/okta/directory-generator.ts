import { isoString } from '../common/json.js';
import type { Prng } from '../common/prng.js';
import {
  aliceLogin, roleLabel, type Directory, type OktaApp, type OktaFactor, type OktaGrant, type OktaGroup, type OktaRoleAssignment,
  type OktaUser, type UserStatus,
} from './directory.js';
import { idFromUuid, oktaId, roleAssignmentId } from './ids.js';

export interface DirectoryOptions {
  users: number;
  groups: number;
  domain: string;
  /** The history ends here; every object was created before its start. */
  nowMs: number;
  historyMs: number;
}

const FIRST_NAMES = ['Bob', 'Carol', 'David', 'Emma', 'Farid', 'Grace', 'Hiro', 'Isabel', 'Jamal', 'Karin', 'Liam', 'Maya', 'Noah', 'Olga', 'Pedro', 'Quinn', 'Rosa', 'Samir', 'Tara', 'Umar', 'Vera', 'Wei', 'Ximena', 'Yusuf', 'Zoe', 'Anil', 'Bianca', 'Chen', 'Dana', 'Elif'];
const LAST_NAMES = ['Smith', 'Garcia', 'Nguyen', 'Okafor', 'Muller', 'Rossi', 'Tanaka', 'Kowalski', 'Silva', 'Haddad', 'Johansson', 'Patel', 'Novak', 'Dubois', 'Kim', 'Lopez', 'Ivanova', 'Brown', 'Cohen', 'Mensah', 'Fischer', 'Moreau', 'Singh', 'Walsh', 'Yilmaz'];
const GROUP_NAMES = ['IT Admins', 'Engineering', 'Sales', 'Marketing', 'Finance', 'Human Resources', 'Support', 'Legal', 'Security', 'Contractors', 'Executives', 'Product', 'Design', 'Operations', 'Data', 'Partners'];
const APP_LABELS = ['Slack', 'Zoom', 'GitHub', 'Salesforce', 'Jira', 'Box', 'Tableau'];

const DELEGATED_ROLES = ['ORG_ADMIN', 'APP_ADMIN', 'READ_ONLY_ADMIN', 'HELP_DESK_ADMIN', 'USER_ADMIN', 'REPORT_ADMIN'];
const END_USER_SCOPES = ['okta.users.read.self', 'okta.users.manage.self', 'okta.myAccount.read', 'okta.myAccount.manage'];
const ADMIN_SCOPES = ['okta.users.read', 'okta.groups.read', 'okta.apps.read', 'okta.logs.read', 'okta.users.manage'];

const DAY = 86_400_000;

function pickStatus(prng: Prng): UserStatus {
  return prng.weighted<UserStatus>([
    ['ACTIVE', 80], ['SUSPENDED', 5], ['STAGED', 4], ['LOCKED_OUT', 4], ['DEPROVISIONED', 4], ['PASSWORD_EXPIRED', 2], ['PROVISIONED', 1],
  ]);
}

function makeUser(prng: Prng, typeId: string, first: string, last: string, login: string, status: UserStatus, options: DirectoryOptions): OktaUser {
  const historyStart = options.nowMs - options.historyMs;
  const created = historyStart - prng.int(DAY, 3 * 365 * DAY);
  const everActive = status !== 'STAGED' && status !== 'PROVISIONED';
  const activated = everActive ? created + prng.int(60_000, 3 * DAY) : null;
  const statusChanged = status === 'ACTIVE' ? activated : historyStart - prng.int(0, 30 * DAY);
  const passwordChanged = everActive && activated !== null ? activated + prng.int(0, 60_000) : null;
  const lastLogin = status === 'ACTIVE' || status === 'LOCKED_OUT' || status === 'PASSWORD_EXPIRED'
    ? historyStart - prng.int(0, 7 * DAY)
    : null;
  const lastUpdated = Math.max(created, statusChanged ?? 0, passwordChanged ?? 0);
  return {
    id: oktaId(prng, '00u'),
    status,
    created: isoString(created),
    activated: activated === null ? null : isoString(activated),
    statusChanged: statusChanged === null ? null : isoString(statusChanged),
    lastLogin: lastLogin === null ? null : isoString(lastLogin),
    lastUpdated: isoString(lastUpdated),
    passwordChanged: passwordChanged === null ? null : isoString(passwordChanged),
    type: { id: typeId },
    profile: { firstName: first, lastName: last, mobilePhone: null, secondEmail: null, login, email: login },
    credentials: {
      emails: [{ value: login, status: 'VERIFIED', type: 'PRIMARY' }],
      provider: { type: 'OKTA', name: 'OKTA' },
    },
  };
}

/** Builds the org's users, groups, memberships, admin roles, apps and grants, deterministically from `prng`. */
export function generateDirectory(prng: Prng, options: DirectoryOptions): Directory {
  const typeId = oktaId(prng, 'oty');
  const historyStart = options.nowMs - options.historyMs;
  const at = (ms: number) => isoString(ms);

  const users: OktaUser[] = [makeUser(prng, typeId, 'Alice', 'Anderson', aliceLogin(options.domain), 'ACTIVE', options)];
  const logins = new Set(users.map((u) => u.profile.login));
  while (users.length < options.users) {
    const first = prng.pick(FIRST_NAMES);
    const last = prng.pick(LAST_NAMES);
    let login = `${first}.${last}@${options.domain}`.toLowerCase();
    for (let n = 2; logins.has(login); n++) login = `${first}.${last}${n}@${options.domain}`.toLowerCase();
    logins.add(login);
    users.push(makeUser(prng, typeId, first, last, login, pickStatus(prng), options));
  }

  const groupCreated = historyStart - 400 * DAY;
  const groups: OktaGroup[] = [{
    id: oktaId(prng, '00g'),
    created: at(groupCreated),
    lastUpdated: at(groupCreated),
    lastMembershipUpdated: at(historyStart - DAY),
    objectClass: ['okta:user_group'],
    type: 'BUILT_IN',
    profile: { name: 'Everyone', description: 'All users in your organization' },
  }];
  for (let i = 0; i < options.groups; i++) {
    const base = GROUP_NAMES[i % GROUP_NAMES.length] as string;
    const name = i < GROUP_NAMES.length ? base : `${base} ${Math.floor(i / GROUP_NAMES.length) + 1}`;
    const created = groupCreated + prng.int(0, 300 * DAY);
    groups.push({
      id: oktaId(prng, '00g'),
      created: at(created),
      lastUpdated: at(created),
      lastMembershipUpdated: at(historyStart - prng.int(0, 30 * DAY)),
      objectClass: ['okta:user_group'],
      type: 'OKTA_GROUP',
      profile: { name, description: `${name} team` },
    });
  }

  const memberships = new Map<string, Set<string>>(groups.map((g) => [g.id, new Set<string>()]));
  const oktaGroups = groups.filter((g) => g.type === 'OKTA_GROUP');
  for (const [index, user] of users.entries()) {
    memberships.get(groups[0]!.id)!.add(user.id);
    if (oktaGroups.length === 0) continue;
    // Alice is in the first group (IT Admins), so the group role below reaches her too.
    if (index === 0) memberships.get(oktaGroups[0]!.id)!.add(user.id);
    const count = prng.int(1, Math.min(3, oktaGroups.length) + 1);
    for (let i = 0; i < count; i++) memberships.get(prng.pick(oktaGroups).id)!.add(user.id);
  }

  const role = (type: string, assignmentType: 'USER' | 'GROUP'): OktaRoleAssignment => {
    const created = historyStart - prng.int(DAY, 200 * DAY);
    return { id: roleAssignmentId(prng), label: roleLabel(type), type, status: 'ACTIVE', created: at(created), lastUpdated: at(created), assignmentType };
  };
  const userRoles = new Map<string, OktaRoleAssignment[]>();
  userRoles.set(users[0]!.id, [role('SUPER_ADMIN', 'USER')]);
  const activeOthers = users.slice(1).filter((u) => u.status === 'ACTIVE');
  const adminCount = Math.min(activeOthers.length, Math.max(1, Math.round(users.length * 0.06)));
  for (let i = 0; i < adminCount; i++) {
    const user = activeOthers[Math.floor((i * activeOthers.length) / adminCount)]!;
    userRoles.set(user.id, [role(DELEGATED_ROLES[i % DELEGATED_ROLES.length]!, 'USER')]);
  }
  const groupRoles = new Map<string, OktaRoleAssignment[]>();
  if (oktaGroups[0]) groupRoles.set(oktaGroups[0].id, [role('HELP_DESK_ADMIN', 'GROUP')]);

  const apps: OktaApp[] = APP_LABELS.map((label) => ({ clientId: oktaId(prng, '0oa'), label }));
  const grants = new Map<string, OktaGrant[]>();
  for (const [index, user] of users.entries()) {
    if (user.status !== 'ACTIVE' || (index > 0 && !prng.chance(0.5))) continue;
    const list: OktaGrant[] = [];
    const count = index === 0 ? 2 : prng.int(1, 4);
    for (let i = 0; i < count; i++) {
      const admin = prng.chance(0.2);
      const created = historyStart - prng.int(DAY, 180 * DAY);
      list.push({
        id: oktaId(prng, 'oag'),
        status: 'ACTIVE',
        created: at(created),
        createdBy: { id: user.id, type: 'User' },
        lastUpdated: at(created),
        clientId: prng.pick(apps).clientId,
        userId: user.id,
        scopeId: prng.pick(admin ? ADMIN_SCOPES : END_USER_SCOPES),
        source: admin ? 'ADMIN' : 'END_USER',
      });
    }
    grants.set(user.id, list);
  }

  return {
    users, groups, memberships, userRoles, groupRoles, grants, factors: enrolledFactors(users), apps, deleted: new Set(),
    systemPrincipalId: oktaId(prng, '0oa'), apiTokenId: oktaId(prng, '00T'),
  };
}

const FACTOR_KINDS: ReadonlyArray<Pick<OktaFactor, 'factorType' | 'provider' | 'vendorName'> & { prefix: string }> = [
  { factorType: 'push', provider: 'OKTA', vendorName: 'OKTA', prefix: 'opf' },
  { factorType: 'token:software:totp', provider: 'GOOGLE', vendorName: 'GOOGLE', prefix: 'uft' },
  { factorType: 'sms', provider: 'OKTA', vendorName: 'OKTA', prefix: 'mbl' },
];

/**
 * The factors of every user who was ever activated: one to three, derived from the user's id (not
 * from the generator's sequence, so adding factors changed no other generated object).
 */
function enrolledFactors(users: readonly OktaUser[]): Map<string, OktaFactor[]> {
  const factors = new Map<string, OktaFactor[]>();
  for (const user of users) {
    if (user.activated === null) continue;
    const count = 1 + (idFromUuid(user.id, 1).charCodeAt(0) % FACTOR_KINDS.length);
    factors.set(user.id, FACTOR_KINDS.slice(0, count).map((kind, i) => ({
      id: kind.prefix + idFromUuid(user.id, 17, i + 1),
      factorType: kind.factorType,
      provider: kind.provider,
      vendorName: kind.vendorName,
      status: 'ACTIVE',
      created: user.activated!,
      lastUpdated: user.activated!,
      profile: factorProfile(kind.factorType, user),
    })));
  }
  return factors;
}

function factorProfile(type: OktaFactor['factorType'], user: OktaUser): Record<string, string> {
  return type === 'sms' ? { phoneNumber: '+1-555-010-0000' } : type === 'push' ? { name: `${user.profile.firstName}'s phone`, platform: 'IOS' } : { credentialId: user.profile.login };
}
