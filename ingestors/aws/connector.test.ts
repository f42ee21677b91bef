/** The AWS connector against its simulator over HTTP: signed requests, assumed role, every stream, the actions. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '../../core/logger.js';
import { startAwsSimulator, type AwsSimulator } from '../../simulators/aws/index.js';
import { readWithExpiryMidRead } from '../../test/support/expired-continuation.js';
import { simulatorConfig } from '../../test/support/simulators.js';
import type { AccountEvent, FileEvent } from '../../schemas/types.js';
import { normalizeItem, type ConnectorInstance } from '../contract.js';
import { createConnector } from '../runtime/connector-factory.js';
import { aws } from './index.js';
import { signRequest } from './sigv4.js';

let sim: AwsSimulator;
let connector: ConnectorInstance;
const stop = new AbortController();

before(async () => {
  sim = await startAwsSimulator({ log: silentLogger, seed: 'aws-connector-test', users: 5, eventsPerDay: 120 });
  connector = createConnector(aws, 'main', simulatorConfig('aws', sim), silentLogger, stop.signal);
});
after(async () => {
  stop.abort();
  await sim.close();
});

/**
 * Two days up to a whole second already past. The trail is live: a window reaching past now would take in
 * records made while it is read, which an expectation computed before or after the read may not hold.
 * The connector reads [since, until); the trail's `between` is inclusive, hence `until - 1` below.
 */
function pastWindow(): { since: number; until: number } {
  const until = Math.floor(Date.now() / 1000) * 1000;
  return { since: until - 2 * 86_400_000, until };
}

async function all<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...page);
  return out;
}

describe('AWS connector against the simulator', () => {
  test('the credentials (an assumed role) serve every capability', async () => {
    const check = await connector.checkCredentials();
    assert.deepEqual([check.ok, check.missing], [true, []]);
  });

  test('every CloudTrail record of every Region is read, page by page with NextToken', async () => {
    const window = pastWindow();
    const read: unknown[] = [];
    for (const stream of connector.activityStreams) read.push(...await all(stream.read(window, stop.signal)));
    assert.ok(window.since < Date.now() - 86_400_000 - 3_600_000, 'the window starts before the history');
    assert.deepEqual((read as string[]).sort(), sim.trail.between(null, window.since, window.until - 1).map((e) => e.text).sort());
  });

  test('a NextToken CloudTrail refuses mid-window (400 InvalidNextTokenException): the window is read again, every record of it read', async () => {
    const small = createConnector(aws, 'pages', simulatorConfig('aws', sim, { lookupPageSize: 10 }), silentLogger, stop.signal);
    const stream = small.activityStreams[0]!;
    const region = stream.name.split('/')[1]!;
    const window = pastWindow();
    const expected = sim.trail.between(region, window.since, window.until - 1).map((e) => e.text);
    assert.ok(expected.length > 30, `the window needs several pages of 10 (${expected.length} records)`);
    const read = await readWithExpiryMidRead(sim.url, stream, window, stop.signal);
    assert.equal(read.injected, 1, 'the second page\'s NextToken was refused');
    assert.deepEqual([...new Set(read.records as string[])].sort(), [...expected].sort(), 'every record of the window, none missing');
    assert.equal(read.warnings.length, 1);
    assert.deepEqual([read.warnings[0]!.provider, read.warnings[0]!.stream], ['test', stream.name]);
    // Newest first: the read starts the window again, so the refused page's records come from the second read.
    assert.equal(read.warnings[0]!.restartFrom, new Date(window.since).toISOString());
  });

  test('the account scan: users with console, MFA and keys; roles with their trust; admin-grade privileges', async () => {
    const stream = connector.snapshotStreams.find((s) => s.name === 'accounts')!;
    const events: AccountEvent[] = [];
    for await (const page of stream.read(stop.signal)) for (const item of page.items) events.push(<AccountEvent>normalizeItem(stream, item, { instance: 'main', observedAt: Date.now() }));
    const users = events.filter((e) => e.kind === 'user' && e.subject.type === 'user');
    assert.equal(users.length, sim.account.users.length);
    const roles = events.filter((e) => e.kind === 'user' && e.subject.type === 'service');
    assert.equal(roles.find((r) => r.subject.name === 'ci-deploy')?.attributes.cross_account, 'true');
    assert.equal(roles.find((r) => r.subject.name === 'lambda-exec')?.attributes.cross_account, 'false');
    const admin = events.filter((e) => e.kind === 'privilege' && e.attributes.admin_grade === 'true').map((e) => e.privilege?.name);
    assert.ok(admin.includes('AdministratorAccess') && admin.includes('PowerUserEverything'), String(admin));
    assert.ok(events.some((e) => e.kind === 'membership'));
  });

  test('the bucket scan: exposure from the ACL, the policy and the public access block', async () => {
    const stream = connector.snapshotStreams.find((s) => s.name === 'buckets')!;
    const files: FileEvent[] = [];
    for await (const page of stream.read(stop.signal)) for (const item of page.items) files.push(<FileEvent>normalizeItem(stream, item, { instance: 'main', observedAt: Date.now() }));
    const level = Object.fromEntries(files.map((f) => [f.file.name.split('-').pop(), f.file.access_level]));
    assert.deepEqual(level, { logs: 'private', website: 'public', shared: 'public', partner: 'external' });
  });

  test('a wrong secret is refused with SignatureDoesNotMatch / InvalidSignatureException', async () => {
    const bad = createConnector(aws, 'bad', simulatorConfig('aws', sim, { secretAccessKey: 'wrong-secret', roleArn: undefined }), silentLogger, stop.signal);
    const check = await bad.checkCredentials();
    assert.equal(check.ok, false);
    assert.ok(check.missing.some((m) => /SignatureDoesNotMatch|InvalidSignatureException/.test(m.reason)), JSON.stringify(check.missing));
  });

  test('a tampered body is refused with the service\'s real error: IAM SignatureDoesNotMatch (403), CloudTrail InvalidSignatureException (400)', async () => {
    const send = async (service: string, headers: Record<string, string>, signed: string, sent: string) => {
      const url = new URL(`${sim.url}/`);
      const auth = signRequest({ method: 'POST', url, headers, body: signed }, { region: 'us-east-1', service }, sim.credentials, new Date());
      const res = await fetch(url, { method: 'POST', headers: { ...headers, ...auth }, body: sent });
      return { status: res.status, text: await res.text() };
    };
    const form = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
    const good = await send('iam', form, 'Action=ListUsers&Version=2010-05-08', 'Action=ListUsers&Version=2010-05-08');
    assert.equal(good.status, 200);
    const iam = await send('iam', form, 'Action=ListUsers&Version=2010-05-08', 'Action=DeleteLoginProfile&Version=2010-05-08&UserName=x');
    assert.equal(iam.status, 403);
    assert.match(iam.text, /<Code>SignatureDoesNotMatch<\/Code>/);
    const json = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'CloudTrail_20131101.LookupEvents' };
    const trail = await send('cloudtrail', json, '{"MaxResults":1}', '{"MaxResults":50}');
    assert.equal(trail.status, 400);
    assert.equal((JSON.parse(trail.text) as { __type: string }).__type, 'InvalidSignatureException');
  });

  test('a missing permission is AccessDenied in the service\'s protocol, and the credential check names it', async () => {
    sim.deny('s3:ListAllMyBuckets');
    try {
      const check = await connector.checkCredentials();
      assert.equal(check.ok, true);
      assert.deepEqual(check.missing.map((m) => [m.capability, m.permission]), [['files:periodic', 's3:ListAllMyBuckets']]);
    } finally {
      sim.allow('s3:ListAllMyBuckets');
    }
  });
});
