/** The generated org: users and their logins, profiles, permission sets, groups, OAuth tokens and files. */
import { createPrng, type Prng } from '../common/prng.js';
import { PREFIX, salesforceId } from './ids.js';

export type Row = Record<string, unknown>;

export interface Org {
  orgId: string;
  domain: string;
  users: Row[];
  userLogins: Row[];
  profiles: Row[];
  permissionSets: Row[];
  assignments: Row[];
  groups: Row[];
  members: Row[];
  oauthTokens: Row[];
  documents: Row[];
  links: Row[];
  distributions: Row[];
}

const ADMIN_GRADE = { PermissionsModifyAllData: true, PermissionsViewAllData: true, PermissionsManageUsers: true, PermissionsAuthorApex: true, PermissionsCustomizeApplication: true, PermissionsManageProfilesPermissionsets: true, PermissionsManageSharing: true };
const NO_ADMIN = { PermissionsModifyAllData: false, PermissionsViewAllData: false, PermissionsManageUsers: false, PermissionsAuthorApex: false, PermissionsCustomizeApplication: false, PermissionsManageProfilesPermissionsets: false, PermissionsManageSharing: false };

const PROFILES: Array<[string, Partial<typeof ADMIN_GRADE>]> = [
  ['System Administrator', ADMIN_GRADE],
  ['Standard User', {}],
  ['Marketing User', {}],
  ['Read Only', {}],
];
const PERMISSION_SETS: Array<[string, string, Partial<typeof ADMIN_GRADE>]> = [
  ['Security_Auditor', 'Security Auditor', { PermissionsViewAllData: true }],
  ['User_Manager', 'User Manager', { PermissionsManageUsers: true }],
  ['Sales_Operations', 'Sales Operations', {}],
];
const FIRST = ['Alice', 'Bruno', 'Chen', 'Dana', 'Emeka', 'Fatima', 'Gustav', 'Hana', 'Ivan', 'Jade', 'Kofi', 'Lena', 'Mateo', 'Nora', 'Omar', 'Priya'];
const LAST = ['Martin', 'Okafor', 'Nguyen', 'Schmidt', 'Rossi', 'Kowalski', 'Haddad', 'Tanaka', 'Silva', 'Dubois'];
const APPS = ['Salesforce for iOS', 'Data Loader', 'Slack', 'Tableau Desktop', 'Salesforce CLI'];
const FILE_TYPES: Array<[string, string]> = [['pdf', 'PDF'], ['docx', 'WORD_X'], ['xlsx', 'EXCEL_X'], ['png', 'PNG'], ['csv', 'CSV']];
const TITLES = ['Q3 pipeline', 'Renewal terms', 'Board deck', 'Pricing sheet', 'Customer list', 'Onboarding guide', 'Contract draft', 'Forecast'];

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

export interface OrgOptions {
  users: number;
  groups: number;
  files: number;
  domain: string;
  /** The start of the generation day (see `generationDay`). */
  nowMs: number;
}

export function generateOrg(seed: string, o: OrgOptions): Org {
  const prng = createPrng(`${seed}:org`);
  const id = (prefix: string, key: string) => salesforceId(prefix, `${seed}:${key}`);
  const orgId = id(PREFIX.Organization, 'org');
  const profiles: Row[] = [];
  const permissionSets: Row[] = [];
  for (const [name, perms] of PROFILES) {
    const profile = { Id: id(PREFIX.Profile, `profile:${name}`), Name: name };
    profiles.push(profile);
    permissionSets.push({ Id: id(PREFIX.PermissionSet, `profile-set:${name}`), Name: `X00e${name.replace(/\W/g, '')}`, Label: name, IsOwnedByProfile: true, ProfileId: profile.Id, Profile: profile, ...NO_ADMIN, ...perms });
  }
  for (const [name, label, perms] of PERMISSION_SETS) {
    permissionSets.push({ Id: id(PREFIX.PermissionSet, `set:${name}`), Name: name, Label: label, IsOwnedByProfile: false, ProfileId: null, Profile: null, ...NO_ADMIN, ...perms });
  }
  const users: Row[] = [];
  const userLogins: Row[] = [];
  const assignments: Row[] = [];
  for (let i = 0; i < o.users; i++) {
    // The first user is the admin, the second the connector's integration user.
    const first = i === 0 ? 'Admin' : i === 1 ? 'Integration' : FIRST[i % FIRST.length]!;
    const last = i === 0 ? 'User' : i === 1 ? 'User' : LAST[(i * 7) % LAST.length]!;
    const local = i === 0 ? 'admin' : i === 1 ? 'integration' : `${first}.${last}${i}`.toLowerCase();
    const profile = profiles[i < 2 ? 0 : prng.weighted([[1, 6], [2, 2], [3, 1]] as const)]!;
    const created = o.nowMs - prng.int(30, 900) * 86_400_000;
    const user: Row = {
      Id: id(PREFIX.User, `user:${i}`), Username: `${local}@${o.domain}`, Email: `${local}@${o.domain}`, Name: `${first} ${last}`,
      IsActive: i < 2 || prng.chance(0.92), UserType: 'Standard', ProfileId: profile.Id, Profile: profile, UserRoleId: null,
      LastLoginDate: iso(o.nowMs - prng.int(1, 72) * 3_600_000), LastPasswordChangeDate: iso(created), CreatedDate: iso(created),
    };
    users.push(user);
    userLogins.push({ Id: id(PREFIX.UserLogin, `login:${i}`), UserId: user.Id, IsFrozen: i >= 2 && prng.chance(0.05), IsPasswordLocked: false });
    const profileSet = permissionSets.find((s) => s.ProfileId === profile.Id)!;
    assignments.push({ Id: id(PREFIX.PermissionSetAssignment, `assign:${i}:profile`), AssigneeId: user.Id, PermissionSetId: profileSet.Id });
    for (const set of permissionSets.filter((s) => s.IsOwnedByProfile === false)) {
      if (i >= 2 && prng.chance(0.15)) assignments.push({ Id: id(PREFIX.PermissionSetAssignment, `assign:${i}:${String(set.Name)}`), AssigneeId: user.Id, PermissionSetId: set.Id });
    }
  }
  const groups: Row[] = [];
  const members: Row[] = [];
  for (let g = 0; g < o.groups; g++) {
    const name = ['Sales EMEA', 'Support Tier 2', 'Finance', 'Executives', 'Partners', 'Marketing'][g % 6]! + (g >= 6 ? ` ${g}` : '');
    const group = { Id: id(PREFIX.Group, `group:${g}`), Name: name, DeveloperName: name.replace(/\W/g, '_'), Type: 'Regular', Email: null, CreatedDate: iso(o.nowMs - 400 * 86_400_000) };
    groups.push(group);
    for (let i = 1; i < users.length; i++) {
      if (prng.chance(0.3)) members.push({ Id: id(PREFIX.GroupMember, `member:${g}:${i}`), GroupId: group.Id, UserOrGroupId: users[i]!.Id });
    }
  }
  // A role group, which the public-group scan leaves out.
  groups.push({ Id: id(PREFIX.Group, 'group:role'), Name: 'CEO', DeveloperName: 'CEO', Type: 'Role', Email: null, CreatedDate: iso(o.nowMs - 400 * 86_400_000) });
  const oauthTokens: Row[] = [];
  users.forEach((user, i) => {
    if (i === 1 || !prng.chance(0.4)) return;
    oauthTokens.push({
      Id: id(PREFIX.OauthToken, `token:${i}`), AppName: prng.pick(APPS), AppMenuItemId: null, UserId: user.Id, User: user,
      LastUsedDate: iso(o.nowMs - prng.int(1, 200) * 3_600_000), UseCount: prng.int(1, 500), CreatedDate: iso(o.nowMs - prng.int(5, 90) * 86_400_000),
    });
  });
  const documents: Row[] = [];
  const links: Row[] = [];
  const distributions: Row[] = [];
  for (let f = 0; f < o.files; f++) {
    const owner = users[prng.int(0, users.length)]!;
    const [extension, fileType] = prng.pick(FILE_TYPES);
    const created = o.nowMs - prng.int(1, 300) * 86_400_000;
    const doc: Row = {
      Id: id(PREFIX.ContentDocument, `doc:${f}`), Title: `${prng.pick(TITLES)} ${f + 1}`, FileExtension: extension, FileType: fileType,
      ContentSize: prng.int(2_000, 5_000_000), OwnerId: owner.Id, Owner: owner, CreatedDate: iso(created), LastModifiedDate: iso(created + prng.int(0, 20) * 86_400_000),
      LatestPublishedVersionId: id(PREFIX.ContentVersion, `version:${f}`),
    };
    documents.push(doc);
    links.push({ Id: id(PREFIX.ContentDocumentLink, `link:${f}:owner`), ContentDocumentId: doc.Id, LinkedEntityId: owner.Id, ShareType: 'I', Visibility: 'AllUsers' });
    if (prng.chance(0.5)) {
      const other = prng.chance(0.5) && groups.length > 1 ? groups[prng.int(0, groups.length - 1)]! : users[prng.int(0, users.length)]!;
      if (other.Id !== owner.Id) links.push({ Id: id(PREFIX.ContentDocumentLink, `link:${f}:share`), ContentDocumentId: doc.Id, LinkedEntityId: other.Id, ShareType: prng.pick(['V', 'C']), Visibility: 'AllUsers' });
    }
    if (prng.chance(0.35)) distributions.push(distribution(doc, `${seed}:dist:${f}`, created, prng, o.domain));
  }
  return { orgId, domain: o.domain, users, userLogins, profiles, permissionSets, assignments, groups, members, oauthTokens, documents, links, distributions };
}

/** A public link (ContentDistribution) of a document. */
export function distribution(doc: Row, key: string, createdMs: number, prng: Prng, domain: string): Row {
  const token = prng.chars(24, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
  return {
    Id: salesforceId(PREFIX.ContentDistribution, key), ContentDocumentId: doc.Id, Name: doc.Title,
    DistributionPublicUrl: `https://${domain.split('.')[0]}.my.salesforce.com/sfc/p/${token}`,
    PreferencesAllowViewInBrowser: true, PreferencesPasswordRequired: false, ExpiryDate: null,
    CreatedDate: iso(createdMs), LastModifiedDate: iso(createdMs),
  };
}

export { iso as salesforceTime };
