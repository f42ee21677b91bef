import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { ConsumedRecord } from '../../core/kafka.js';
import { normalizeGoogleActivity } from '../../ingestors/google-workspace/normalize-activity.js';
import type { DeadLetter } from '../../ingestors/runtime/dead-letter.js';
import { decode } from '../../schemas/registry.js';
import type { AuditEvent } from '../../schemas/types.js';
import { KNOWN_SCOPES, type GoogleWorkspaceSimulator } from '../../simulators/google-workspace/index.js';
import { startTestStack, type TestStack } from '../support/appwarden.js';
import { freshName } from '../support/fresh.js';
import { waitFor } from '../support/wait-for.js';
import { expectedEvents, googleInstance, googleSimulator } from './google-workspace-support.js';

type Raw = Record<string, any>;
interface StreamStatus { stream: string; lastRunStartedAt: string | null; lastSuccessAt: string | null; deadLettered: number }
interface ConnectorStatus { instance: string; credentials: { ok: boolean; permissions: string[]; missing: Array<{ capability: string; reason: string }> } | null; streams: StreamStatus[] }

const cleanups: Array<() => Promise<unknown>> = [];
// Each test's stacks and simulators stop when it ends: left running, they would poll through the later tests.
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(seed: string, options: Parameters<typeof googleSimulator>[0] = {}, extra: Record<string, unknown> = {}): Promise<{ sim: GoogleWorkspaceSimulator; s: TestStack }> {
  const sim = await googleSimulator({ seed, activitiesPerDay: 80, ...options });
  cleanups.push(() => sim.close());
  const s = await startTestStack({ google_workspace: { main: googleInstance(sim, extra) } });
  cleanups.push(() => s.stop());
  return { sim, s };
}

async function stored(s: TestStack, id: string): Promise<number> {
  return (await s.clickhouse.query<{ n: number }>('SELECT count() AS n FROM activities FINAL WHERE event_id = {id:String}', { id }))[0]?.n ?? 0;
}

async function connector(s: TestStack): Promise<ConnectorStatus> {
  return (await s.api<{ items: ConnectorStatus[] }>('/v1/connectors')).body.items[0]!;
}

async function readTopic(s: TestStack, topic: string, until: (records: ConsumedRecord[]) => boolean): Promise<ConsumedRecord[]> {
  const records: ConsumedRecord[] = [];
  const consumer = await s.bus.consume({ groupId: freshName('reader'), topics: [topic], fromBeginning: true, eachBatch: async (batch) => { records.push(...batch.records); } });
  try {
    await waitFor(() => until(records), { what: `records on ${topic}` });
    return records;
  } finally {
    await consumer.stop();
  }
}

function loginActivity(sim: GoogleWorkspaceSimulator, time: number): Raw {
  const template = sim.activitiesFor({ application: 'login' })[0]!;
  return { ...structuredClone(template), id: { applicationName: 'login', time: new Date(time).toISOString() } };
}

describe('Google Workspace: late, multi-event and malformed activities, token refresh, missing permissions', () => {
  test('an activity Google makes visible late (seconds here, hours in Google\'s terms) is still ingested, exactly once', async () => {
    const { sim, s } = await setUp('gw-late');
    await waitFor(async () => (await s.countActivities('main')) === expectedEvents(sim, 'main').length, { what: 'history stored' });
    const addedAt = Date.now();
    const visibleAt = addedAt + 4000;
    const late = sim.addActivity(loginActivity(sim, addedAt - 2 * 60_000), { visibleAt });
    const [event] = normalizeGoogleActivity(late, { instance: 'main', ingestedAt: 0 });
    // A complete poll of reports/login that started after the activity was added re-read its window while it was invisible.
    const poll = await waitFor(async () => {
      const stream = (await connector(s)).streams.find((x) => x.stream === 'reports/login')!;
      return stream.lastRunStartedAt && stream.lastSuccessAt && Date.parse(stream.lastRunStartedAt) > addedAt
        && Date.parse(stream.lastSuccessAt) >= Date.parse(stream.lastRunStartedAt) ? stream : null;
    }, { what: 'a poll while the activity was invisible' });
    assert.ok(Date.parse(poll.lastSuccessAt!) < visibleAt, 'the poll ran before the activity became visible');
    assert.equal(await stored(s, event!.event_id), 0);
    await waitFor(async () => (await stored(s, event!.event_id)) === 1, { what: 'the late activity stored' });
    const audit = await readTopic(s, s.bus.topics.audit, (records) => records.length >= expectedEvents(sim, 'main').length);
    assert.equal(audit.filter((r) => (decode(r.value!).record as AuditEvent).event_id === event!.event_id).length, 1, 'once on the topic too');
    assert.equal(await s.countActivities('main'), expectedEvents(sim, 'main').length);
  });

  test('an activity with several events becomes one event each; a malformed one goes to the dead-letter topic and the rest flow', async () => {
    const { sim, s } = await setUp('gw-malformed');
    await waitFor(async () => (await s.countActivities('main')) === expectedEvents(sim, 'main').length, { what: 'history stored' });
    const before = await s.countActivities('main');
    const broken = { kind: 'admin#reports#activity', id: { applicationName: 'admin', uniqueQualifier: '42' }, actor: { email: sim.adminEmail }, events: [{ name: 'SUSPEND_USER' }] };
    sim.injectRawActivity(broken, { application: 'admin' });
    const pair = sim.addActivity({
      id: { applicationName: 'admin', time: new Date(Date.now() + 500).toISOString() }, actor: { callerType: 'USER', email: sim.adminEmail },
      events: [{ type: 'GROUP_SETTINGS', name: 'ADD_GROUP_MEMBER', parameters: [{ name: 'USER_EMAIL', value: `x@${sim.domain}` }] },
        { type: 'GROUP_SETTINGS', name: 'REMOVE_GROUP_MEMBER', parameters: [{ name: 'USER_EMAIL', value: `y@${sim.domain}` }] }],
    }, { visibleAt: Date.now() + 500 });
    const ids = normalizeGoogleActivity(pair, { instance: 'main', ingestedAt: 0 }).map((e) => e.event_id);
    await waitFor(async () => (await stored(s, ids[0]!)) === 1 && (await stored(s, ids[1]!)) === 1, { what: 'both events of the activity stored' });
    assert.equal(await s.countActivities('main'), before + 2);
    const dead = await readTopic(s, s.bus.topics.deadLetter, (records) => records.length >= 1);
    const letter = dead.map((r) => JSON.parse(r.value!.toString()) as DeadLetter).find((l) => l.raw.includes('"uniqueQualifier":"42"'));
    assert.ok(letter, 'the malformed activity is in the dead-letter topic');
    assert.deepEqual([letter.code, letter.field, letter.provider, letter.stream], ['AW_NORMALIZE_FAILED', 'id.time', 'google_workspace', 'reports/admin']);
    assert.equal((await connector(s)).streams.find((x) => x.stream === 'reports/admin')!.deadLettered, 1, 'dead-lettered once, not on every re-read');
  });

  test('tokens Google revokes early are refreshed on the 401 and reading goes on', async () => {
    const { sim, s } = await setUp('gw-refresh');
    await waitFor(async () => (await s.countActivities('main')) === expectedEvents(sim, 'main').length, { what: 'history stored' });
    const tokensBefore = sim.requests.tokenRequests;
    sim.expireTokens();
    const next = sim.addActivity(loginActivity(sim, Date.now()));
    const [event] = normalizeGoogleActivity(next, { instance: 'main', ingestedAt: 0 });
    await waitFor(async () => (await stored(s, event!.event_id)) === 1, { what: 'an activity read with a fresh token' });
    assert.ok(sim.requests.tokenRequests > tokensBefore, 'the connector asked for new tokens');
  });

  test('credentials without the Drive and user-security scopes: the capabilities they serve show "missing permission", the rest runs', async () => {
    const granted = KNOWN_SCOPES.filter((s) => !s.endsWith('/auth/drive') && !s.endsWith('admin.directory.user.security'));
    const { sim, s } = await setUp('gw-scopes', { grantedScopes: granted });
    const status = await waitFor(async () => {
      const c = await connector(s);
      return c.credentials ? c : null;
    }, { what: 'the credential check' });
    assert.equal(status.credentials!.ok, true);
    assert.ok(!status.credentials!.permissions.includes('https://www.googleapis.com/auth/drive'));
    const missing = new Map(status.credentials!.missing.map((m) => [m.capability, m.reason]));
    for (const capability of ['files:periodic', 'files:realtime', 'action:quarantine', 'action:remove_public_link', 'action:apply_label']) {
      assert.match(missing.get(capability) ?? '', /^missing permission: https:\/\/www\.googleapis\.com\/auth\/drive /, capability);
    }
    for (const capability of ['app_grants', 'action:revoke_sessions', 'action:revoke_app_grant']) {
      assert.match(missing.get(capability) ?? '', /^missing permission: https:\/\/www\.googleapis\.com\/auth\/admin\.directory\.user\.security /, capability);
    }
    assert.ok(!missing.has('accounts') && !missing.has('activities:logon'));
    await waitFor(async () => (await s.api<{ items: unknown[] }>('/v1/accounts?kind=user&limit=1000')).body.items.length === sim.directory.users.length,
      { what: 'users scanned without the missing scopes' });
    await waitFor(async () => (await s.countActivities('main')) === expectedEvents(sim, 'main').length, { what: 'activities read' });
    assert.equal((await s.api<{ items: unknown[] }>('/v1/accounts?kind=app_grant&limit=1000')).body.items.length, 0);
    assert.equal((await s.clickhouse.query<{ n: number }>("SELECT count() AS n FROM files FINAL WHERE provider = 'google_workspace'"))[0]?.n, 0);
    assert.equal(sim.requests.byFamily.drive ?? 0, 0, 'no Drive call was even tried');
  });
});
