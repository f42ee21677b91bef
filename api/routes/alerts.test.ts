import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { openClickHouse, type ClickHouse } from '../../core/clickhouse.js';
import { alertId } from '../../processors/policy/alerts.js';
import { alertToRow, ensureTables, TABLES } from '../../processors/sink/tables.js';
import type { Actor, Alert } from '../../schemas/types.js';
import { freshName } from '../../test/support/fresh.js';
import { testDataDir, testLog } from '../../test/support/stack.js';
import { buildApp } from '../app.js';
import { testAuth, type TestAuth, type TestKeyName } from '../../test/support/auth.js';

const NOW = Math.floor(Date.now() / 1000) * 1000;
const MINUTE = 60_000;
const HOUR = 3_600_000;

const ALICE = { id: '00u1a2b3c4AliceN0x7', email: 'Alice.Nguyen@Example.com', name: 'Alice Nguyen', type: 'user' } as const satisfies Actor;
const BOB = { id: '00u5d6e7f8BobMart0x7', email: 'bob.martin@example.com', name: 'Bob Martin', type: 'user' } as const satisfies Actor;

function alert(a: { policy: string; key: string; at: number; count?: number; severity?: Alert['severity']; actor?: Actor | null; instance?: string | null; provider?: Alert['provider'] }): Alert {
  const count = a.count ?? 1;
  return {
    alert_id: alertId(a.policy, a.key, Math.floor(a.at / HOUR)),
    policy_id: a.policy,
    policy_version: 1,
    title: `${a.policy}: ${a.key} (${count})`,
    severity: a.severity ?? 'medium',
    created_at: a.at - (count - 1) * MINUTE,
    first_seen: a.at - (count - 1) * MINUTE,
    last_seen: a.at,
    count,
    dedup_key: `actor.email=${a.key}`,
    provider: a.provider === undefined ? 'okta' : a.provider,
    instance: a.instance === undefined ? 'main' : a.instance,
    actor: a.actor === undefined ? ALICE : a.actor,
    event_ids: Array.from({ length: count }, (_, i) => `${a.key}-${i}`.padEnd(32, '0').slice(0, 32)),
    status: 'open',
    attributes: { policy_kind: 'activity', mode: 'alert' },
  };
}

const TIE = NOW - 5 * HOUR;
// The failed-logins alert was published twice: once when it was raised, once when its count grew.
const FAILED_V1 = alert({ policy: 'repeated-failed-logins', key: 'alice', at: NOW - 3 * HOUR, count: 10, severity: 'medium' });
const FAILED_V2 = { ...FAILED_V1, count: 12, last_seen: NOW - 3 * HOUR + 2 * MINUTE, title: 'repeated-failed-logins: alice (12)' };
const TRAVEL = alert({ policy: 'impossible-travel', key: 'bob', at: NOW - 2 * HOUR, severity: 'high', actor: BOB });
const ADMIN = alert({ policy: 'admin-privilege-granted', key: 'alice-admin', at: NOW - HOUR, severity: 'critical', instance: 'emea' });
const NOTICE = alert({ policy: 'mass-download', key: 'notice', at: NOW - 30 * MINUTE, severity: 'high', actor: null, provider: null, instance: null });
// Four alerts seen in the same millisecond: paging must neither repeat nor skip any.
const TIED = ['t1', 't2', 't3', 't4'].map((key) => alert({ policy: 'mass-deletion', key, at: TIE, severity: 'low', actor: BOB, provider: 'box', instance: 'corp' }));
const LATEST = [FAILED_V2, TRAVEL, ADMIN, NOTICE, ...TIED];

let clickhouse: ClickHouse;
let app: FastifyInstance;
let auth: TestAuth;
/** The id a responder's changes are recorded under (from the key, never from the body). */
let responderId: string;

before(async () => {
  auth = await testAuth();
  responderId = auth.keys.authenticate(auth.key('responder'))!.id;
  clickhouse = await openClickHouse({ dataDir: testDataDir(), database: freshName('alerts_api'), log: testLog });
  await ensureTables(clickhouse);
  await clickhouse.insert(TABLES.alerts, [FAILED_V1, TRAVEL, ADMIN, NOTICE, ...TIED].map(alertToRow));
  await clickhouse.insert(TABLES.alerts, [FAILED_V2].map(alertToRow));
  app = await buildApp({ clickhouse, log: testLog, maxPageSize: 50, security: auth.security, bus: auth.bus });
});

after(async () => {
  await app?.close();
  await clickhouse?.close();
  await auth?.stop();
});

interface Item {
  alert_id: string; policy_id: string; count: number; title: string; status: string; severity: string; last_seen: string;
  status_note: string | null; status_changed_by: string | null; actor: { email: string | null } | null; instance: string | null;
  status_history?: Array<{ status: string; note: string | null; changed_by: string }>;
}
interface Page { items: Item[]; next_cursor: string | null }
type ErrorBody = { statusCode: number; code: string; error: string; message: string };

/** A request as an analyst (GET) or a responder (PATCH), or as `who`. */
async function call<T>(method: 'GET' | 'PATCH', url: string, payload?: object, who?: TestKeyName): Promise<{ status: number; body: T }> {
  const res = await app.inject({ method, url, headers: auth.headers(who ?? (method === 'GET' ? 'analyst' : 'responder')), ...(payload ? { payload } : {}) });
  return { status: res.statusCode, body: res.json() as T };
}

function newestFirst(alerts: Alert[]): string[] {
  return [...alerts].sort((x, y) => y.last_seen - x.last_seen || (x.alert_id < y.alert_id ? 1 : -1)).map((a) => a.alert_id);
}

async function ids(query: string): Promise<string[]> {
  const res = await call<Page>('GET', `/v1/alerts?${query}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.items.map((i) => i.alert_id);
}

describe('GET /v1/alerts', () => {
  test('lists the latest version of each alert, most recently seen first', async () => {
    const res = await call<Page>('GET', '/v1/alerts');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.items.map((i) => i.alert_id), newestFirst(LATEST));
    const failed = res.body.items.find((i) => i.alert_id === FAILED_V1.alert_id)!;
    assert.equal(failed.count, 12);
    assert.equal(failed.title, 'repeated-failed-logins: alice (12)');
    assert.equal(failed.status, 'open');
    assert.equal(failed.last_seen, new Date(FAILED_V2.last_seen).toISOString());
    assert.equal(res.body.items.find((i) => i.alert_id === NOTICE.alert_id)!.actor, null);
  });

  test('filters by severity, policy, provider, instance, actor (any case) and last_seen range', async () => {
    assert.deepEqual(await ids('severity=critical'), [ADMIN.alert_id]);
    assert.deepEqual(await ids('policy_id=impossible-travel'), [TRAVEL.alert_id]);
    assert.deepEqual(await ids('provider=box'), newestFirst(TIED));
    assert.deepEqual(await ids('instance=emea'), [ADMIN.alert_id]);
    assert.deepEqual(await ids('actor=alice.nguyen@example.com'), newestFirst([FAILED_V2, ADMIN]));
    const from = new Date(NOW - 2 * HOUR).toISOString();
    const to = new Date(NOW - 30 * MINUTE).toISOString();
    assert.deepEqual(await ids(`from=${from}&to=${to}`), [ADMIN.alert_id, TRAVEL.alert_id]);
  });

  test('pages with a cursor, neither repeating nor skipping alerts seen in the same millisecond', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const page: { body: Page } = await call<Page>('GET', `/v1/alerts?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.body.items.map((i) => i.alert_id));
      cursor = page.body.next_cursor;
      if (!cursor) break;
    }
    assert.deepEqual(seen, newestFirst(LATEST));
  });

  test('refuses bad parameters with 400 naming the parameter', async () => {
    const cases: Array<[string, RegExp]> = [
      ['status=closed', /querystring\.status must be one of open, resolved, dismissed/],
      ['from=yesterday', /querystring\.from must be an ISO 8601 date-time/],
      [`from=${new Date(NOW).toISOString()}&to=${new Date(NOW - HOUR).toISOString()}`, /from must be before/],
      ['cursor=bm90LWEtY3Vyc29y', /querystring\.cursor/],
      ['limit=51', /querystring\.limit must be <= 50/],
      ['colour=red', /querystring\.colour is not a known parameter/],
    ];
    for (const [query, message] of cases) {
      const res = await call<ErrorBody>('GET', `/v1/alerts?${query}`);
      assert.equal(res.status, 400, query);
      assert.equal(res.body.code, 'AW_BAD_REQUEST');
      assert.match(res.body.message, message);
    }
  });
});

describe('GET and PATCH /v1/alerts/:id', () => {
  test('reads one alert; an unknown id is 404 and a malformed one 400', async () => {
    const res = await call<Item>('GET', `/v1/alerts/${TRAVEL.alert_id}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.policy_id, 'impossible-travel');
    assert.equal(res.body.actor?.email, BOB.email);
    assert.deepEqual(res.body.status_history, []);
    const missing = await call<ErrorBody>('GET', `/v1/alerts/${'0'.repeat(32)}`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'AW_NOT_FOUND');
    assert.equal((await call<ErrorBody>('GET', '/v1/alerts/not-an-id')).status, 400);
  });

  test('a status change shows in the alert, its history and the status filter', async () => {
    const id = FAILED_V1.alert_id;
    const res = await call<Item>('PATCH', `/v1/alerts/${id}`, { status: 'resolved', note: 'password reset with the user' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.status, 'resolved');
    assert.equal(res.body.status_note, 'password reset with the user');
    assert.equal(res.body.status_changed_by, responderId);
    assert.equal(res.body.count, 12);
    assert.ok((await ids('status=resolved')).includes(id));
    assert.ok(!(await ids('status=open')).includes(id));
  });

  test('the latest change wins and every change stays in the history', async () => {
    const id = TRAVEL.alert_id;
    await call('PATCH', `/v1/alerts/${id}`, { status: 'dismissed', note: 'VPN exit node' });
    await call('PATCH', `/v1/alerts/${id}`, { status: 'open' });
    const second = await call<Item>('PATCH', `/v1/alerts/${id}`, { status: 'dismissed' });
    assert.equal(second.body.status, 'dismissed');
    assert.equal(second.body.status_note, null);
    assert.deepEqual(second.body.status_history!.map((h) => [h.status, h.note, h.changed_by]), [
      ['dismissed', 'VPN exit node', responderId], ['open', null, responderId], ['dismissed', null, responderId],
    ]);
  });

  test('who changed it comes from the credential: a name in the body is refused, an analyst may not change it', async () => {
    const id = NOTICE.alert_id;
    const named = await call<ErrorBody>('PATCH', `/v1/alerts/${id}`, { status: 'resolved', changed_by: 'somebody-else' });
    assert.equal(named.status, 400);
    assert.match(named.body.message, /body\.changed_by is not a known parameter/);
    const analyst = await call<ErrorBody>('PATCH', `/v1/alerts/${id}`, { status: 'resolved' }, 'analyst');
    assert.equal(analyst.status, 403);
    assert.equal((await call<Item>('GET', `/v1/alerts/${id}`)).body.status, 'open');
  });

  test('a replay of the alert topic does not bring an old status back', async () => {
    const id = ADMIN.alert_id;
    await call('PATCH', `/v1/alerts/${id}`, { status: 'dismissed', note: 'approved change CHG-1042' });
    // The sink writes the original record (status open) again, and then a later update of it.
    await clickhouse.insert(TABLES.alerts, [alertToRow(ADMIN)]);
    await clickhouse.insert(TABLES.alerts, [alertToRow({ ...ADMIN, count: 2, last_seen: ADMIN.last_seen + MINUTE })]);
    const res = await call<Item>('GET', `/v1/alerts/${id}`);
    assert.equal(res.body.status, 'dismissed');
    assert.equal(res.body.count, 2);
    assert.deepEqual(await ids('status=dismissed&severity=critical'), [id]);
  });

  test('refuses an unknown status, an unknown field and an unknown alert', async () => {
    const bad = await call<ErrorBody>('PATCH', `/v1/alerts/${NOTICE.alert_id}`, { status: 'closed' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /body\.status must be one of open, resolved, dismissed/);
    const extra = await call<ErrorBody>('PATCH', `/v1/alerts/${NOTICE.alert_id}`, { status: 'resolved', severity: 'low' });
    assert.equal(extra.status, 400);
    assert.match(extra.body.message, /body\.severity is not a known parameter/);
    const missing = await call<ErrorBody>('PATCH', `/v1/alerts/${'1'.repeat(32)}`, { status: 'resolved' });
    assert.equal(missing.status, 404);
    assert.equal((await call<Item>('GET', `/v1/alerts/${NOTICE.alert_id}`)).body.status, 'open');
  });
});
