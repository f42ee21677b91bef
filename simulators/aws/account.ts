/**
 * A simulated AWS account: IAM users (console password, MFA, access keys), groups, roles with trust
 * policies, customer managed policies, S3 buckets with their ACL, policy and public access block.
 * Seeded: the same seed gives the same account. Governance calls change it in place.
 */
import { createPrng, type Prng } from '../common/prng.js';

export type Block = { BlockPublicAcls: boolean; IgnorePublicAcls: boolean; BlockPublicPolicy: boolean; RestrictPublicBuckets: boolean };
export interface InlinePolicy { PolicyName: string; PolicyDocument: unknown }
export interface AccessKey { AccessKeyId: string; Status: 'Active' | 'Inactive'; CreateDate: string; lastUsed: { LastUsedDate: string; ServiceName: string; Region: string } | null }
export interface SimUser {
  UserName: string; UserId: string; Arn: string; Path: string; CreateDate: string; PasswordLastUsed: string | null;
  groups: string[]; attached: string[]; inline: InlinePolicy[];
  loginProfile: { CreateDate: string } | null; mfa: Array<{ SerialNumber: string; EnableDate: string }>; keys: AccessKey[];
}
export interface SimGroup { GroupName: string; GroupId: string; Arn: string; Path: string; CreateDate: string; attached: string[]; inline: InlinePolicy[] }
export interface SimRole { RoleName: string; RoleId: string; Arn: string; Path: string; CreateDate: string; trust: unknown; attached: string[]; inline: InlinePolicy[] }
export interface SimPolicy { PolicyName: string; PolicyId: string; Arn: string; document: unknown }
export interface Grant { type: 'Group' | 'CanonicalUser'; uri?: string; id?: string; permission: string }
export interface SimBucket { Name: string; CreationDate: string; Region: string; grants: Grant[]; policy: unknown; block: Block | null }

export interface AwsAccount {
  accountId: string;
  ownerId: string;
  users: SimUser[];
  groups: SimGroup[];
  roles: SimRole[];
  policies: SimPolicy[];
  buckets: SimBucket[];
  accountBlock: Block | null;
}

export const ADMIN_ARN = 'arn:aws:iam::aws:policy/AdministratorAccess';
export const READ_ONLY_ARN = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
export const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
export const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
const NAMES = ['anaya', 'bruno', 'chen', 'dara', 'emeka', 'farah', 'goran', 'hana', 'ines', 'jonas', 'kira', 'lars', 'mina', 'noor', 'olek', 'priya'];
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function awsId(prng: Prng, prefix: string): string {
  return prefix + prng.chars(17, ID_ALPHABET);
}

export interface AccountOptions {
  users: number;
  /** The day the account is generated at (creation and sign-in times are before it). */
  nowMs: number;
  /** The connector's own user and its key, and the role it may assume. */
  connector: { userName: string; accessKeyId: string; roleName: string; externalId: string };
  regions: readonly string[];
}

export function generateAccount(seed: string, options: AccountOptions): AwsAccount {
  const prng = createPrng(`${seed}:account`);
  const accountId = String(100_000_000_000 + prng.int(0, 899_999_999_999)).padStart(12, '0');
  const day = 86_400_000;
  const past = (maxDays: number) => iso(options.nowMs - prng.int(1, maxDays) * day - prng.int(0, day));
  const arn = (kind: string, name: string) => `arn:aws:iam::${accountId}:${kind}/${name}`;
  const devPolicy: SimPolicy = {
    PolicyName: 'PowerUserEverything', PolicyId: awsId(prng, 'ANPA'), Arn: `arn:aws:iam::${accountId}:policy/PowerUserEverything`,
    document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*:*', Resource: '*' }] },
  };
  const groups: SimGroup[] = [
    { GroupName: 'Admins', attached: [ADMIN_ARN] },
    { GroupName: 'Developers', attached: [devPolicy.Arn] },
    { GroupName: 'Auditors', attached: [READ_ONLY_ARN] },
  ].map((g) => ({ ...g, GroupId: awsId(prng, 'AGPA'), Arn: arn('group', g.GroupName), Path: '/', CreateDate: past(700), inline: [] }));

  const user = (UserName: string, extra: Partial<SimUser> = {}): SimUser => ({
    UserName, UserId: awsId(prng, 'AIDA'), Arn: arn('user', UserName), Path: '/', CreateDate: past(600), PasswordLastUsed: null,
    groups: [], attached: [], inline: [], loginProfile: null, mfa: [], keys: [], ...extra,
  });
  const key = (status: AccessKey['Status'] = 'Active'): AccessKey => ({
    AccessKeyId: awsId(prng, 'AKIA').slice(0, 20), Status: status, CreateDate: past(400),
    lastUsed: prng.chance(0.7) ? { LastUsedDate: past(20), ServiceName: prng.pick(['s3', 'ec2', 'iam', 'cloudtrail']), Region: prng.pick(options.regions) } : null,
  });
  const connector = user(options.connector.userName, { attached: [READ_ONLY_ARN] });
  connector.keys = [{ AccessKeyId: options.connector.accessKeyId, Status: 'Active', CreateDate: past(90), lastUsed: null }];
  const users: SimUser[] = [connector];
  for (let i = 0; i < options.users - 1; i++) {
    const name = NAMES[i % NAMES.length]! + (i >= NAMES.length ? String(i) : '');
    const u = user(name);
    if (i === 0) u.groups.push('Admins');
    else u.groups.push(prng.pick(['Developers', 'Auditors', 'Auditors']));
    if (prng.chance(0.8) || i < 3) u.loginProfile = { CreateDate: u.CreateDate };
    if (u.loginProfile) u.PasswordLastUsed = past(30);
    if (prng.chance(0.6)) u.mfa.push({ SerialNumber: arn('mfa', name), EnableDate: u.CreateDate });
    const keys = i < 3 ? 1 : prng.int(0, 3);
    for (let k = 0; k < keys; k++) u.keys.push(key(k === 1 ? 'Inactive' : 'Active'));
    if (prng.chance(0.2)) u.inline.push({ PolicyName: 'S3ReadLogs', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::logs/*' }] } });
    users.push(u);
  }
  const trust = (principal: unknown, condition?: unknown) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole', ...(condition ? { Condition: condition } : {}) }] });
  const roles: SimRole[] = [
    { RoleName: options.connector.roleName, trust: trust({ AWS: `arn:aws:iam::${accountId}:root` }, { StringEquals: { 'sts:ExternalId': options.connector.externalId } }), attached: [READ_ONLY_ARN] },
    { RoleName: 'ci-deploy', trust: trust({ AWS: 'arn:aws:iam::210987654321:root' }), attached: [ADMIN_ARN] },
    { RoleName: 'lambda-exec', trust: trust({ Service: 'lambda.amazonaws.com' }), attached: [] },
  ].map((r) => ({ ...r, RoleId: awsId(prng, 'AROA'), Arn: arn('role', r.RoleName), Path: '/', CreateDate: past(500), inline: [] }));
  const region = (i: number) => options.regions[i % options.regions.length]!;
  const ownerId = prng.hex(64);
  const prefix = `acme-${prng.hex(6)}`;
  const buckets: SimBucket[] = [
    { Name: `${prefix}-logs`, Region: region(0), grants: [], policy: null, block: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } },
    { Name: `${prefix}-website`, Region: region(1), grants: [], block: null,
      policy: { Version: '2012-10-17', Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${prefix}-website/*` }] } },
    { Name: `${prefix}-shared`, Region: region(0), grants: [{ type: 'Group' as const, uri: AUTHENTICATED_USERS, permission: 'READ' }], policy: null, block: null },
    { Name: `${prefix}-partner`, Region: region(1), grants: [], block: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false },
      policy: { Version: '2012-10-17', Statement: [{ Sid: 'Partner', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::210987654321:root' }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${prefix}-partner/*` }] } },
  ].map((b): SimBucket => ({ ...b, CreationDate: past(300) }));
  return { accountId, ownerId, users, groups, roles, policies: [devPolicy], buckets, accountBlock: null };
}
