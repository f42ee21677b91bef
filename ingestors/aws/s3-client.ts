/**
 * S3 REST calls for bucket exposure (XML): ListBuckets, each bucket's Region, ACL, policy and
 * public access block, the account's public access block (S3 Control), and the writes that block or
 * restore public access. https://docs.aws.amazon.com/AmazonS3/latest/API/
 */
import { createHash } from 'node:crypto';
import { AppwardenError } from '../../core/errors.js';
import { GLOBAL_REGION } from './config.js';
import type { AwsHttp } from './aws-http.js';
import { awsErrorCode } from './errors.js';
import { xmlToJson, type Json } from './query-api.js';
import { child, children, parseXml, textAt, toXml } from './xml.js';

export const PUBLIC_ACCESS_FLAGS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const;
export type PublicAccessBlock = Record<(typeof PUBLIC_ACCESS_FLAGS)[number], boolean>;
const S3_NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';

export interface BucketRef {
  name: string;
  region: string;
  creationDate: string | null;
}

function readBlock(xml: string): PublicAccessBlock {
  const root = parseXml(xml);
  return Object.fromEntries(PUBLIC_ACCESS_FLAGS.map((f) => [f, textAt(root, f) === 'true'])) as PublicAccessBlock;
}

export class S3Client {
  constructor(private readonly aws: AwsHttp, private readonly accountId: string) {}

  /** Every bucket of the account with its Region (`BucketRegion`, else `GetBucketLocation`) and its owner. */
  async buckets(): Promise<{ owner: Json; buckets: BucketRef[] }> {
    const { http } = this.aws.s3(GLOBAL_REGION);
    const out: BucketRef[] = [];
    let owner: Json = {};
    let token: string | undefined;
    do {
      const res = await http.request<string>({ path: '/', query: { 'max-buckets': 1000, 'continuation-token': token }, responseType: 'text' });
      const root = parseXml(res.body);
      owner = (xmlToJson(child(root, 'Owner') ?? { name: 'Owner', children: [], text: '' }) as Json) || {};
      for (const bucket of children(child(root, 'Buckets'), 'Bucket')) {
        const name = textAt(bucket, 'Name');
        if (name === null) continue;
        out.push({ name, region: textAt(bucket, 'BucketRegion') ?? await this.location(name), creationDate: textAt(bucket, 'CreationDate') });
      }
      const next = textAt(root, 'ContinuationToken') ?? undefined;
      token = next !== token ? next : undefined;
    } while (token !== undefined);
    return { owner: typeof owner === 'object' ? owner : {}, buckets: out };
  }

  async location(bucket: string): Promise<string> {
    const { http, prefix } = this.aws.s3(GLOBAL_REGION, bucket);
    const res = await http.request<string>({ path: prefix || '/', query: { location: '' }, responseType: 'text' });
    return parseXml(res.body).text.trim() || GLOBAL_REGION;
  }

  /** The bucket's ACL grants and owner (`GetBucketAcl`), as JSON. */
  async acl(bucket: BucketRef): Promise<Json> {
    const { http, prefix } = this.aws.s3(bucket.region, bucket.name);
    const res = await http.request<string>({ path: prefix || '/', query: { acl: '' }, responseType: 'text' });
    const root = parseXml(res.body);
    const grants = children(child(root, 'AccessControlList'), 'Grant').map((g) => ({
      Grantee: xmlToJson(child(g, 'Grantee') ?? { name: 'Grantee', children: [], text: '' }),
      Permission: textAt(g, 'Permission'),
    }));
    return { Owner: xmlToJson(child(root, 'Owner') ?? { name: 'Owner', children: [], text: '' }), Grants: grants };
  }

  /** The bucket policy document, or null without one (404 NoSuchBucketPolicy). */
  async policy(bucket: BucketRef): Promise<unknown> {
    const { http, prefix } = this.aws.s3(bucket.region, bucket.name);
    const res = await http.request<string>({ path: prefix || '/', query: { policy: '' }, responseType: 'text', acceptStatus: [404] });
    if (res.status === 404) return this.#absent(res.body, 'NoSuchBucketPolicy');
    try {
      return JSON.parse(res.body) as unknown;
    } catch {
      throw new AppwardenError('AW_PROVIDER_RESPONSE_INVALID', `the policy of bucket ${bucket.name} is not JSON`);
    }
  }

  /** The bucket's public access block, or null without one (404 NoSuchPublicAccessBlockConfiguration). */
  async publicAccessBlock(bucket: BucketRef): Promise<PublicAccessBlock | null> {
    const { http, prefix } = this.aws.s3(bucket.region, bucket.name);
    const res = await http.request<string>({ path: prefix || '/', query: { publicAccessBlock: '' }, responseType: 'text', acceptStatus: [404] });
    return res.status === 404 ? this.#absent(res.body, 'NoSuchPublicAccessBlockConfiguration') : readBlock(res.body);
  }

  /** The account's public access block (S3 Control), or null without one. */
  async accountPublicAccessBlock(): Promise<PublicAccessBlock | null> {
    const res = await this.aws.s3Control().request<string>({
      path: '/v20180820/configuration/publicAccessBlock', headers: { 'x-amz-account-id': this.accountId }, responseType: 'text', acceptStatus: [404],
    });
    return res.status === 404 ? this.#absent(res.body, 'NoSuchPublicAccessBlockConfiguration') : readBlock(res.body);
  }

  async putPublicAccessBlock(bucket: BucketRef, block: PublicAccessBlock): Promise<void> {
    const { http, prefix } = this.aws.s3(bucket.region, bucket.name);
    const body = `<?xml version="1.0" encoding="UTF-8"?>${toXml('PublicAccessBlockConfiguration', { ...block }, S3_NS)}`;
    // S3 requires Content-MD5 on PutPublicAccessBlock.
    await http.request({
      method: 'PUT', path: prefix || '/', query: { publicAccessBlock: '' }, rawBody: body, responseType: 'text',
      headers: { 'content-type': 'application/xml', 'content-md5': createHash('md5').update(body).digest('base64') },
    });
  }

  async deletePublicAccessBlock(bucket: BucketRef): Promise<void> {
    const { http, prefix } = this.aws.s3(bucket.region, bucket.name);
    await http.request({ method: 'DELETE', path: prefix || '/', query: { publicAccessBlock: '' }, responseType: 'text' });
  }

  /** A 404 that means "none" when its code is `expected`; any other 404 (NoSuchBucket) is an error. */
  #absent(body: string, expected: string): null {
    const code = awsErrorCode(body);
    if (code === expected) return null;
    throw new AppwardenError('AW_PROVIDER_REQUEST_FAILED', `S3 answered 404 ${code ?? ''}`.trim(), { details: { status: 404, code } });
  }
}
