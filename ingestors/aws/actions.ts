/**
 * AWS governance: remove a user's console password, deactivate its access keys, suspend it with the
 * explicit deny-all managed policy (detached to revert), block public access on a bucket (its
 * previous configuration restored to revert). Each `run` reads first, so applying twice applies once.
 */
import { AppwardenError } from '../../core/errors.js';
import type { ActionHandler, ActionTarget, ActionVerb } from '../contract.js';
import { DENY_ALL_POLICY_ARN, type IamClient } from './iam-client.js';
import { PUBLIC_ACCESS_FLAGS, type BucketRef, type PublicAccessBlock, type S3Client } from './s3-client.js';

type Params = Readonly<Record<string, string>>;
const ALL_BLOCKED: PublicAccessBlock = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

function bad(message: string, details: Record<string, unknown> = {}): AppwardenError {
  return new AppwardenError('AW_BAD_REQUEST', `aws: ${message}`, { details });
}

export interface AwsActionDeps {
  iam: IamClient;
  s3: S3Client;
}

export function awsActions({ iam, s3 }: AwsActionDeps) {
  /** The IAM user name of a target given by user id (as account events carry it) or name. */
  const userOf = async (target: ActionTarget, verb: ActionVerb): Promise<string> => {
    if (target.type !== 'user') throw bad(`${verb} applies to a user, not a ${target.type}`, { target });
    const name = await iam.userName(target.id);
    if (name === null) throw bad(`${verb}: the account has no IAM user ${target.id}`, { field: 'target.id' });
    return name;
  };
  const bucketOf = async (target: ActionTarget, verb: ActionVerb): Promise<BucketRef> => {
    if (target.type !== 'bucket' && target.type !== 'file') throw bad(`${verb} applies to a bucket, not a ${target.type}`, { target });
    const found = (await s3.buckets()).buckets.find((b) => b.name === target.id);
    if (!found) throw bad(`${verb}: the account has no bucket ${target.id}`, { field: 'target.id' });
    return found;
  };
  const denyAttached = async (userName: string) => (await iam.attachedUserPolicies(userName)).some((p) => p.PolicyArn === DENY_ALL_POLICY_ARN);
  const activeKeys = async (userName: string, params: Params) => (await iam.accessKeys(userName))
    .filter((k) => k.Status === 'Active' && (!params.access_key_id || k.AccessKeyId === params.access_key_id))
    .map((k) => String(k.AccessKeyId));
  const sameBlock = (a: PublicAccessBlock | null, b: PublicAccessBlock | null) =>
    PUBLIC_ACCESS_FLAGS.every((f) => Boolean(a?.[f]) === Boolean(b?.[f])) && (a === null) === (b === null);

  const suspend: ActionHandler = {
    permission: 'iam:AttachUserPolicy',
    inverse: 'unsuspend_user',
    async run(target) {
      const user = await userOf(target, 'suspend_user');
      if (await denyAttached(user)) return { status: 'noop', message: `${user} already holds AWSDenyAll` };
      await iam.attachUserPolicy(user, DENY_ALL_POLICY_ARN);
      return { status: 'applied', message: `AWSDenyAll attached to ${user}: every action is denied` };
    },
    verify: async (target) => denyAttached(await userOf(target, 'suspend_user')),
  };
  const unsuspend: ActionHandler = {
    permission: 'iam:DetachUserPolicy',
    inverse: 'suspend_user',
    async run(target) {
      const user = await userOf(target, 'unsuspend_user');
      if (!(await denyAttached(user))) return { status: 'noop', message: `${user} holds no AWSDenyAll` };
      await iam.detachUserPolicy(user, DENY_ALL_POLICY_ARN);
      return { status: 'applied', message: `AWSDenyAll detached from ${user}` };
    },
    verify: async (target) => !(await denyAttached(await userOf(target, 'unsuspend_user'))),
  };

  return {
    suspend_user: suspend,
    unsuspend_user: unsuspend,
    disable_console_login: {
      permission: 'iam:DeleteLoginProfile',
      async run(target) {
        const user = await userOf(target, 'disable_console_login');
        if ((await iam.loginProfile(user)) === null) return { status: 'noop', message: `${user} has no console password` };
        await iam.deleteLoginProfile(user);
        return { status: 'applied', message: `console password of ${user} deleted` };
      },
      verify: async (target) => (await iam.loginProfile(await userOf(target, 'disable_console_login'))) === null,
    } satisfies ActionHandler,
    deactivate_access_keys: {
      permission: 'iam:UpdateAccessKey',
      async run(target, params) {
        const user = await userOf(target, 'deactivate_access_keys');
        const keys = await activeKeys(user, params);
        if (keys.length === 0) return { status: 'noop', message: `${user} has no active access key` };
        for (const key of keys) await iam.updateAccessKey(user, key, 'Inactive');
        return { status: 'applied', message: `${keys.length} access key(s) of ${user} deactivated`, undo: { access_key_ids: keys.join(',') } };
      },
      verify: async (target, params) => (await activeKeys(await userOf(target, 'deactivate_access_keys'), params)).length === 0,
    } satisfies ActionHandler,
    block_public_access: {
      permission: 's3:PutBucketPublicAccessBlock',
      inverse: 'restore_sharing',
      async run(target) {
        const bucket = await bucketOf(target, 'block_public_access');
        const previous = await s3.publicAccessBlock(bucket);
        if (sameBlock(previous, ALL_BLOCKED)) return { status: 'noop', message: `${bucket.name} already blocks all public access` };
        await s3.putPublicAccessBlock(bucket, ALL_BLOCKED);
        return { status: 'applied', message: `${bucket.name} blocks all public access`, undo: { previous_block: previous === null ? 'none' : JSON.stringify(previous) } };
      },
      verify: async (target) => sameBlock(await s3.publicAccessBlock(await bucketOf(target, 'block_public_access')), ALL_BLOCKED),
    } satisfies ActionHandler,
    restore_sharing: {
      permission: 's3:PutBucketPublicAccessBlock',
      async run(target, params) {
        const bucket = await bucketOf(target, 'restore_sharing');
        const wanted = previousBlock(params);
        if (sameBlock(await s3.publicAccessBlock(bucket), wanted)) return { status: 'noop', message: `${bucket.name} is already as it was` };
        if (wanted === null) await s3.deletePublicAccessBlock(bucket);
        else await s3.putPublicAccessBlock(bucket, wanted);
        return { status: 'applied', message: `${bucket.name}'s public access block restored` };
      },
      verify: async (target, params) => sameBlock(await s3.publicAccessBlock(await bucketOf(target, 'restore_sharing')), previousBlock(params)),
    } satisfies ActionHandler,
  };
}

/** The configuration `block_public_access` replaced (its undo record): `none`, or the four flags as JSON. */
function previousBlock(params: Params): PublicAccessBlock | null {
  const text = params.previous_block;
  if (text === undefined) throw bad('restore_sharing needs params.previous_block: run it as the revert of block_public_access', { param: 'previous_block' });
  if (text === 'none') return null;
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    return Object.fromEntries(PUBLIC_ACCESS_FLAGS.map((f) => [f, parsed[f] === true])) as PublicAccessBlock;
  } catch {
    throw bad('params.previous_block is not the JSON block_public_access recorded', { param: 'previous_block' });
  }
}
