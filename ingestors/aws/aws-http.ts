/**
 * The instance's AWS clients, all on the kit's HTTP client and signed with SigV4 in its signing
 * hook: one client per endpoint origin (each CloudTrail Region paced to its documented 2 requests per
 * second, IAM, STS, S3 and S3 Control), made when first used, their stats summed for the instance status.
 */
import { AppwardenError } from '../../core/errors.js';
import type { ConnectorContext } from '../contract.js';
import type { HttpClient, HttpClientStats } from '../runtime/http-client.js';
import { TokenCache } from '../runtime/token-cache.js';
import { GLOBAL_REGION, endpointOf, type AwsConfig } from './config.js';
import { awsContinuationRefused } from './continuation.js';
import { awsThrottle } from './errors.js';
import { signRequest, type AwsCredentials } from './sigv4.js';
import { child, parseXml, textAt } from './xml.js';

export type AwsService = 'cloudtrail' | 'iam' | 'sts' | 's3';

/** LookupEvents allows 2 requests per second per account and Region. */
const CLOUDTRAIL_RATE = { requests: 2, perMs: 1000 };
/** Assumed-role credentials are renewed this long before they expire. */
const RENEW_MARGIN_MS = 5 * 60_000;
const SESSION_SECONDS = 3600;

export class AwsHttp {
  readonly #ctx: ConnectorContext<AwsConfig>;
  readonly #clients = new Map<string, HttpClient>();
  readonly #assumed: TokenCache<AwsCredentials> | null;
  readonly #now: () => number;

  constructor(ctx: ConnectorContext<AwsConfig>, now: () => number = Date.now) {
    this.#ctx = ctx;
    this.#now = now;
    const { config } = ctx;
    this.#assumed = config.roleArn ? new TokenCache(() => this.#assumeRole(config.roleArn!), RENEW_MARGIN_MS, now) : null;
  }

  /** The credentials requests are signed with: the configured keys, or the assumed role's, renewed before they expire. */
  credentials(): Promise<AwsCredentials> | AwsCredentials {
    return this.#assumed ? this.#assumed.get() : this.#ownCredentials();
  }

  cloudtrail(region: string): HttpClient {
    return this.#client('cloudtrail', region, endpointOf(this.#ctx.config.cloudtrailUrl, { region }), CLOUDTRAIL_RATE);
  }

  iam(): HttpClient {
    return this.#client('iam', GLOBAL_REGION, endpointOf(this.#ctx.config.iamUrl, {}));
  }

  /** The S3 client of a bucket's Region, and the path prefix that addresses the bucket (path style, or `/` with the bucket in the host). */
  s3(region: string, bucket?: string): { http: HttpClient; prefix: string } {
    const template = this.#ctx.config.s3Url;
    const virtualHost = template.includes('{bucket}');
    if (virtualHost && bucket === undefined) {
      return { http: this.#client('s3', region, endpointOf(template.replace('{bucket}.', ''), { region })), prefix: '' };
    }
    const http = this.#client('s3', region, endpointOf(template, { region, bucket }));
    return { http, prefix: virtualHost || bucket === undefined ? '' : `/${encodeURIComponent(bucket)}` };
  }

  s3Control(): HttpClient {
    return this.#client('s3', GLOBAL_REGION, endpointOf(this.#ctx.config.s3ControlUrl, { account: this.#ctx.config.accountId }));
  }

  /** Every client's requests, retries and throttling waits, summed; the latest pause. */
  stats(): HttpClientStats {
    const total: HttpClientStats = { requests: 0, retries: 0, throttled: 0, throttleWaitMs: 0, errors: 0, pausedUntil: null };
    for (const client of this.#clients.values()) {
      const s = client.stats();
      total.requests += s.requests;
      total.retries += s.retries;
      total.throttled += s.throttled;
      total.throttleWaitMs += s.throttleWaitMs;
      total.errors += s.errors;
      if (s.pausedUntil !== null && (total.pausedUntil === null || s.pausedUntil > total.pausedUntil)) total.pausedUntil = s.pausedUntil;
    }
    return total;
  }

  #ownCredentials(): AwsCredentials {
    const { accessKeyId, secretAccessKey, sessionToken } = this.#ctx.config;
    return { accessKeyId, secretAccessKey, sessionToken };
  }

  #client(service: AwsService, region: string, baseUrl: string, rate?: { requests: number; perMs: number }, own = false): HttpClient {
    const key = `${service} ${region} ${baseUrl}${own ? ' own' : ''}`;
    let client = this.#clients.get(key);
    if (!client) {
      client = this.#ctx.http({
        baseUrl,
        throttle: awsThrottle,
        continuationRefused: awsContinuationRefused,
        ...(rate ? { providerRate: rate } : {}),
        authenticate: async (req) => signRequest(
          { method: req.method, url: req.url, headers: req.headers, body: req.body },
          { region, service },
          own ? this.#ownCredentials() : await this.credentials(),
          new Date(this.#now()),
        ),
      });
      this.#clients.set(key, client);
    }
    return client;
  }

  /** STS AssumeRole (Query API), signed with the connector's own keys. */
  async #assumeRole(roleArn: string): Promise<{ token: AwsCredentials; expiresInMs: number }> {
    const { config } = this.#ctx;
    const sts = this.#client('sts', GLOBAL_REGION, endpointOf(config.stsUrl, {}), undefined, true);
    const form = new URLSearchParams({ Action: 'AssumeRole', Version: '2011-06-15', RoleArn: roleArn, RoleSessionName: config.roleSessionName, DurationSeconds: String(SESSION_SECONDS) });
    if (config.externalId) form.set('ExternalId', config.externalId);
    const res = await sts.request<string>({
      method: 'POST', path: '/', rawBody: form.toString(), secretBody: false, responseType: 'text',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    });
    const credentials = child(child(parseXml(res.body), 'AssumeRoleResult'), 'Credentials');
    const accessKeyId = textAt(credentials, 'AccessKeyId');
    const secretAccessKey = textAt(credentials, 'SecretAccessKey');
    const sessionToken = textAt(credentials, 'SessionToken');
    const expiration = Date.parse(textAt(credentials, 'Expiration') ?? '');
    if (!accessKeyId || !secretAccessKey || !sessionToken || Number.isNaN(expiration)) {
      throw new AppwardenError('AW_PROVIDER_RESPONSE_INVALID', 'STS AssumeRole answered no credentials', { details: { roleArn } });
    }
    return { token: { accessKeyId, secretAccessKey, sessionToken }, expiresInMs: expiration - this.#now() };
  }
}
