/**
 * Salesforce end to end (simulator → connector → Kafka → sink → ClickHouse → API), two orgs side by side:
 * one read with the client credentials flow, one with the JWT bearer flow. Covers the cells of the
 * Salesforce column the contract suite does not: both auth flows and the instance URL of the token
 * answer, a new token after a 401, every activity source, privileges and OAuth tokens, files by scan and
 * by LastModifiedDate polling, a late hourly log file ingested once, and the API-usage guard.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { salesforce } from '../../ingestors/salesforce/index.js';
import { decode } from '../../schemas/registry.js';
import type { AuditEvent } from '../../schemas/types.js';
import { startSalesforceSimulator, type SalesforceSimulator } from '../../simulators/salesforce/index.js';
import { startTestStack, type TestStack } from '../support/appwarden.js';
import { freshName } from '../support/fresh.js';
import { FAST_INSTANCE, testLog } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';

const SMALL = { users: 10, groups: 2, files: 6, loginsPerDay: 48, setupPerDay: 12, activityPerDay: 96, days: 1, hourlyDelayMinMs: 60_000, hourlyDelayMaxMs: 20 * 60_000, batchSize: 200 };
const cleanups: Array<() => Promise<unknown>> = [];
let sales: SalesforceSimulator;
let support: SalesforceSimulator;
let s: TestStack;
const published: AuditEvent[] = [];
const publishedGroup = freshName('sf-e2e');

const count = async (sql: string, params: Record<string, unknown>) => Number((await s.clickhouse.query<{ n: string }>(sql, params))[0]?.n ?? 0);
const stored = (instance: string, action: string) =>
  count('SELECT count() AS n FROM activities FINAL WHERE provider = \'salesforce\' AND instance = {instance:String} AND action_raw = {action:String}', { instance, action });

before(async () => {
  sales = await startSalesforceSimulator({ log: testLog, seed: 'e2e-sales', ...SMALL });
  cleanups.push(() => sales.close());
  support = await startSalesforceSimulator({ log: testLog, seed: 'e2e-support', ...SMALL, dailyApiLimit: 10_000_000 });
  cleanups.push(() => support.close());
  // The support org has spent nearly half its day's API requests: a few more and it is past the connector's
  // share (50 %), where the rest of the limit is spread over a day (here ~17 ms a request, to keep the test short).
  support.setApiUsage(5_000_000 - 50);
  const base = { ...FAST_INSTANCE, schedule: { ...FAST_INSTANCE.schedule, changesEveryMs: 300 }, eventLogInterval: 'Hourly', batchSize: 200 };
  s = await startTestStack({
    salesforce: {
      sales: { ...base, loginUrl: sales.loginUrl, clientId: sales.clientId, clientSecret: sales.clientSecret, realTimeEvents: ['LoginEvent', 'ApiEvent', 'ReportEvent'] },
      support: { ...base, loginUrl: support.loginUrl, authFlow: 'jwt_bearer', clientId: support.clientId, privateKey: support.jwtPrivateKey!, username: String(support.org.users[1]!.Username) },
    },
  });
  cleanups.push(() => s.stop());
  const consumer = await s.bus.consume({
    groupId: publishedGroup, topics: [s.bus.topics.audit], fromBeginning: true,
    // Committed, so the group's lag says when every event published so far has been read.
    eachBatch: async (batch, ctx) => {
      for (const r of batch.records) if (r.value) published.push(decode(r.value).record as AuditEvent);
      await ctx.commit();
    },
  });
  cleanups.push(() => consumer.stop());
});
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('Salesforce end to end, two orgs', () => {
  test('both auth flows reach the instance URL of their token answer; every activity source is stored', async () => {
    await waitFor(async () => (await stored('sales', 'LoginHistory')) === sales.rows('LoginHistory').length && (await stored('sales', 'LoginEvent')) === sales.rows('LoginEvent').length,
      { what: 'sales LoginHistory and LoginEvent stored', timeoutMs: 120_000 });
    assert.ok((sales.issued.client_credentials ?? 0) >= 1, 'the sales org issued client-credentials tokens');
    assert.ok((support.issued.jwt_bearer ?? 0) >= 1, 'the support org issued JWT bearer tokens');
    // The login URL (localhost) is not the instance URL (127.0.0.1): data came from the token answer's instance_url.
    assert.notEqual(new URL(sales.loginUrl).origin, new URL(sales.url).origin);
    await waitFor(async () => (await stored('support', 'LoginHistory')) === support.rows('LoginHistory').length, { what: 'support LoginHistory stored', timeoutMs: 120_000 });
    const trail = sales.rows('SetupAuditTrail').map((r) => (salesforce.normalizeActivity(r, { instance: 'sales', ingestedAt: 0 }) as AuditEvent).event_id);
    assert.ok(trail.length > 0, 'the org has a setup audit trail');
    await waitFor(async () => (await count('SELECT count() AS n FROM activities FINAL WHERE event_id IN {ids:Array(String)}', { ids: trail })) === trail.length,
      { what: 'the setup audit trail stored', timeoutMs: 60_000 });
    // An hour's log files are published minutes after the hour, maybe while this waits: the rows stored are
    // compared with the rows of the files published at that moment.
    const hourlyRows = () => sales.logFiles.visible(0, Date.now()).filter((f) => f.row.Interval === 'Hourly').reduce((n, f) => n + f.events.length, 0);
    assert.ok(hourlyRows() > 0, 'the org has hourly log files');
    let seen = { stored: 0, published: 0 };
    await waitFor(async () => {
      seen = { stored: await count("SELECT count() AS n FROM activities FINAL WHERE instance = 'sales' AND attributes['log_file_id'] != ''", {}), published: hourlyRows() };
      return seen.stored === seen.published;
    }, { what: 'every row of the published log files stored', timeoutMs: 120_000 }).catch((err: Error) => {
      throw new Error(`${err.message}; last seen ${JSON.stringify(seen)}`);
    });
  });

  test('a late hourly log file (for an hour five hours ago, published now) is ingested once', async () => {
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 5 * 3_600_000;
    const user = sales.org.users[3]!;
    const events = [0, 1, 2].map((i) => ({ eventType: 'ReportExport', atMs: hour + 600_000 * (i + 1), user, ip: '81.2.69.160', requestId: `LATE${i}${Date.now()}`, sessionKey: 'K', status: 'S', entityId: '00O000000000001AAA', runTime: 10 }));
    const file = sales.addLateLogFile('ReportExport', hour, events);
    const ids = [1, 2, 3].map((row) => salesforce.normalizeActivity({ EVENT_TYPE: 'ReportExport', TIMESTAMP_DERIVED: new Date(events[row - 1]!.atMs).toISOString(), attributes: { logFileId: file.row.Id, row } }, { instance: 'sales', ingestedAt: 0 }) as AuditEvent)
      .map((e) => e.event_id);
    await waitFor(async () => (await count('SELECT count() AS n FROM activities FINAL WHERE event_id IN {ids:Array(String)}', { ids })) === 3, { what: 'the late file\'s rows stored', timeoutMs: 120_000 });
    // Later polls re-read the trailing window, which holds the file: its rows are not published again. Two
    // complete polls that started once the rows were stored, then every published event read, not a sleep.
    const storedAt = Date.now();
    let runs = new Set<string>();
    await waitFor(async () => {
      const res = await s.api<{ items: Array<{ instance: string; streams: Array<{ stream: string; lastRunStartedAt: string | null; lastSuccessAt: string | null }> }> }>('/v1/connectors');
      const stream = res.body.items.find((i) => i.instance === 'sales')?.streams.find((x) => x.stream === 'event_log_files');
      if (stream?.lastRunStartedAt && stream.lastSuccessAt && Date.parse(stream.lastRunStartedAt) > storedAt
        && Date.parse(stream.lastSuccessAt) >= Date.parse(stream.lastRunStartedAt)) runs = new Set([...runs, stream.lastRunStartedAt]);
      return runs.size >= 2;
    }, { what: 'two complete polls of the event log files after the late file was stored' });
    await waitFor(async () => (await s.bus.fetchLag(publishedGroup, [s.bus.topics.audit])).every((p) => p.lag === 0), { what: 'every published event read' });
    assert.deepEqual(ids.map((id) => published.filter((e) => e.event_id === id).length), [1, 1, 1], 'each row published once');
    const stored3 = await s.clickhouse.query<{ action: string; occurred_at: string }>('SELECT action, toString(occurred_at) AS occurred_at FROM activities FINAL WHERE event_id IN {ids:Array(String)}', { ids });
    assert.ok(stored3.every((r) => r.action === 'file_download'));
  });

  test('a new token after a 401: expired sessions are renewed and reading goes on', async () => {
    const before = sales.issued.client_credentials ?? 0;
    sales.expireSessions();
    const at = Date.now();
    sales.addLoginHistory({ attributes: { type: 'LoginHistory' }, Id: '0Ya0000000000AFTER', UserId: sales.org.users[2]!.Id, LoginTime: new Date(at).toISOString(), Status: 'Success', SourceIp: '81.2.69.160' }, at);
    await waitFor(async () => (await count("SELECT count() AS n FROM activities FINAL WHERE instance = 'sales' AND request_id IS NULL AND action_raw = 'LoginHistory' AND actor_id = {id:String} AND occurred_at = fromUnixTimestamp64Milli({at:Int64})", { id: String(sales.org.users[2]!.Id), at })) === 1,
      { what: 'the login after the 401 stored', timeoutMs: 60_000 });
    assert.ok((sales.issued.client_credentials ?? 0) > before, 'a new token was asked for');
  });

  test('accounts with admin privileges and OAuth tokens; files by scan, a new public link by polling', async () => {
    const admins = sales.org.assignments.filter((a) => sales.org.permissionSets.some((p) => p.Id === a.PermissionSetId && Object.entries(p).some(([k, v]) => k.startsWith('Permissions') && v === true)));
    await waitFor(async () => (await s.api<{ items: unknown[] }>('/v1/accounts?provider=salesforce&instance=sales&kind=privilege&limit=1000')).body.items.length === admins.length, { what: 'privileges stored', timeoutMs: 60_000 });
    const grants = await s.api<{ items: unknown[] }>('/v1/accounts?provider=salesforce&instance=sales&kind=app_grant&limit=1000');
    assert.equal(grants.body.items.length, sales.org.oauthTokens.length);
    const groups = await s.api<{ items: unknown[] }>('/v1/accounts?provider=salesforce&instance=sales&kind=group&limit=1000');
    assert.equal(groups.body.items.length, sales.org.groups.filter((g) => g.Type === 'Regular').length, 'public groups only');
    await waitFor(async () => (await count("SELECT count() AS n FROM files FINAL WHERE provider = 'salesforce' AND instance = 'sales'", {})) === sales.org.documents.length, { what: 'files stored', timeoutMs: 60_000 });
    const privateDoc = sales.org.documents.find((d) => !sales.org.distributions.some((x) => x.ContentDocumentId === d.Id))!;
    sales.addPublicLink(String(privateDoc.Id));
    await waitFor(async () => (await count("SELECT count() AS n FROM files FINAL WHERE provider = 'salesforce' AND file_id = {id:String} AND access_level = 'public'", { id: String(privateDoc.Id) })) >= 1,
      { what: 'the new public link seen by the change stream', timeoutMs: 60_000 });
  });

  test('the API-usage guard slows the support org before its daily limit', async () => {
    await waitFor(async () => {
      const res = await s.api<{ items: Array<{ instance: string; http: { throttleWaitMs: number; pausedUntil: string | null } }> }>('/v1/connectors');
      const item = res.body.items.find((i) => i.instance === 'support');
      return (item?.http.throttleWaitMs ?? 0) > 0;
    }, { what: 'the support instance paused', timeoutMs: 60_000 });
    assert.equal(support.apiUsage.limitExceeded, 0, 'the org never answered REQUEST_LIMIT_EXCEEDED');
    assert.ok(support.apiUsage.used < support.apiUsage.limit, `still under the limit: ${support.apiUsage.used}/${support.apiUsage.limit}`);
    const salesStatus = (await s.api<{ items: Array<{ instance: string; http: { throttleWaitMs: number } }> }>('/v1/connectors')).body.items.find((i) => i.instance === 'sales');
    assert.equal(salesStatus?.http.throttleWaitMs, 0, 'the sales org, under its share, never waited');
  });
});
