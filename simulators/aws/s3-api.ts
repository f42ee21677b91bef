/**
 * S3 (REST, XML) for bucket exposure: ListBuckets (with BucketRegion), GetBucketLocation,
 * GetBucketAcl, GetBucketPolicy, Get/Put/DeletePublicAccessBlock (Content-MD5 checked), and the S3
 * Control account public access block. Buckets are addressed by path.
 */
import { createHash } from 'node:crypto';
import { parseXml, textAt, toXml } from '../../ingestors/aws/xml.js';
import type { AwsAccount, Block, SimBucket } from './account.js';
import { AwsError } from './aws-errors.js';

const NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';
const FLAGS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const;

export interface S3Request { method: string; path: string; query: URLSearchParams; headers: Record<string, string | string[] | undefined>; body: Buffer }
export interface S3Answer { status: number; contentType?: string; body?: string }

/** The S3 permission (`s3:<Action>`) a request needs, for `deny`. */
export function s3Permission(req: S3Request): string {
  if (req.path.startsWith('/v20180820/')) return 's3:GetAccountPublicAccessBlock';
  if (req.path === '/' || req.path === '') return 's3:ListAllMyBuckets';
  if (req.query.has('publicAccessBlock')) return req.method === 'GET' ? 's3:GetBucketPublicAccessBlock' : 's3:PutBucketPublicAccessBlock';
  if (req.query.has('acl')) return 's3:GetBucketAcl';
  if (req.query.has('policy')) return 's3:GetBucketPolicy';
  if (req.query.has('location')) return 's3:GetBucketLocation';
  return 's3:ListBucket';
}

const xml = (body: string): S3Answer => ({ status: 200, contentType: 'application/xml', body: `<?xml version="1.0" encoding="UTF-8"?>${body}` });
const blockXml = (block: Block) => xml(toXml('PublicAccessBlockConfiguration', { ...block }, NS));
const noBlock = () => new AwsError(404, 'NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found');

function readBlock(req: S3Request): Block {
  const md5 = req.headers['content-md5'];
  if (md5 === undefined) throw new AwsError(400, 'InvalidRequest', 'Missing required header for this request: Content-MD5');
  if (md5 !== createHash('md5').update(req.body).digest('base64')) throw new AwsError(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
  let root;
  try {
    root = parseXml(req.body.toString('utf8'));
  } catch {
    throw new AwsError(400, 'MalformedXML', 'The XML you provided was not well-formed');
  }
  if (root.name !== 'PublicAccessBlockConfiguration') throw new AwsError(400, 'MalformedXML', 'The XML you provided was not well-formed');
  return Object.fromEntries(FLAGS.map((f) => [f, textAt(root, f) === 'true'])) as Block;
}

export function s3Request(account: AwsAccount, req: S3Request): S3Answer {
  if (req.path === '/v20180820/configuration/publicAccessBlock') {
    if (req.headers['x-amz-account-id'] !== account.accountId) throw new AwsError(403, 'AccessDenied', 'Access Denied');
    if (!account.accountBlock) throw noBlock();
    return blockXml(account.accountBlock);
  }
  if (req.path === '/' || req.path === '') {
    return xml(toXml('ListAllMyBucketsResult', {
      Owner: { ID: account.ownerId, DisplayName: `owner-${account.accountId}` },
      Buckets: { Bucket: account.buckets.map((b) => ({ Name: b.Name, CreationDate: b.CreationDate, BucketRegion: b.Region })) },
    }, NS));
  }
  const name = decodeURIComponent(req.path.replace(/^\/+/, '').replace(/\/+$/, ''));
  const bucket: SimBucket | undefined = account.buckets.find((b) => b.Name === name);
  if (!bucket) throw new AwsError(404, 'NoSuchBucket', 'The specified bucket does not exist');
  if (req.query.has('publicAccessBlock')) {
    if (req.method === 'GET') {
      if (!bucket.block) throw noBlock();
      return blockXml(bucket.block);
    }
    if (req.method === 'PUT') {
      bucket.block = readBlock(req);
      return { status: 200 };
    }
    if (req.method === 'DELETE') {
      bucket.block = null;
      return { status: 204 };
    }
  }
  if (req.method !== 'GET') throw new AwsError(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
  if (req.query.has('location')) return xml(toXml('LocationConstraint', bucket.Region === 'us-east-1' ? '' : bucket.Region, NS));
  if (req.query.has('policy')) {
    if (bucket.policy === null) throw new AwsError(404, 'NoSuchBucketPolicy', 'The bucket policy does not exist');
    return { status: 200, contentType: 'application/json', body: JSON.stringify(bucket.policy) };
  }
  if (req.query.has('acl')) {
    const owner = { ID: account.ownerId, DisplayName: `owner-${account.accountId}` };
    const grants = [
      { Grantee: { ID: owner.ID, DisplayName: owner.DisplayName }, Permission: 'FULL_CONTROL' },
      ...bucket.grants.map((g) => ({ Grantee: g.type === 'Group' ? { URI: g.uri } : { ID: g.id }, Permission: g.permission })),
    ];
    const body = toXml('AccessControlPolicy', { Owner: owner, AccessControlList: { Grant: grants } }, NS)
      .replace(/<Grantee>/g, '<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">');
    return xml(body);
  }
  throw new AwsError(501, 'NotImplemented', 'A header or query you provided implies functionality that is not implemented');
}

/** Whether a bucket's configuration blocks every kind of public access (for tests). */
export function fullyBlocked(bucket: SimBucket): boolean {
  return bucket.block !== null && FLAGS.every((f) => bucket.block![f]);
}

