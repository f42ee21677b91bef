import Type, { type Static } from 'typebox';
import type { InstanceConfig } from '../../core/config.js';

/** An endpoint template: `{region}` (and for S3 `{bucket}`, `{account}`) are filled in per request. */
const endpoint = (example: string, what: string) =>
  Type.String({ pattern: String.raw`^(https://[^\s/?#@]+|http://(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?)/?$`, default: example, description: `${what}; https (http only for loopback), e.g. ${example}` });

const REGION = Type.String({ pattern: '^[a-z]{2}(-[a-z]+)+-\\d$', description: 'an AWS Region, e.g. us-east-1' });

export const AwsConfigSchema = Type.Object({
  accountId: Type.String({ pattern: '^\\d{12}$', description: 'the 12-digit id of the AWS account this instance reads' }),
  accessKeyId: Type.String({ minLength: 16, description: 'access key id of the IAM user (or role) the connector signs with' }),
  secretAccessKey: Type.String({ minLength: 1, secret: true }),
  sessionToken: Type.Optional(Type.String({ minLength: 1, secret: true, description: 'with temporary credentials' })),
  roleArn: Type.Optional(Type.String({ pattern: '^arn:aws[\\w-]*:iam::\\d{12}:role/.+$', description: "a role in the account to assume with STS (the keys above are then the connector's own)" })),
  externalId: Type.Optional(Type.String({ minLength: 2, secret: true, description: "the external id the role's trust policy requires (sts:ExternalId)" })),
  roleSessionName: Type.String({ pattern: '^[\\w+=,.@-]{2,64}$', default: 'appwarden' }),
  regions: Type.Array(REGION, { minItems: 1, default: ['us-east-1'], description: 'Regions whose CloudTrail is read (IAM and console sign-ins are in us-east-1)' }),
  cloudtrailUrl: endpoint('https://cloudtrail.{region}.amazonaws.com', 'CloudTrail endpoint'),
  iamUrl: endpoint('https://iam.amazonaws.com', 'IAM endpoint (signed for us-east-1)'),
  stsUrl: endpoint('https://sts.amazonaws.com', 'STS endpoint (signed for us-east-1)'),
  s3Url: endpoint('https://s3.{region}.amazonaws.com', 'S3 endpoint, buckets addressed by path (or `https://{bucket}.s3.{region}.amazonaws.com`)'),
  s3ControlUrl: endpoint('https://{account}.s3-control.us-east-1.amazonaws.com', 'S3 Control endpoint (the account public access block)'),
  lookupPageSize: Type.Integer({ minimum: 1, maximum: 50, default: 50, description: 'LookupEvents MaxResults' }),
  iamPageSize: Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'MaxItems of IAM lists' }),
});

export type AwsConfig = InstanceConfig & Static<typeof AwsConfigSchema>;

/** IAM and STS are global services, signed for this Region. */
export const GLOBAL_REGION = 'us-east-1';

/** An endpoint template with its placeholders filled (values are URL-safe: Regions, account ids, bucket names). */
export function endpointOf(template: string, values: { region?: string; bucket?: string; account?: string }): string {
  return template.replace(/\/+$/, '').replace(/\{(region|bucket|account)\}/g, (_m, key: 'region' | 'bucket' | 'account') => values[key] ?? '');
}

export const AWS_INSTANCE_DEFAULTS = {
  // CloudTrail delivers events up to about 15 minutes after the call: re-read 20 minutes on every poll.
  // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/how-cloudtrail-works.html
  activities: { trailingWindowMs: 20 * 60_000 },
  // Buckets and IAM change rarely: the shared 12-hour rescans.
  schedule: { accountsEveryMs: 12 * 3_600_000, filesEveryMs: 12 * 3_600_000 },
} as const;
