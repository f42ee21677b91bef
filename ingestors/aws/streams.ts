/** The AWS instance's streams: CloudTrail per Region, the IAM account scan, the S3 bucket scan. */
import type { ActivityStream, SnapshotItem, SnapshotKinds, SnapshotPage, SnapshotStream } from '../contract.js';
import { obj, str, type Json } from '../runtime/json-fields.js';
import { CloudTrailClient, cloudTrailTime } from './cloudtrail-client.js';
import type { IamClient } from './iam-client.js';
import { normalizeIamGroup, normalizeIamMembership, normalizeIamPrivilege, normalizeIamRole, normalizeIamUser } from './normalize-accounts.js';
import { normalizeBucket, type BucketRecord } from './normalize-buckets.js';
import type { S3Client } from './s3-client.js';

export const PERMISSIONS = {
  activities: 'cloudtrail:LookupEvents',
  accounts: 'iam:GetAccountAuthorizationDetails',
  files: 's3:ListAllMyBuckets',
} as const;

/** Users whose details (login profile, MFA, keys) are read at once; the instance's queue bounds the requests. */
const USER_BATCH = 10;

export function cloudTrailStream(region: string, client: CloudTrailClient): ActivityStream {
  return {
    name: `cloudtrail/${region}`,
    capabilities: ['activities:logon', 'activities:admin'],
    permission: PERMISSIONS.activities,
    order: 'desc',
    read: (window, signal) => client.lookupEvents(window, signal),
    timeOf: cloudTrailTime,
  };
}

const ACCOUNT_KINDS = {
  user: normalizeIamUser,
  role: normalizeIamRole,
  group: normalizeIamGroup,
  membership: normalizeIamMembership,
  privilege: normalizeIamPrivilege,
} satisfies SnapshotKinds;
type AccountItem = SnapshotItem<keyof typeof ACCOUNT_KINDS>;

/** The policies a holder has: attached managed ones (with the customer managed document) and inline ones. */
function privileges(holder: Json, holderType: 'user' | 'group' | 'role', inlineKey: string, documents: Map<string, unknown>): AccountItem[] {
  const attached = (Array.isArray(holder.AttachedManagedPolicies) ? holder.AttachedManagedPolicies : []) as Json[];
  const inline = (Array.isArray(holder[inlineKey]) ? holder[inlineKey] : []) as Json[];
  return [
    ...attached.map((policy): AccountItem => ({ kind: 'privilege', raw: { holder, holderType, policy, document: documents.get(String(policy.PolicyArn)) ?? null } })),
    ...inline.map((policy): AccountItem => ({ kind: 'privilege', raw: { holder, holderType, policy } })),
  ];
}

export function accountsStream(iam: IamClient, accountId: string): SnapshotStream<keyof typeof ACCOUNT_KINDS> {
  return {
    name: 'accounts',
    topic: 'account',
    kinds: ACCOUNT_KINDS,
    capabilities: ['accounts', 'groups', 'privileges'],
    permission: PERMISSIONS.accounts,
    async *read(): AsyncIterable<SnapshotPage<keyof typeof ACCOUNT_KINDS>> {
      const details = await iam.authorizationDetails();
      const lastUsed = new Map((await iam.users()).map((u) => [String(u.UserId), u.PasswordLastUsed]));
      const documents = new Map<string, unknown>();
      for (const policy of details.policies) {
        const versions = (Array.isArray(policy.PolicyVersionList) ? policy.PolicyVersionList : []) as Json[];
        const current = versions.find((v) => v.IsDefaultVersion === 'true') ?? versions[0];
        documents.set(String(policy.Arn), current?.Document ?? null);
      }
      const groupsByName = new Map(details.groups.map((g) => [String(g.GroupName), g]));
      yield { items: details.groups.flatMap((group): AccountItem[] => [{ kind: 'group', raw: group }, ...privileges(group, 'group', 'GroupPolicyList', documents)]) };
      for (let i = 0; i < details.users.length; i += USER_BATCH) {
        const batch = await Promise.all(details.users.slice(i, i + USER_BATCH).map(async (user) => {
          const passwordLastUsed = lastUsed.get(String(user.UserId));
          return iam.userDetails(str(passwordLastUsed) ? { ...user, PasswordLastUsed: passwordLastUsed } : user);
        }));
        yield {
          items: batch.flatMap((user): AccountItem[] => [
            { kind: 'user', raw: user },
            ...((Array.isArray(user.GroupList) ? user.GroupList : []) as unknown[])
              .map((name) => groupsByName.get(String(name)))
              .filter((group): group is Json => obj(group) !== null)
              .map((group): AccountItem => ({ kind: 'membership', raw: { group, user } })),
            ...privileges(user, 'user', 'UserPolicyList', documents),
          ]),
        };
      }
      yield { items: details.roles.flatMap((role): AccountItem[] => [{ kind: 'role', raw: { role, accountId } }, ...privileges(role, 'role', 'RolePolicyList', documents)]) };
    },
  };
}

const FILE_KINDS = { bucket: normalizeBucket } satisfies SnapshotKinds;

export function bucketsStream(s3: S3Client, accountId: string): SnapshotStream<'bucket'> {
  return {
    name: 'buckets',
    topic: 'file',
    kinds: FILE_KINDS,
    capabilities: ['files:periodic'],
    permission: PERMISSIONS.files,
    async *read(): AsyncIterable<SnapshotPage<'bucket'>> {
      const accountBlock = await s3.accountPublicAccessBlock();
      const { buckets } = await s3.buckets();
      for (let i = 0; i < buckets.length; i += USER_BATCH) {
        const items = await Promise.all(buckets.slice(i, i + USER_BATCH).map(async (bucket): Promise<SnapshotItem<'bucket'>> => {
          const [acl, policy, block] = await Promise.all([s3.acl(bucket), s3.policy(bucket), s3.publicAccessBlock(bucket)]);
          const raw: BucketRecord = { bucket: { Name: bucket.name, CreationDate: bucket.creationDate, Region: bucket.region }, accountId, acl, policy, block, accountBlock };
          return { kind: 'bucket', raw };
        }));
        yield { items };
      }
    },
  };
}
