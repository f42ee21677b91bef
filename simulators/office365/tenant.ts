import { isoString } from '../common/json.js';
import type { Prng } from '../common/prng.js';
import type { DriveState } from './drives.js';
import { grantId, puid } from './ids.js';
import { EXTERNAL_DOMAINS, FIRST } from './names.js';
import { generateFiles } from './tenant-files.js';

/** A user as Graph returns it (the fields the simulator serves; `$select` picks among them). */
export interface GraphUser {
  id: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  userPrincipalName: string;
  mail: string | null;
  accountEnabled: boolean;
  userType: 'Member' | 'Guest';
  createdDateTime: string;
  jobTitle: string | null;
  department: string | null;
  externalUserState: string | null;
  signInSessionsValidFromDateTime: string;
  passwordProfile: { forceChangePasswordNextSignIn: boolean };
  signInActivity: { lastSignInDateTime: string | null };
}

export interface GraphGroup {
  id: string;
  displayName: string;
  description: string;
  mail: string | null;
  mailEnabled: boolean;
  securityEnabled: boolean;
  groupTypes: string[];
  visibility: string | null;
  createdDateTime: string;
}

export interface DirectoryRole {
  id: string;
  displayName: string;
  description: string;
  roleTemplateId: string;
}

export interface AppRole {
  id: string;
  value: string;
  displayName: string;
  description: string;
  allowedMemberTypes: string[];
  isEnabled: boolean;
}

export interface ServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
  servicePrincipalType: 'Application';
  appRoles: AppRole[];
}

export interface PermissionGrant {
  id: string;
  clientId: string;
  consentType: 'Principal' | 'AllPrincipals';
  principalId: string | null;
  resourceId: string;
  scope: string;
}

export interface AppRoleAssignment {
  id: string;
  appRoleId: string;
  createdDateTime: string;
  principalId: string;
  principalType: 'ServicePrincipal' | 'User';
  principalDisplayName: string;
  resourceId: string;
  resourceDisplayName: string;
}

export interface Site {
  id: string;
  name: string;
  displayName: string;
  webUrl: string;
  createdDateTime: string;
}

export interface SensitivityLabel {
  id: string;
  name: string;
}

/** The tenant's data, live: governance calls change it, and tests may read it. */
export interface Tenant {
  org: { id: string; displayName: string; verifiedDomains: Array<{ name: string; isDefault: boolean; isInitial: boolean; type: string }> };
  domain: string;
  users: GraphUser[];
  /** User id → PUID (the `UserKey` of audit records). */
  puids: Map<string, string>;
  groups: GraphGroup[];
  /** Group id → member ids (users, and groups nested in groups). */
  members: Map<string, string[]>;
  roles: DirectoryRole[];
  /** Directory role id → member user ids. */
  roleMembers: Map<string, string[]>;
  servicePrincipals: ServicePrincipal[];
  grants: PermissionGrant[];
  appRoleAssignments: AppRoleAssignment[];
  sites: Site[];
  /** Drive id → drive state; OneDrives of members and one document library per site. */
  drives: Map<string, DriveState>;
  /** User id → the id of the user's OneDrive. */
  oneDrives: Map<string, string>;
  /** Site id → drive ids. */
  siteDrives: Map<string, string[]>;
  labels: SensitivityLabel[];
}

export interface TenantOptions {
  tenantId: string;
  domain: string;
  users: number;
  groups: number;
  sites: number;
  itemsPerDrive: number;
  nowMs: number;
  clock: () => number;
}

const DAY = 86_400_000;
const LAST = ['Smith', 'Garcia', 'Nguyen', 'Okafor', 'Muller', 'Rossi', 'Tanaka', 'Kowalski', 'Silva', 'Haddad', 'Patel', 'Novak', 'Dubois', 'Kim', 'Lopez', 'Brown', 'Cohen', 'Singh'];
const DEPARTMENTS = ['Engineering', 'Sales', 'Marketing', 'Finance', 'Legal', 'Support', 'Operations'];
const GROUP_NAMES = ['All Company', 'Engineering', 'Sales Team', 'Finance', 'IT Admins', 'Marketing', 'Legal', 'Project Phoenix', 'Support'];

/** Well-known directory role templates (the same ids in every tenant). */
const ROLE_TEMPLATES: Array<[string, string, string]> = [
  ['Global Administrator', '62e90394-69f5-4237-9190-012177145e10', 'Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.'],
  ['User Administrator', 'fe930be7-5e62-47db-91af-98c3a49a38b1', 'Can manage all aspects of users and groups.'],
  ['SharePoint Administrator', 'f28a1f50-f6e7-4571-818b-6a12f2af6b6c', 'Can manage all aspects of the SharePoint service.'],
  ['Exchange Administrator', '29232cdf-9323-42fd-ade2-1d097af3e4de', 'Can manage all aspects of the Exchange product.'],
  ['Security Reader', '5d6b6bb7-de71-4623-b4af-96380a352509', 'Can read security information and reports in Microsoft Entra ID and Office 365.'],
];

/** Microsoft Graph's service principal and some of its app roles (application permissions), with their real ids. */
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const GRAPH_APP_ROLES: Array<[string, string]> = [
  ['df021288-bdef-4463-88db-98f22de89214', 'User.Read.All'],
  ['810c84a8-4a9e-49e6-bf7d-12d183f40d01', 'Mail.Read'],
  ['75359482-378d-4052-8f01-80520e7db3cd', 'Files.ReadWrite.All'],
  ['7ab1d382-f21e-4acd-a863-ba3e13f7da61', 'Directory.Read.All'],
];
const THIRD_PARTY_APPS = ['Slack', 'Zoom', 'DocuSign', 'Trello', 'Contoso Mail Archiver'];


/** The well-known first user: `alice@<domain>`, Global Administrator, with a OneDrive holding one file of each exposure. */
export function aliceUpn(domain: string): string {
  return `alice@${domain}`;
}

/** Builds the tenant deterministically from `prng`. */
export function generateTenant(prng: Prng, options: TenantOptions): Tenant {
  const at = (ms: number) => isoString(ms);
  const tenantName = options.domain.split('.')[0]!;
  const initialDomain = `${tenantName}.onmicrosoft.com`;
  const org = {
    id: options.tenantId,
    displayName: `${tenantName[0]!.toUpperCase()}${tenantName.slice(1)}`,
    verifiedDomains: [
      { name: options.domain, isDefault: true, isInitial: false, type: 'Managed' },
      { name: initialDomain, isDefault: false, isInitial: true, type: 'Managed' },
    ],
  };

  const users: GraphUser[] = [];
  const puids = new Map<string, string>();
  const upns = new Set<string>();
  const makeUser = (first: string, last: string, guest: boolean): GraphUser => {
    const created = options.nowMs - prng.int(30 * DAY, 3 * 365 * DAY);
    let upn: string;
    let mail: string;
    if (guest) {
      const external = `${first}.${last}@${prng.pick(EXTERNAL_DOMAINS)}`.toLowerCase();
      mail = external;
      upn = `${external.replace('@', '_')}#EXT#@${initialDomain}`;
    } else {
      upn = `${first}.${last}@${options.domain}`.toLowerCase();
      for (let n = 2; upns.has(upn); n++) upn = `${first}.${last}${n}@${options.domain}`.toLowerCase();
      mail = upn;
    }
    upns.add(upn);
    const user: GraphUser = {
      id: prng.uuid(),
      displayName: `${first} ${last}`,
      givenName: first,
      surname: last,
      userPrincipalName: upn,
      mail,
      accountEnabled: guest || prng.chance(0.92),
      userType: guest ? 'Guest' : 'Member',
      createdDateTime: at(created),
      jobTitle: guest ? null : prng.pick(['Engineer', 'Account Executive', 'Analyst', 'Manager', 'Designer', 'Counsel']),
      department: guest ? null : prng.pick(DEPARTMENTS),
      externalUserState: guest ? 'Accepted' : null,
      signInSessionsValidFromDateTime: at(created),
      passwordProfile: { forceChangePasswordNextSignIn: false },
      signInActivity: { lastSignInDateTime: prng.chance(0.9) ? at(options.nowMs - prng.int(60_000, 10 * DAY)) : null },
    };
    puids.set(user.id, puid(prng));
    return user;
  };
  const alice = makeUser('Alice', 'Anderson', false);
  alice.userPrincipalName = aliceUpn(options.domain);
  alice.mail = alice.userPrincipalName;
  alice.accountEnabled = true;
  users.push(alice);
  while (users.length < options.users) {
    // About one user in ten is a guest from a partner.
    users.push(makeUser(prng.pick(FIRST), prng.pick(LAST), users.length % 10 === 9));
  }
  const members = users.filter((u) => u.userType === 'Member');
  const guests = users.filter((u) => u.userType === 'Guest');

  const groups: GraphGroup[] = [];
  const groupMembers = new Map<string, string[]>();
  for (let i = 0; i < options.groups; i++) {
    const base = GROUP_NAMES[i % GROUP_NAMES.length]!;
    const name = i < GROUP_NAMES.length ? base : `${base} ${Math.floor(i / GROUP_NAMES.length) + 1}`;
    const unified = i % 2 === 0;
    const nick = name.toLowerCase().replace(/[^a-z0-9]+/g, '');
    const group: GraphGroup = {
      id: prng.uuid(),
      displayName: name,
      description: `${name} team`,
      mail: unified ? `${nick}@${options.domain}` : null,
      mailEnabled: unified,
      securityEnabled: !unified,
      groupTypes: unified ? ['Unified'] : [],
      visibility: unified ? 'Private' : null,
      createdDateTime: at(options.nowMs - prng.int(100 * DAY, 900 * DAY)),
    };
    groups.push(group);
    const picked = new Set<string>(i === 0 ? users.map((u) => u.id) : [alice.id]);
    if (i > 0) for (let n = prng.int(2, Math.max(3, Math.ceil(users.length / 3))); n > 0; n--) picked.add(prng.pick(users).id);
    groupMembers.set(group.id, [...picked]);
  }

  const roles: DirectoryRole[] = ROLE_TEMPLATES.map(([displayName, roleTemplateId, description]) => ({ id: prng.uuid(), displayName, description, roleTemplateId }));
  const roleMembers = new Map<string, string[]>();
  roleMembers.set(roles[0]!.id, [alice.id]);
  for (const [i, role] of roles.entries()) {
    if (i === 0 || members.length < 2) continue;
    roleMembers.set(role.id, [members[1 + ((i * 7) % (members.length - 1))]!.id]);
  }

  const graphSp: ServicePrincipal = {
    id: prng.uuid(), appId: GRAPH_APP_ID, displayName: 'Microsoft Graph', servicePrincipalType: 'Application',
    appRoles: GRAPH_APP_ROLES.map(([id, value]) => ({ id, value, displayName: value, description: value, allowedMemberTypes: ['Application'], isEnabled: true })),
  };
  const firstParty: ServicePrincipal[] = [
    { id: prng.uuid(), appId: '00000002-0000-0ff1-ce00-000000000000', displayName: 'Office 365 Exchange Online', servicePrincipalType: 'Application', appRoles: [] },
    { id: prng.uuid(), appId: '00000003-0000-0ff1-ce00-000000000000', displayName: 'Office 365 SharePoint Online', servicePrincipalType: 'Application', appRoles: [] },
  ];
  const apps: ServicePrincipal[] = THIRD_PARTY_APPS.map((displayName) => ({ id: prng.uuid(), appId: prng.uuid(), displayName, servicePrincipalType: 'Application', appRoles: [] }));
  const servicePrincipals = [graphSp, ...firstParty, ...apps];

  const grants: PermissionGrant[] = [];
  // Alice consented to Slack; about a third of the members to some app; Zoom has a tenant-wide admin consent.
  const consenting = [alice, ...members.slice(1).filter(() => prng.chance(0.35))];
  for (const user of consenting) {
    const app = user === alice ? apps[0]! : prng.pick(apps.slice(0, 4));
    grants.push({
      id: grantId(prng), clientId: app.id, consentType: 'Principal', principalId: user.id, resourceId: graphSp.id,
      scope: prng.pick(['openid profile email offline_access User.Read', 'User.Read Mail.Read offline_access', 'Files.Read Calendars.Read openid']),
    });
  }
  grants.push({ id: grantId(prng), clientId: apps[1]!.id, consentType: 'AllPrincipals', principalId: null, resourceId: graphSp.id, scope: 'User.Read openid profile' });
  const archiver = apps[apps.length - 1]!;
  const appRoleAssignments: AppRoleAssignment[] = [{
    id: prng.chars(43, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'),
    appRoleId: GRAPH_APP_ROLES[1]![0], createdDateTime: at(options.nowMs - 40 * DAY),
    principalId: archiver.id, principalType: 'ServicePrincipal', principalDisplayName: archiver.displayName,
    resourceId: graphSp.id, resourceDisplayName: graphSp.displayName,
  }];

  const { labels, drives, oneDrives, siteDrives, sites } = generateFiles(prng, {
    tenantName, members, guests, alice, itemsPerDrive: options.itemsPerDrive, sites: options.sites, nowMs: options.nowMs, clock: options.clock,
  });
  return {
    org, domain: options.domain, users, puids, groups, members: groupMembers, roles, roleMembers, servicePrincipals, grants,
    appRoleAssignments, sites, drives, oneDrives, siteDrives, labels,
  };
}
