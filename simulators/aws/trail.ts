/**
 * The account's CloudTrail: generated management events shaped like the samples (console sign-ins
 * with and without MFA, IAM changes by an assumed role, S3 exposure changes, trail changes, STS calls
 * by AWS services, root activity, failed calls), anchored to fixed times so a restart serves the same
 * history, plus events added by tests. Each event is kept as the JSON text LookupEvents returns.
 */
import { AnchoredHistory } from '../common/anchored-history.js';
import type { Clock } from '../common/clock.js';
import type { Prng } from '../common/prng.js';
import type { AwsAccount } from './account.js';

type Json = Record<string, unknown>;
export interface TrailEntry { atMs: number; region: string; id: string; text: string; visibleAt: number }

function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** One generated record at `atMs`. */
function makeEvent(account: AwsAccount, regions: readonly string[], prng: Prng, atMs: number): Json {
  const users = account.users.slice(1);
  const u = prng.pick(users);
  const ip = `198.51.100.${prng.int(1, 255)}`;
  const base = {
    eventVersion: '1.08', eventTime: iso(atMs), sourceIPAddress: ip, requestID: prng.uuid(), eventID: prng.uuid(),
    eventType: 'AwsApiCall', recipientAccountId: account.accountId, managementEvent: true, eventCategory: 'Management',
  };
  const iamUser = { type: 'IAMUser', principalId: u.UserId, arn: u.Arn, accountId: account.accountId, userName: u.UserName };
  const role = prng.pick(account.roles);
  const session = prng.pick(users).UserName;
  const assumed = {
    type: 'AssumedRole', principalId: `${role.RoleId}:${session}`, arn: `arn:aws:sts::${account.accountId}:assumed-role/${role.RoleName}/${session}`,
    accountId: account.accountId, accessKeyId: `ASIA${prng.hex(16).toUpperCase()}`,
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: role.RoleId, arn: role.Arn, accountId: account.accountId, userName: role.RoleName },
      webIdFederationData: {}, attributes: { creationDate: iso(atMs - 600_000), mfaAuthenticated: 'true' },
      ...(prng.chance(0.5) ? { sourceIdentity: `${session}@example.com` } : {}),
    },
  };
  const root = { type: 'Root', principalId: account.accountId, arn: `arn:aws:iam::${account.accountId}:root`, accountId: account.accountId };
  const region = prng.pick(regions);
  const global = regions.includes('us-east-1') ? 'us-east-1' : regions[0]!;
  const bucket = prng.pick(account.buckets).Name;
  const kind = prng.weighted<string>([['login', 8], ['login-fail', 2], ['login-nomfa', 1], ['login-root', 1], ['create-user', 1], ['attach', 1], ['bucket-policy', 1], ['stop-logging', 0.2], ['assume-role', 3], ['describe', 4], ['error', 1]]);
  const console = (identity: Json, success: boolean, mfa: boolean): Json => ({
    ...base, eventVersion: '1.05', eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin', awsRegion: global, eventType: 'AwsConsoleSignIn',
    userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
    userIdentity: identity, requestParameters: null, responseElements: { ConsoleLogin: success ? 'Success' : 'Failure' },
    additionalEventData: { LoginTo: 'https://console.aws.amazon.com/console/home', MobileVersion: 'No', MFAUsed: mfa ? 'Yes' : 'No' },
    ...(success ? {} : { errorMessage: 'Failed authentication' }),
  });
  switch (kind) {
    case 'login': return console(iamUser, true, true);
    case 'login-fail': return console(iamUser, false, true);
    case 'login-nomfa': return console(iamUser, true, false);
    case 'login-root': return console(root, true, prng.chance(0.5));
    case 'create-user': return {
      ...base, eventSource: 'iam.amazonaws.com', eventName: 'CreateUser', awsRegion: global, userAgent: 'console.amazonaws.com', userIdentity: assumed,
      requestParameters: { userName: `temp-${prng.hex(4)}` }, responseElements: null, readOnly: false,
    };
    case 'attach': return {
      ...base, eventSource: 'iam.amazonaws.com', eventName: 'AttachUserPolicy', awsRegion: global, userAgent: 'console.amazonaws.com', userIdentity: assumed,
      requestParameters: { policyArn: prng.pick(['arn:aws:iam::aws:policy/AdministratorAccess', 'arn:aws:iam::aws:policy/ReadOnlyAccess']), userName: u.UserName }, responseElements: null, readOnly: false,
    };
    case 'bucket-policy': return {
      ...base, eventSource: 's3.amazonaws.com', eventName: 'PutBucketPolicy', awsRegion: region, userAgent: '[aws-cli/2.15.0]', userIdentity: assumed, readOnly: false,
      requestParameters: { bucketName: bucket, bucketPolicy: { Version: '2012-10-17', Statement: [{ Sid: 'Read', Effect: 'Allow', Principal: prng.chance(0.3) ? { AWS: '*' } : { AWS: `arn:aws:iam::${account.accountId}:root` }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }] }, host: [`s3.${region}.amazonaws.com`], policy: [''] },
      responseElements: null, additionalEventData: { SignatureVersion: 'SigV4', AuthenticationMethod: 'AuthHeader' },
    };
    case 'stop-logging': return {
      ...base, eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging', awsRegion: region, userAgent: 'console.amazonaws.com', userIdentity: assumed, readOnly: false,
      requestParameters: { name: `arn:aws:cloudtrail:${region}:${account.accountId}:trail/management` }, responseElements: null,
    };
    case 'assume-role': return {
      ...base, eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', awsRegion: region, sourceIPAddress: 'lambda.amazonaws.com', userAgent: 'lambda.amazonaws.com',
      userIdentity: { type: 'AWSService', invokedBy: 'lambda.amazonaws.com' }, readOnly: true,
      requestParameters: { roleArn: role.Arn, roleSessionName: `session-${prng.hex(6)}` },
      resources: [{ ARN: role.Arn, accountId: account.accountId, type: 'AWS::IAM::Role' }], responseElements: null, sharedEventID: prng.uuid(),
    };
    case 'describe': return {
      ...base, eventSource: 'ec2.amazonaws.com', eventName: 'DescribeSecurityGroups', awsRegion: region, userAgent: 'aws-cli/2.15.0', userIdentity: iamUser,
      requestParameters: { maxResults: 100 }, responseElements: null, readOnly: true,
    };
    default: return {
      ...base, eventSource: 'ec2.amazonaws.com', eventName: 'AuthorizeSecurityGroupIngress', awsRegion: region, userAgent: 'aws-cli/2.15.0', userIdentity: prng.chance(0.5) ? root : iamUser,
      errorCode: 'Client.UnauthorizedOperation', errorMessage: 'You are not authorized to perform this operation.',
      requestParameters: { groupId: `sg-${prng.hex(17)}`, ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] } },
      responseElements: null, readOnly: false,
    };
  }
}

export class Trail {
  readonly #history: AnchoredHistory<TrailEntry>;
  readonly #added: TrailEntry[] = [];
  readonly #start: number;

  constructor(seed: string, account: AwsAccount, readonly regions: readonly string[], perDay: number, historyMs: number, private readonly clock: Clock) {
    this.#history = new AnchoredHistory(`${seed}:trail`, perDay, (prng, atMs) => {
      const event = makeEvent(account, regions, prng, atMs);
      return { atMs: Math.floor(atMs / 1000) * 1000, region: String(event.awsRegion), id: String(event.eventID), text: JSON.stringify(event), visibleAt: 0 };
    });
    this.#start = this.#history.anchor(clock.now() - historyMs);
  }

  /** Adds a record (any JSON text, or one that is not JSON) at `atMs` in `region`, readable from `visibleAt`. */
  add(text: string, atMs: number, region: string, visibleAt = this.clock.now()): void {
    this.#added.push({ atMs: Math.floor(atMs / 1000) * 1000, region, id: `added-${this.#added.length}`, text, visibleAt });
  }

  /** The visible records of `region` with times in [fromMs, toMs], newest first. */
  between(region: string | null, fromMs: number, toMs: number): TrailEntry[] {
    const now = this.clock.now();
    const upTo = Math.min(toMs, now);
    const generated = this.#history.between(Math.max(fromMs, this.#start), upTo + 1);
    const added = this.#added.filter((e) => e.visibleAt <= now && e.atMs >= fromMs && e.atMs <= upTo);
    return [...generated, ...added]
      .filter((e) => region === null || e.region === region)
      .sort((a, b) => b.atMs - a.atMs || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  }

  /** Every visible record of every Region, as LookupEvents returns its `CloudTrailEvent`. */
  all(): string[] {
    return this.between(null, this.#start, this.clock.now()).map((e) => e.text);
  }
}
