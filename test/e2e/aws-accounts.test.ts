/**
 * Two AWS accounts side by side, end to end (simulator → connector → Kafka → ClickHouse → API, and the
 * policy processor): CloudTrail of two Regions, IAM users, roles and admin-grade policies, S3 buckets
 * and their exposure, and the built-in AWS policies raising alerts on what the normalizer produces.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { eventId } from '../../schemas/event-id.js';
import { startAwsSimulator, type AwsSimulator } from '../../simulators/aws/index.js';
import { startTestStack, type TestStack } from '../support/appwarden.js';
import { simulatorInstance } from '../support/simulators.js';
import { testLog } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';

const cleanups: Array<() => Promise<unknown>> = [];
let a: AwsSimulator;
let b: AwsSimulator;
let s: TestStack;

before(async () => {
  a = await startAwsSimulator({ log: testLog, seed: 'e2e-aws-a', users: 6, eventsPerDay: 80 });
  cleanups.push(() => a.close());
  b = await startAwsSimulator({ log: testLog, seed: 'e2e-aws-b', users: 4, eventsPerDay: 60 });
  cleanups.push(() => b.close());
  s = await startTestStack({ aws: { a: simulatorInstance('aws', a), b: simulatorInstance('aws', b) } });
  cleanups.push(() => s.stop());
});
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const ids = (sim: AwsSimulator, instance: string) => sim.trail.all().map((text) => eventId('aws', instance, String((JSON.parse(text) as { eventID: string }).eventID)));

/**
 * Waits until the instance stored exactly the records the trail holds. The trail is live (new records
 * keep coming as time passes): what is stored is compared with what the trail holds at the same moment.
 */
async function everyRecordStored(sim: AwsSimulator, instance: string): Promise<void> {
  let seen = { stored: 0, held: 0 };
  await waitFor(async () => {
    const rows = await s.clickhouse.query<{ event_id: string }>('SELECT event_id FROM activities FINAL WHERE instance = {instance:String}', { instance });
    const stored = rows.map((r) => r.event_id).sort();
    const held = [...new Set(ids(sim, instance))].sort();
    seen = { stored: stored.length, held: held.length };
    return JSON.stringify(stored) === JSON.stringify(held);
  }, { what: `every CloudTrail record of ${instance}`, timeoutMs: 90_000 }).catch((err: Error) => {
    throw new Error(`${err.message}; last seen ${JSON.stringify(seen)}`);
  });
}

describe('AWS end to end, two accounts side by side', () => {
  test('CloudTrail of every Region, IAM identities and S3 buckets of each account arrive, each under its instance', async () => {
    for (const [sim, instance] of [[a, 'a'], [b, 'b']] as const) {
      await everyRecordStored(sim, instance);
      const users = await waitFor(async () => {
        const res = await s.api<{ items: Array<{ subject: { type: string; name: string } }> }>(`/v1/accounts?provider=aws&instance=${instance}&kind=user&limit=1000`);
        return res.body.items.length === sim.account.users.length + sim.account.roles.length ? res.body.items : null;
      }, { what: `the IAM users and roles of ${instance}` });
      assert.equal(users.filter((u) => u.subject.type === 'service').length, sim.account.roles.length, 'roles are service principals');
      const files = await waitFor(async () => {
        const rows = await s.clickhouse.query<{ name: string; access_level: string }>(
          "SELECT name, access_level FROM files FINAL WHERE provider = 'aws' AND instance = {instance:String}", { instance });
        return rows.length === sim.account.buckets.length ? rows : null;
      }, { what: `the buckets of ${instance}` });
      assert.deepEqual(Object.fromEntries(files.map((f) => [f.name.split('-').pop(), f.access_level])), { logs: 'private', website: 'public', shared: 'public', partner: 'external' });
    }
    const regions = Object.keys(a.requests.lookups).sort();
    assert.deepEqual(regions, [...a.regions].sort(), 'LookupEvents was called in each configured Region');
  });

  test('a root console sign-in and a stopped trail raise the built-in AWS alerts', async () => {
    const now = Date.now();
    const at = new Date(Math.floor(now / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    const root = { type: 'Root', principalId: a.account.accountId, arn: `arn:aws:iam::${a.account.accountId}:root`, accountId: a.account.accountId };
    const login = {
      eventVersion: '1.05', eventID: randomUUID(), eventTime: at, eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin', awsRegion: 'us-east-1',
      eventType: 'AwsConsoleSignIn', sourceIPAddress: '203.0.113.9', userAgent: 'Mozilla/5.0', userIdentity: root, recipientAccountId: a.account.accountId,
      requestParameters: null, responseElements: { ConsoleLogin: 'Success' }, additionalEventData: { MFAUsed: 'No', LoginTo: 'https://console.aws.amazon.com/' },
    };
    const stop = {
      eventVersion: '1.08', eventID: randomUUID(), eventTime: at, eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging', awsRegion: 'eu-west-1',
      eventType: 'AwsApiCall', sourceIPAddress: '203.0.113.9', userAgent: 'console.amazonaws.com', userIdentity: root, recipientAccountId: a.account.accountId,
      requestParameters: { name: `arn:aws:cloudtrail:eu-west-1:${a.account.accountId}:trail/management` }, responseElements: null, readOnly: false,
    };
    a.addEvent(login, now, 'us-east-1');
    a.addEvent(stop, now, 'eu-west-1');
    for (const [policy, record] of [['aws-root-or-mfa-less-console-login', login], ['aws-cloudtrail-logging-stopped', stop]] as const) {
      const id = eventId('aws', 'a', record.eventID);
      const alert = await waitFor(async () => {
        const res = await s.api<{ items: Array<{ event_ids: string[]; title: string; instance: string }> }>(`/v1/alerts?policy_id=${policy}&limit=1000`);
        return res.body.items.find((x) => x.event_ids.includes(id)) ?? null;
      }, { what: `an alert of ${policy} for the added record`, timeoutMs: 60_000 });
      assert.equal(alert.instance, 'a');
      assert.match(alert.title, policy.includes('console') ? /root \(Root, MFA: No\) from 203\.0\.113\.9/ : /CloudTrail StopLogging by root/);
    }
  });
});
