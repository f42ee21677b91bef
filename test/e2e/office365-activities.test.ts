import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { ConsumedRecord } from '../../core/kafka.js';
import { normalizeOffice365Activity } from '../../ingestors/office365/normalize-activity.js';
import { eventId } from '../../schemas/event-id.js';
import { decode } from '../../schemas/registry.js';
import type { AuditEvent } from '../../schemas/types.js';
import { aliceUpn, startOffice365Simulator, type Office365Simulator, type Office365SimulatorOptions } from '../../simulators/office365/index.js';
import { startTestStack, type TestStack } from '../support/appwarden.js';
import { freshName } from '../support/fresh.js';
import { simulatorInstance } from '../support/simulators.js';
import { testLog } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';

interface ActivityItem {
  event_id: string; instance: string; occurred_at: string; action_raw: string; outcome: string; category: string; action: string;
  actor: { id: string | null; email: string | null; type: string };
  source: { ip: string | null };
  targets: Array<{ type: string; id: string | null; name: string | null }>;
}
interface StreamStatus { stream: string; lastRunStartedAt: string | null; lastSuccessAt: string | null }
interface ConnectorStatus {
  instance: string; phase: string;
  streams: StreamStatus[];
  http: { requests: number; throttled: number; throttleWaitMs: number; pausedUntil: number | null };
}
type Raw = Record<string, any>;

const cleanups: Array<() => Promise<unknown>> = [];
// Each test's stacks and simulators stop when it ends: left running, they would poll through the later tests.
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function simulator(options: Office365SimulatorOptions): Promise<Office365Simulator> {
  const sim = await startOffice365Simulator({ log: testLog, users: 6, groups: 2, sites: 1, itemsPerDrive: 3, days: 1, ...options });
  cleanups.push(() => sim.close());
  return sim;
}

async function stack(...args: Parameters<typeof startTestStack>): Promise<TestStack> {
  const s = await startTestStack(...args);
  cleanups.push(() => s.stop());
  return s;
}

/** Waits until the instance stored every record the simulator lists now (the target grows as blobs become available). */
async function allStored(s: TestStack, instance: string, sim: Office365Simulator): Promise<void> {
  await waitFor(async () => (await s.countActivities(instance)) === sim.expectedRecords().length, { what: `every ${instance} record stored`, timeoutMs: 120_000 });
}

async function connectors(s: TestStack): Promise<ConnectorStatus[]> {
  return (await s.api<{ items: ConnectorStatus[] }>('/v1/connectors')).body.items;
}

async function readTopic(s: TestStack, topic: string, until: (records: ConsumedRecord[]) => boolean): Promise<ConsumedRecord[]> {
  const records: ConsumedRecord[] = [];
  const consumer = await s.bus.consume({
    groupId: freshName('reader'), topics: [topic], fromBeginning: true,
    eachBatch: async (batch) => { records.push(...batch.records); },
  });
  try {
    await waitFor(() => until(records), { what: `records on ${topic}` });
    return records;
  } finally {
    await consumer.stop();
  }
}

describe('Office 365 end to end: simulator → Management Activity API → Kafka → ClickHouse → API', () => {
  test('records of every content type are stored once, and the API answers a user and a time range with the right fields', async () => {
    const sim = await simulator({ seed: 'o365-e2e', eventsPerDay: 600 });
    const s = await stack({ office365: { main: simulatorInstance('office365', sim) } });
    // Logon, user and administrative activity (and files, apps) are all there, as the simulator's records
    // say. Blobs become listable as time passes (each content type's at every 10-minute boundary): what is
    // stored is compared with what the simulator lists at the same moment.
    const categoriesOf = (records: readonly Raw[]) => {
      const byCategory = new Map<string, number>();
      for (const record of records) {
        const category = normalizeOffice365Activity(record, { instance: 'main', ingestedAt: 0 }).category;
        byCategory.set(category, (byCategory.get(category) ?? 0) + 1);
      }
      return Object.fromEntries([...byCategory].sort());
    };
    let seen = {};
    const { expected, byCategory } = await waitFor(async () => {
      const rows = await s.clickhouse.query<{ category: string; n: number }>("SELECT category, count() AS n FROM activities FINAL WHERE instance = 'main' GROUP BY category ORDER BY category");
      const listed = sim.expectedRecords() as Raw[];
      const stored = Object.fromEntries(rows.map((r) => [r.category, Number(r.n)]));
      seen = { stored, listed: categoriesOf(listed) };
      return JSON.stringify(stored) === JSON.stringify(categoriesOf(listed)) ? { expected: listed, byCategory: categoriesOf(listed) } : null;
    }, { what: 'every record stored once, in its category', timeoutMs: 120_000 }).catch((err: Error) => {
      throw new Error(`${err.message}; last seen ${JSON.stringify(seen)}`);
    });
    for (const category of ['logon', 'user', 'admin', 'file']) assert.ok((byCategory[category] ?? 0) > 0, `the tenant has ${category} activity`);

    const alice = aliceUpn(sim.options.domain);
    const mine = expected.filter((r) => r.UserId === alice) as Raw[];
    const times = mine.map((r) => Date.parse(`${r.CreationTime}Z`)).sort((a, b) => a - b);
    const from = new Date(times[Math.floor(times.length / 4)]!).toISOString();
    const to = new Date(times[Math.floor((3 * times.length) / 4)]!).toISOString();
    const inRange = mine.filter((r) => { const t = Date.parse(`${r.CreationTime}Z`); return t >= Date.parse(from) && t < Date.parse(to); });
    assert.ok(inRange.length >= 5, 'alice has activity in the range');
    const res = await s.api<{ items: ActivityItem[] }>(`/v1/activities?provider=office365&user=${encodeURIComponent(alice.toUpperCase())}&from=${from}&to=${to}&limit=1000`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.items.map((i) => i.event_id).sort(), inRange.map((r) => eventId('office365', 'main', r.Id)).sort());
    const byId = new Map(inRange.map((r) => [eventId('office365', 'main', r.Id), r]));
    for (const item of res.body.items) {
      const raw = byId.get(item.event_id)!;
      assert.equal(item.action_raw, raw.Operation);
      assert.equal(item.occurred_at, new Date(`${raw.CreationTime}Z`).toISOString());
      assert.equal(item.actor.email, alice);
      assert.equal(item.source.ip, typeof raw.ClientIP === 'string' ? raw.ClientIP.replace(/:\d+$/, '') : null);
      assert.equal(item.outcome, raw.Operation === 'UserLoginFailed' ? 'failure' : raw.ResultStatus === 'Succeeded' || raw.ResultStatus === 'Success' || raw.ResultStatus === 'True' ? 'success' : 'unknown');
    }
    const streams = (await connectors(s))[0]!.streams.map((x) => x.stream);
    for (const type of ['Audit.AzureActiveDirectory', 'Audit.Exchange', 'Audit.SharePoint', 'Audit.General', 'DLP.All']) assert.ok(streams.includes(`management/${type}`), type);
  });

  test('late content: a blob that becomes available after its window was first read is still ingested, once', async () => {
    const sim = await simulator({ seed: 'o365-late', eventsPerDay: 200 });
    const s = await stack({ office365: { main: simulatorInstance('office365', sim) } });
    await allStored(s, 'main', sim);
    const now = Date.now();
    const record = sim.makeRecord('UserLoggedIn', { userUpn: aliceUpn(sim.options.domain), at: now - 3 * 60_000 });
    // Created two minutes ago (inside windows already read), listable only when released below.
    const blob = sim.addBlob([record], { contentType: 'Audit.AzureActiveDirectory', contentCreated: now - 2 * 60_000, availableAt: Number.POSITIVE_INFINITY });
    const addedAt = Date.now();
    const stream = 'management/Audit.AzureActiveDirectory';
    await waitFor(async () => {
      const status = (await connectors(s))[0]!.streams.find((x) => x.stream === stream)!;
      return status.lastRunStartedAt !== null && status.lastSuccessAt !== null && Date.parse(status.lastRunStartedAt) > addedAt
        && Date.parse(status.lastSuccessAt) >= Date.parse(status.lastRunStartedAt);
    }, { what: 'a complete poll after the blob was created' });
    const id = eventId('office365', 'main', String(record.Id));
    const stored = async () => Number((await s.clickhouse.query<{ n: number }>('SELECT count() AS n FROM activities FINAL WHERE event_id = {id:String}', { id }))[0]?.n ?? 0);
    assert.equal(await stored(), 0, 'the poll re-read the window while the blob was not listable');

    blob.availableAt = Date.now();
    await waitFor(async () => (await stored()) === 1, { what: 'the late record stored' });
    // Once on the topic too: later re-reads of the trailing window neither fetch the blob nor republish the record.
    const expectedTotal = sim.expectedRecords().length;
    await allStored(s, 'main', sim);
    await waitFor(async () => {
      const status = (await connectors(s))[0]!.streams.find((x) => x.stream === stream)!;
      return status.lastRunStartedAt !== null && Date.parse(status.lastRunStartedAt) > blob.availableAt + 1000 && status.lastSuccessAt !== null
        && Date.parse(status.lastSuccessAt) >= Date.parse(status.lastRunStartedAt);
    }, { what: 'another complete poll after the release' });
    const audit = await readTopic(s, s.bus.topics.audit, (records) => records.length >= expectedTotal);
    const copies = audit.filter((r) => (decode(r.value!).record as AuditEvent).event_id === id);
    assert.equal(copies.length, 1);
    // Still every record once (a blob that became listable since is compared at the moment it is listed).
    await allStored(s, 'main', sim);
  });

  test('two tenants run side by side and their events carry their own instance', async () => {
    const emea = await simulator({ seed: 'o365-emea', eventsPerDay: 150 });
    const us = await simulator({ seed: 'o365-us', eventsPerDay: 250 });
    assert.notEqual(emea.tenantId, us.tenantId);
    const s = await stack({ office365: { emea: simulatorInstance('office365', emea), us: simulatorInstance('office365', us) } });
    // Blobs become listable as time passes: what each instance stored is compared with what its tenant
    // lists at the same moment.
    const listed = () => ({
      emea: emea.expectedRecords().map((r) => eventId('office365', 'emea', String(r.Id))).sort(),
      us: us.expectedRecords().map((r) => eventId('office365', 'us', String(r.Id))).sort(),
    });
    let seen = {};
    await waitFor(async () => {
      const rows = await s.clickhouse.query<{ instance: string; ids: string[] }>(
        "SELECT instance, groupArray(event_id) AS ids FROM activities FINAL WHERE provider = 'office365' GROUP BY instance ORDER BY instance");
      const stored = Object.fromEntries(rows.map((r) => [r.instance, [...r.ids].sort()]));
      const want = listed();
      seen = { stored: Object.fromEntries(rows.map((r) => [r.instance, r.ids.length])), listed: { emea: want.emea.length, us: want.us.length } };
      return JSON.stringify(stored) === JSON.stringify(want);
    }, { what: 'each tenant\'s records stored under its own instance, once', timeoutMs: 120_000 }).catch((err: Error) => {
      throw new Error(`${err.message}; last seen ${JSON.stringify(seen)}`);
    });
  });

  test('throttling: a burst of 429s and AF429s slows only the instance that got them; the other keeps its pace', async () => {
    const throttled = await simulator({ seed: 'o365-throttled', eventsPerDay: 200 });
    const calm = await simulator({ seed: 'o365-calm', eventsPerDay: 200 });
    throttled.throttleNext(4, { api: 'graph', retryAfterSeconds: 1 });
    throttled.throttleNext(6, { api: 'management' });
    const s = await stack({ office365: { throttled: simulatorInstance('office365', throttled), calm: simulatorInstance('office365', calm) } });
    await allStored(s, 'calm', calm);
    await allStored(s, 'throttled', throttled);
    assert.deepEqual(throttled.requests.throttled, { graph: 4, management: 6 }, 'the throttled tenant answered its burst');
    assert.deepEqual(calm.requests.throttled, { graph: 0, management: 0 });
    const statuses = await connectors(s);
    const slow = statuses.find((c) => c.instance === 'throttled')!;
    const steady = statuses.find((c) => c.instance === 'calm')!;
    assert.ok(slow.http.throttled >= 10 && slow.http.throttleWaitMs > 0, `the throttled instance waited: ${JSON.stringify(slow.http)}`);
    assert.deepEqual([steady.http.throttled, steady.http.throttleWaitMs, steady.http.pausedUntil], [0, 0, null], 'the other instance never paused');
  });
});
