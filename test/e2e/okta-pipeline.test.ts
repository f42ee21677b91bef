import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { eventId } from '../../schemas/event-id.js';
import { startOktaSimulator, type OktaSimulator } from '../../simulators/okta/index.js';
import { rolesOfUser } from '../../simulators/okta/directory.js';
import { startTestStack, type TestStack } from '../support/appwarden.js';
import { testLog } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import { simulatorInstance } from '../support/simulators.js';

interface ActivityItem {
  event_id: string; instance: string; occurred_at: string; action_raw: string; outcome: string; category: string; action: string;
  actor: { id: string | null; email: string | null; name: string | null; type: string };
  source: { ip: string | null; user_agent: string | null; country: string | null; city: string | null };
  targets: Array<{ type: string; id: string | null; name: string | null }>;
}
interface Page { items: ActivityItem[]; next_cursor: string | null }
type Raw = Record<string, any>;

const cleanups: Array<() => Promise<unknown>> = [];
// Each test's stacks and simulators stop when it ends: left running, they would poll through the later tests.
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function simulator(options: Parameters<typeof startOktaSimulator>[0]): Promise<OktaSimulator> {
  const sim = await startOktaSimulator({ log: testLog, ...options });
  cleanups.push(() => sim.close());
  return sim;
}

async function stack(...args: Parameters<typeof startTestStack>): Promise<TestStack> {
  const s = await startTestStack(...args);
  cleanups.push(() => s.stop());
  return s;
}

/** Every page of a query, following next_cursor. */
async function allPages(s: TestStack, url: string): Promise<ActivityItem[]> {
  const items: ActivityItem[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 1000; i++) {
    const res: { status: number; body: Page } = await s.api<Page>(cursor ? `${url}&cursor=${encodeURIComponent(cursor)}` : url);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    items.push(...res.body.items);
    cursor = res.body.next_cursor;
    if (!cursor) return items;
  }
  throw new Error('too many pages');
}

describe('Okta end to end: simulator → connector → Kafka → sink → ClickHouse → API', () => {
  test("the API returns exactly the simulator's events for a user and a time range, with the right fields", async () => {
    const sim = await simulator({ seed: 'e2e', users: 8, groups: 3, eventsPerDay: 600, days: 1 });
    const s = await stack({ okta: { main: simulatorInstance('okta', sim) } });
    const expectedTotal = sim.eventsFor().length;
    await waitFor(async () => (await s.countActivities('main')) === expectedTotal, { what: `${expectedTotal} activities stored` });

    const alice = sim.state.users[0]!.profile.login;
    const all = sim.eventsFor({ actorLogin: alice }) as Raw[];
    assert.ok(all.length >= 10, 'alice has activity in the simulated tenant');
    // A time range that cuts through alice's activity.
    const times = all.map((e) => Date.parse(e.published)).sort((a, b) => a - b);
    const from = new Date(times[Math.floor(times.length / 4)]!).toISOString();
    const to = new Date(times[Math.floor((3 * times.length) / 4)]!).toISOString();
    const expected = sim.eventsFor({ actorLogin: alice, since: from, until: to }) as Raw[];

    const items = await allPages(s, `/v1/activities?provider=okta&user=${encodeURIComponent(alice.toUpperCase())}&from=${from}&to=${to}&limit=7`);
    assert.deepEqual(items.map((i) => i.event_id).sort(), expected.map((e) => eventId('okta', 'main', e.uuid)).sort());
    assert.equal(new Set(items.map((i) => i.event_id)).size, items.length, 'no event twice across pages');
    const order = items.map((i) => Date.parse(i.occurred_at));
    assert.deepEqual(order, [...order].sort((a, b) => b - a), 'newest first');

    const byId = new Map(expected.map((e) => [eventId('okta', 'main', e.uuid), e]));
    for (const item of items) {
      const raw = byId.get(item.event_id)!;
      assert.equal(item.instance, 'main');
      assert.equal(item.action_raw, raw.eventType);
      assert.equal(item.occurred_at, new Date(raw.published).toISOString());
      assert.equal(item.actor.id, raw.actor.id);
      assert.equal(item.actor.email, raw.actor.alternateId);
      assert.equal(item.actor.name, raw.actor.displayName);
      assert.equal(item.source.ip, raw.client?.ipAddress ?? null);
      const result = raw.outcome?.result;
      assert.equal(item.outcome, result === 'SUCCESS' || result === 'ALLOW' ? 'success' : result === 'FAILURE' || result === 'DENY' ? 'failure' : 'unknown');
      assert.deepEqual(item.targets.map((t) => t.id), (raw.target ?? []).map((t: Raw) => t.id));
    }
  });

  test('accounts, groups, memberships, privileges and grants are queryable after the first scan', async () => {
    const sim = await simulator({ seed: 'directory', users: 40, groups: 4, eventsPerDay: 50, days: 1 });
    const s = await stack({ okta: { main: simulatorInstance('okta', sim) } });
    const expectedMembers = [...sim.state.memberships.values()].reduce((n, members) => n + members.size, 0);
    await waitFor(async () => {
      const res = await s.api<{ items: unknown[] }>('/v1/accounts?provider=okta&kind=membership&limit=1000');
      return res.body.items.length === expectedMembers;
    }, { what: 'memberships stored' });
    const users = await s.api<{ items: Array<{ subject: { id: string; email: string }; status: string }> }>('/v1/accounts?kind=user&limit=1000');
    assert.equal(users.body.items.length, sim.state.users.length, 'every user, DEPROVISIONED ones included');
    assert.ok(sim.state.users.some((u) => u.status === 'DEPROVISIONED'), 'the tenant has deprovisioned users');
    for (const user of sim.state.users) {
      const stored = users.body.items.find((u) => u.subject.id === user.id);
      assert.ok(stored, `user ${user.profile.login} stored`);
      assert.equal(stored.subject.email, user.profile.email);
    }
    const privileges = await s.api<{ items: unknown[] }>('/v1/accounts?kind=privilege&limit=1000');
    // Okta lists a user's roles whether assigned directly or through a group; group roles are also the group's privileges.
    const roleCount = sim.state.users.reduce((n, u) => n + rolesOfUser(sim.state, u.id).length, 0)
      + [...sim.state.groupRoles.values()].reduce((n, roles) => n + roles.length, 0);
    assert.ok(roleCount > 0, 'the simulated tenant has admin role assignments');
    assert.equal(privileges.body.items.length, roleCount);
    const grants = await s.api<{ items: unknown[] }>('/v1/accounts?kind=app_grant&limit=1000');
    assert.ok(grants.body.items.length > 0, 'OAuth grants stored');
    const groups = await s.api<{ items: unknown[] }>('/v1/accounts?kind=group&limit=1000');
    assert.equal(groups.body.items.length, sim.state.groups.length);
  });

  test('two Okta orgs run side by side and their events carry their own instance', async () => {
    const emea = await simulator({ seed: 'emea', users: 5, eventsPerDay: 200, days: 1, token: 'emea-token-000000000000000000000' });
    const us = await simulator({ seed: 'us', users: 5, eventsPerDay: 300, days: 1, token: 'us-token-00000000000000000000000' });
    const s = await stack({ okta: { emea: simulatorInstance('okta', emea), us: simulatorInstance('okta', us) } });
    await waitFor(async () => (await s.countActivities('emea')) === emea.eventsFor().length && (await s.countActivities('us')) === us.eventsFor().length,
      { what: 'both instances stored' });
    const rows = await s.clickhouse.query<{ instance: string; ids: string[] }>(
      'SELECT instance, groupArray(event_id) AS ids FROM activities FINAL GROUP BY instance ORDER BY instance');
    assert.deepEqual(rows.map((r) => r.instance), ['emea', 'us']);
    assert.deepEqual(rows[0]!.ids.sort(), emea.eventsFor().map((e) => eventId('okta', 'emea', String(e.uuid))).sort());
    assert.deepEqual(rows[1]!.ids.sort(), us.eventsFor().map((e) => eventId('okta', 'us', String(e.uuid))).sort());
    const statuses = await s.api<{ items: Array<{ instance: string; phase: string }> }>('/v1/connectors');
    assert.deepEqual(statuses.body.items.map((i) => i.instance).sort(), ['emea', 'us']);
  });

  test('a 429 with a reset time is waited out and nothing is missing; a wrong token stops only its own instance', async () => {
    const sim = await simulator({ seed: 'throttle', users: 5, eventsPerDay: 300, days: 1 });
    const other = await simulator({ seed: 'bad-token', users: 3, eventsPerDay: 100, days: 1 });
    sim.throttleNext(4, { resetInMs: 1500 });
    const s = await stack({ okta: { main: simulatorInstance('okta', sim, { logPageSize: 50 }), wrong: simulatorInstance('okta', other, { token: 'not-the-token' }) } });
    await waitFor(async () => (await s.countActivities('main')) === sim.eventsFor().length, { what: 'all events despite throttling' });
    assert.ok(sim.requests.throttled >= 4, 'the simulator answered 429');
    const statuses = await s.api<{ items: Array<{ instance: string; phase: string; credentials: { ok: boolean } | null; http: { throttled: number; throttleWaitMs: number } }> }>('/v1/connectors');
    const main = statuses.body.items.find((i) => i.instance === 'main')!;
    assert.ok(main.http.throttled >= 1 && main.http.throttleWaitMs > 0, 'the connector counted its throttling waits');
    const wrong = await waitFor(async () => {
      const res = await s.api<typeof statuses.body>('/v1/connectors');
      const w = res.body.items.find((i) => i.instance === 'wrong');
      return w?.credentials && !w.credentials.ok ? w : null;
    }, { what: 'the wrong token reported' });
    assert.equal(wrong.phase, 'error');
    assert.equal(await s.countActivities('wrong'), 0);
  });
});
