/**
 * A local stand-in for one AWS account's CloudTrail, IAM, STS and S3 APIs on one port: the service is
 * the one the request's SigV4 credential scope names, as AWS routes by endpoint. Every request is
 * signature-checked; LookupEvents is held to 2 requests per second per Region.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../core/logger.js';
import { generationDay } from '../common/anchored-history.js';
import { systemClock, type Clock } from '../common/clock.js';
import { createHttpApp, startHttpServer } from '../common/http-server.js';
import { createPrng } from '../common/prng.js';
import { createRateLimiter } from '../common/rate-limiter.js';
import { awsId, generateAccount, type AwsAccount } from './account.js';
import { AwsError, answer, cloudTrailContinuation, errors, type Protocol } from './aws-errors.js';
import { lookupEvents } from './cloudtrail-api.js';
import { iamAction, iamPermission, stsAction } from './iam-api.js';
import { s3Permission, s3Request } from './s3-api.js';
import { checkSignature, type KeyRecord } from './signature-check.js';
import { Trail } from './trail.js';

export interface AwsSimulatorOptions {
  log: Logger;
  seed?: string;
  users?: number;
  regions?: string[];
  eventsPerDay?: number;
  days?: number;
  clock?: Clock;
  port?: number;
}

export interface AwsSimulator {
  url: string;
  account: AwsAccount;
  trail: Trail;
  /** The connector's own keys, and the role it may assume with its external id. */
  credentials: { accessKeyId: string; secretAccessKey: string; roleArn: string; externalId: string };
  regions: readonly string[];
  requests: { total: number; throttled: number; lookups: Record<string, number>; refused: Record<string, number> };
  /** Adds a CloudTrail record (its JSON text is what LookupEvents serves) at `atMs` in `region`. */
  addEvent(record: Record<string, unknown> | string, atMs: number, region?: string): void;
  /** From now on, requests needing `permission` (`cloudtrail:LookupEvents`, `iam:ListUsers`...) are refused with AccessDenied. */
  deny(permission: string): void;
  allow(permission: string): void;
  /** The next `count` requests are refused with the service's throttling answer. */
  throttleNext(count: number): void;
  close(): Promise<void>;
}

const SESSION_MS = 3_600_000;

export async function startAwsSimulator(options: AwsSimulatorOptions): Promise<AwsSimulator> {
  const seed = options.seed ?? 'aws';
  const clock = options.clock ?? systemClock;
  const regions = options.regions ?? ['us-east-1', 'eu-west-1'];
  const log = options.log.child({ component: 'simulator', provider: 'aws' });
  const prng = createPrng(`${seed}:keys`);
  const connectorKey = awsId(prng, 'AKIA').slice(0, 20);
  const credentials = { accessKeyId: connectorKey, secretAccessKey: prng.chars(40, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'), roleArn: '', externalId: `ext-${prng.hex(12)}` };
  const account = generateAccount(seed, {
    users: options.users ?? 12, nowMs: generationDay(clock.now()), regions,
    connector: { userName: 'appwarden-audit', accessKeyId: connectorKey, roleName: 'AppwardenAudit', externalId: credentials.externalId },
  });
  credentials.roleArn = account.roles[0]!.Arn;
  const trail = new Trail(seed, account, regions, options.eventsPerDay ?? 200, (options.days ?? 1) * 86_400_000, clock);
  const keys = new Map<string, KeyRecord>([[connectorKey, { secretAccessKey: credentials.secretAccessKey, principalArn: account.users[0]!.Arn }]]);
  const denied = new Set<string>();
  const perRegion = createRateLimiter({ limit: 2, windowMs: 1000, clock });
  const forced = createRateLimiter({ limit: Number.MAX_SAFE_INTEGER, windowMs: 1000, clock });
  const requests: AwsSimulator['requests'] = { total: 0, throttled: 0, lookups: {}, refused: {} };
  const ids = createPrng(`${seed}:requests`);

  const app = createHttpApp(log, { continuation: cloudTrailContinuation });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    requests.total++;
    const requestId = ids.uuid();
    const url = new URL(request.url, `http://${request.headers.host ?? '127.0.0.1'}`);
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(String(request.headers.authorization ?? ''))?.[1];
    const target = request.headers['x-amz-target'];
    const protocol: Protocol = scope === 's3' ? 's3' : scope === 'cloudtrail' || target !== undefined ? 'json' : 'query';
    const send = (status: number, contentType: string | undefined, text: string | undefined) => {
      reply.status(status).header('x-amzn-requestid', requestId);
      if (contentType) reply.header('content-type', contentType);
      return reply.send(text ?? '');
    };
    try {
      const { key, region, service } = checkSignature({ method: request.method, url, headers: request.headers, body }, protocol, (id) => keys.get(id), clock.now());
      if (!forced.take('any').allowed) throw errors.throttled(protocol);
      const authorize = (permission: string) => {
        if (denied.has(permission)) {
          requests.refused[permission] = (requests.refused[permission] ?? 0) + 1;
          throw errors.accessDenied(protocol, permission, key.principalArn);
        }
      };
      if (service === 'cloudtrail') {
        authorize('cloudtrail:LookupEvents');
        requests.lookups[region] = (requests.lookups[region] ?? 0) + 1;
        if (!perRegion.take(region).allowed) throw errors.throttled('json');
        let input: unknown;
        try {
          input = body.length > 0 ? JSON.parse(body.toString('utf8')) : {};
        } catch {
          throw new AwsError(400, 'SerializationException', 'the request body is not JSON');
        }
        return send(200, 'application/x-amz-json-1.1', JSON.stringify(lookupEvents(trail, region, String(target ?? ''), input)));
      }
      if (service === 's3') {
        const req = { method: request.method, path: url.pathname, query: url.searchParams, headers: request.headers, body };
        authorize(s3Permission(req));
        const out = s3Request(account, req);
        return send(out.status, out.contentType, out.body);
      }
      const params = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
      const action = params.Action ?? '';
      if (service === 'sts') {
        authorize(`sts:${action}`);
        return send(200, 'text/xml', stsAction(account, action, params, requestId, (roleArn) => {
          const issued = { accessKeyId: awsId(prng, 'ASIA').slice(0, 20), secretAccessKey: prng.chars(40, 'abcdefghijklmnopqrstuvwxyz0123456789'), sessionToken: `FwoG${prng.chars(120, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}`, expiresAt: clock.now() + SESSION_MS };
          keys.set(issued.accessKeyId, { secretAccessKey: issued.secretAccessKey, sessionToken: issued.sessionToken, expiresAt: issued.expiresAt, principalArn: roleArn });
          return { ...issued, expiration: new Date(issued.expiresAt).toISOString() };
        }, key.principalArn));
      }
      if (service === 'iam') {
        authorize(iamPermission(action));
        return send(200, 'text/xml', iamAction(account, action, params, requestId));
      }
      throw new AwsError(400, 'UnknownService', `no service ${service}`);
    } catch (err) {
      if (!(err instanceof AwsError)) {
        log.error({ err, url: request.url }, 'aws simulator failed a request');
        err = new AwsError(500, 'InternalFailure', 'The request processing has failed because of an unknown error.');
      }
      const e = err as AwsError;
      if (e.code === 'ThrottlingException' || e.code === 'Throttling' || e.code === 'SlowDown') requests.throttled++;
      const out = answer(protocol, e, requestId);
      return send(out.status, out.contentType, out.body);
    }
  };
  app.all('/', handle);
  app.all('/*', handle);

  const server = await startHttpServer(app, { port: options.port ?? 0 });
  log.info({ url: server.url, account: account.accountId, users: account.users.length, buckets: account.buckets.length }, 'aws simulator started');
  return {
    url: server.url,
    account,
    trail,
    credentials,
    regions,
    requests,
    addEvent: (record, atMs, region = 'us-east-1') => trail.add(typeof record === 'string' ? record : JSON.stringify(record), atMs, region),
    deny: (permission) => { denied.add(permission); },
    allow: (permission) => { denied.delete(permission); },
    throttleNext: (count) => forced.throttleNext(count, { resetInMs: 1000 }),
    close: async () => {
      await server.close();
      log.info('aws simulator stopped');
    },
  };
}
