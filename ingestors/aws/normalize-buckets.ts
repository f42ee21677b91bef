/**
 * An S3 bucket and its exposure → FileEvent (a bucket is the "file"). The effective Block Public
 * Access (account OR bucket, flag by flag) decides what the ACL and the bucket policy can open:
 * AllUsers / AuthenticatedUsers grants and `*` principals make it public, other accounts external,
 * the account's own root internal. https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
 */
import { recordId } from '../../schemas/event-id.js';
import type { Collaborator, FileEvent } from '../../schemas/types.js';
import type { AccessLevel } from '../../schemas/vocabulary.js';
import type { SnapshotContext } from '../contract.js';
import { arr, fieldErrors, obj, str, type Json } from '../runtime/json-fields.js';
import { isoTime } from '../runtime/provider-time.js';
import { accountOf, conditional, principalsOf, statements } from './policy-documents.js';
import { PUBLIC_ACCESS_FLAGS, type PublicAccessBlock } from './s3-client.js';

const { requireObject, requireString } = fieldErrors('aws');
const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';

/** What the bucket scan reads of one bucket. */
export interface BucketRecord {
  bucket: { Name: string; CreationDate: string | null; Region: string };
  accountId: string;
  acl: Json;
  policy: unknown;
  block: PublicAccessBlock | null;
  accountBlock: PublicAccessBlock | null;
}

const RANK: Record<AccessLevel, number> = { unknown: 0, private: 1, internal: 2, external: 3, public: 4 };

function effectiveBlock(bucket: PublicAccessBlock | null, account: PublicAccessBlock | null): PublicAccessBlock {
  return Object.fromEntries(PUBLIC_ACCESS_FLAGS.map((f) => [f, Boolean(bucket?.[f]) || Boolean(account?.[f])])) as PublicAccessBlock;
}

export function normalizeBucket(raw: unknown, ctx: SnapshotContext): FileEvent {
  const record = requireObject(raw, '(record)');
  const bucket = requireObject(record.bucket, 'bucket');
  const name = requireString(bucket, 'Name', 'bucket.Name');
  const accountId = str(record.accountId) ?? '';
  const block = effectiveBlock(record.block as PublicAccessBlock | null, record.accountBlock as PublicAccessBlock | null);
  const collaborators: Collaborator[] = [];
  const reasons: string[] = [];
  let level: AccessLevel = 'private';
  const widen = (to: AccessLevel) => { if (RANK[to] > RANK[level]) level = to; };

  const acl = obj(record.acl);
  for (const grant of arr(acl?.Grants)) {
    const g = obj(grant);
    const grantee = obj(g?.Grantee);
    const role = str(g?.Permission) ?? 'UNKNOWN';
    const uri = str(grantee?.URI);
    if (uri === ALL_USERS || uri === AUTHENTICATED_USERS) {
      collaborators.push({ type: 'anyone', id: uri, email: null, role });
      if (!block.IgnorePublicAcls) {
        widen('public');
        reasons.push(`acl:${uri === ALL_USERS ? 'AllUsers' : 'AuthenticatedUsers'}:${role}`);
      }
    } else if (str(grantee?.ID) !== null && str(grantee?.ID) !== str(obj(acl?.Owner)?.ID)) {
      collaborators.push({ type: 'user', id: str(grantee?.ID), email: str(grantee?.EmailAddress), role });
      widen('external');
      reasons.push('acl:other-account');
    }
  }
  for (const s of statements(record.policy)) {
    if (s.Effect !== 'Allow') continue;
    const p = principalsOf(s);
    const actions = Array.isArray(s.Action) ? s.Action.join(',') : String(s.Action ?? '');
    if (p.everyone) {
      collaborators.push({ type: 'anyone', id: '*', email: null, role: actions });
      // Conditions (a network, an organization) may narrow it; RestrictPublicBuckets keeps it to the account.
      if (!block.RestrictPublicBuckets && !conditional(s)) {
        widen('public');
        reasons.push(`policy:${str(s.Sid) ?? 'statement'}`);
      } else {
        widen('internal');
      }
    }
    for (const principal of p.aws.filter((a) => a !== '*')) {
      const account = accountOf(principal);
      collaborators.push({ type: 'user', id: principal, email: null, role: actions });
      if (account !== null && account !== accountId) {
        widen('external');
        reasons.push(`policy:account:${account}`);
      } else {
        widen('internal');
      }
    }
  }
  const attributes: Record<string, string> = { region: String(bucket.Region ?? ''), exposure: (level as AccessLevel) === 'internal' ? 'account' : level };
  for (const f of PUBLIC_ACCESS_FLAGS) {
    attributes[`block.${f}`] = String((record.block as PublicAccessBlock | null)?.[f] ?? false);
    attributes[`account_block.${f}`] = String((record.accountBlock as PublicAccessBlock | null)?.[f] ?? false);
  }
  attributes.has_policy = String(record.policy !== null && record.policy !== undefined);
  if (reasons.length > 0) attributes.public_reasons = reasons.join(',');
  const owner = obj(acl?.Owner);
  const region = String(bucket.Region ?? 'us-east-1');
  return {
    record_id: recordId('aws', ctx.instance, 'file', name),
    provider: 'aws',
    instance: ctx.instance,
    observed_at: ctx.observedAt,
    change: 'seen',
    file: {
      id: name,
      name,
      path: `s3://${name}`,
      mime_type: null,
      size: null,
      owner: owner === null ? null : { id: str(owner.ID), email: null, name: str(owner.DisplayName) },
      created_at: isoTime(bucket.CreationDate),
      modified_at: null,
      access_level: level,
      collaborators,
      label: null,
      url: `https://${name}.s3.${region}.amazonaws.com`,
    },
    attributes,
    raw: JSON.stringify(raw),
  };
}
