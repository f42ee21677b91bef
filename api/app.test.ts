import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { openClickHouse, type ClickHouse } from '../core/clickhouse.js';
import { accountEventToRow, auditEventToRow, ensureTables } from '../processors/sink/tables.js';
import { eventId, recordId } from '../schemas/event-id.js';
import { encode, listSchemas, schemaRegistry } from '../schemas/registry.js';
import type { SchemaInfo } from '../schemas/schema-entry.js';
import type { InstanceStatus } from '../ingestors/runtime/instance-status.js';
import { FULL_RECORDS } from '../schemas/testdata/sample-records.js';
import type { AccountEvent, Actor, AuditEvent, SchemaName } from '../schemas/types.js';
import type { AccountKind, AccountStatus } from '../schemas/vocabulary.js';
import { freshName } from '../test/support/fresh.js';
import { testDataDir, testLog } from '../test/support/stack.js';
import { buildApp } from './app.js';
import { testAuth, type TestAuth, type TestKeyName } from '../test/support/auth.js';

// Whole seconds, so that every fixture time is exact in DateTime64(3) and in the ISO answers.
const NOW = Math.floor(Date.now() / 1000) * 1000;
const MINUTE = 60_000;
const DAY = 86_400_000;
const MAX_PAGE_SIZE = 50;
/** A window that holds every fixture, for the filter tests. */
const ALL_TIME = { from: new Date(NOW - 7 * DAY).toISOString(), to: new Date(NOW + MINUTE).toISOString() };

const ALICE = { id: '00u1a2b3c4AliceN0x7', email: 'Alice.Nguyen@Example.com', name: 'Alice Nguyen', type: 'user' } as const satisfies Actor;
const BOB = { id: '00u5d6e7f8BobMart0x7', email: 'bob.martin@example.com', name: 'Bob Martin', type: 'user' } as const satisfies Actor;
// A service account without an email: its events are found by its provider id.
const SCIM = { id: '0oa9g0h1i2ScimBot0x7', email: null, name: 'SCIM provisioning', type: 'service' } as const satisfies Actor;

const CHROME = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const TIE = NOW - 180 * MINUTE;

interface Spec {
  uuid: string;
  provider?: 'okta' | 'box';
  instance: string;
  actor: Actor;
  at: number;
  action: AuditEvent['action'];
  action_raw: string;
  category: AuditEvent['category'];
  outcome: AuditEvent['outcome'];
  ip: string | null;
  reason?: string;
}

function auditEvent(s: Spec): AuditEvent {
  const provider = s.provider ?? 'okta';
  const raw = { uuid: s.uuid, published: new Date(s.at).toISOString(), eventType: s.action_raw, actor: { id: s.actor.id, alternateId: s.actor.email } };
  return {
    event_id: eventId(provider, s.instance, s.uuid),
    provider,
    instance: s.instance,
    occurred_at: s.at,
    ingested_at: s.at + 4_000,
    category: s.category,
    action: s.action,
    action_raw: s.action_raw,
    outcome: s.outcome,
    outcome_reason: s.reason ?? null,
    severity: 'info',
    actor: s.actor,
    targets: s.action === 'user_suspend'
      ? [{ type: 'user', type_raw: 'User', id: ALICE.id, name: ALICE.name, email: ALICE.email }]
      : [],
    source: { ip: s.ip, user_agent: s.ip ? CHROME : null, country: s.ip ? 'Spain' : null, city: s.ip ? 'Madrid' : null },
    session_id: s.ip ? `102${s.uuid.slice(0, 22)}` : null,
    request_id: `Xq${s.uuid.slice(0, 20)}`,
    class_uid: s.category === 'logon' ? 3002 : 3001,
    activity_id: 1,
    attributes: { display_message: `${s.action_raw} by ${s.actor.name}`, transaction_type: 'WEB' },
    raw: JSON.stringify(raw),
  };
}

const EVENTS: AuditEvent[] = [
  { uuid: '6f1b3c2e-0a11-11ef-9d3a-5b1c1a000001', instance: 'a', actor: ALICE, at: NOW - 300 * MINUTE, action: 'login', action_raw: 'user.session.start', category: 'logon', outcome: 'success', ip: '203.0.113.10' },
  { uuid: '6f1b3c2e-0a11-11ef-9d3a-5b1c1a000002', instance: 'a', actor: ALICE, at: NOW - 290 * MINUTE, action: 'login', action_raw: 'user.session.start', category: 'logon', outcome: 'failure', ip: '198.51.100.23', reason: 'INVALID_CREDENTIALS' },
  { uuid: '6f1b3c2e-0a11-11ef-9d3a-5b1c1a000003', instance: 'b', actor: BOB, at: NOW - 240 * MINUTE, action: 'login', action_raw: 'user.session.start', category: 'logon', outcome: 'success', ip: '203.0.113.77' },
  // Five events in the same millisecond: keyset paging must neither repeat nor skip any of them.
  { uuid: '6f1b3c2e-0a11-11ef-9d3a-5b1c1a000004', instance: 'a', actor: ALICE, at: TIE, action: 'mfa_verify', action_raw: 'user.authentication.auth_via_mfa', category: 'logon', outcome: 'success', ip: '203.0.113.10' },
  { uuid: '6f1b3c2e-0a11-11ef-9d3a-5b1c1a000005', instance: 'a', actor: BOB, at: TIE, action: 'admin_access', action_raw: 'user.session.access_admin_app', category: 'admin', outcome: 'success', ip: '203.0.113.77' },
  { uuid: '6f1b3c2e-0a11-11ef-9d3a-5b1c1a000006', instance: 'b', actor: ALICE, at: TIE, action: 'app_grant', action_raw: 'app.oauth2.as.consent.grant', category: 'app', outcome: 'success', ip: '203.0.113.10' },
  { uuid: '6f1b3c2e-0a11-11ef-9d3a-5b1c1a000007', instance: 'b', actor: SCIM, at: TIE, action: 'user_update', action_raw: 'user.account.update_profile', category: 'user', outcome: 'success', ip: null },
  { uuid: '6f1b3c2e-0a11-11ef-9d3a-5b1c1a000008', instance: 'a', actor: SCIM, at: TIE, action: 'group_member_add', action_raw: 'group.user_membership.add', category: 'admin', outcome: 'unknown', ip: null },
  { uuid: '6f1b3c2e-0a11-11ef-9d3a-5b1c1a000009', instance: 'b', actor: SCIM, at: NOW - 120 * MINUTE, action: 'password_reset', action_raw: 'user.account.reset_password', category: 'user', outcome: 'unknown', ip: null },
  { uuid: '6f1b3c2e-0a11-11ef-9d3a-5b1c1a000010', instance: 'a', actor: BOB, at: NOW - 60 * MINUTE, action: 'user_suspend', action_raw: 'user.lifecycle.suspend', category: 'admin', outcome: 'success', ip: '198.51.100.23' },
  { uuid: '6f1b3c2e-0a11-11ef-9d3a-5b1c1a000011', provider: 'box', instance: 'main', actor: ALICE, at: NOW - 30 * MINUTE, action: 'file_download', action_raw: 'DOWNLOAD', category: 'file', outcome: 'success', ip: '192.0.2.44' },
  // The categories the vocabulary has beyond the first five (security, other) are stored and filtered like any.
  { uuid: '6f1b3c2e-0a11-11ef-9d3a-5b1c1a000013', instance: 'a', actor: SCIM, at: NOW - 200 * MINUTE, action: 'threat_detected', action_raw: 'security.threat.detected', category: 'security', outcome: 'unknown', ip: null },
  // Older than the default 24-hour window.
  { uuid: '6f1b3c2e-0a11-11ef-9d3a-5b1c1a000012', instance: 'a', actor: ALICE, at: NOW - 3 * DAY, action: 'login', action_raw: 'user.session.start', category: 'logon', outcome: 'success', ip: '203.0.113.10' },
].map((s) => auditEvent(s as Spec));

/** Newest first, ties by event_id descending: the order the API promises. */
function newestFirst(events: AuditEvent[]): string[] {
  return [...events]
    .sort((x, y) => y.occurred_at - x.occurred_at || (x.event_id < y.event_id ? 1 : x.event_id > y.event_id ? -1 : 0))
    .map((e) => e.event_id);
}

function accountEvent(a: {
  instance: string; kind: AccountKind; ids: string[]; subject: Actor & { id: string }; observedAt: number;
  status?: AccountStatus | null; statusRaw?: string | null;
  group?: AccountEvent['group']; privilege?: AccountEvent['privilege']; app?: AccountEvent['app'];
}): AccountEvent {
  const subjectType = a.subject.type === 'service' ? 'service' : 'user';
  return {
    record_id: recordId('okta', a.instance, a.kind, ...a.ids),
    provider: 'okta',
    instance: a.instance,
    observed_at: a.observedAt,
    kind: a.kind,
    subject: { type: a.kind === 'group' ? 'group' : subjectType, id: a.subject.id, email: a.subject.email, name: a.subject.name },
    status: a.status ?? null,
    status_raw: a.statusRaw ?? null,
    created_at: a.kind === 'user' ? NOW - 400 * DAY : null,
    last_login_at: a.kind === 'user' ? NOW - 300 * MINUTE : null,
    group: a.group ?? null,
    privilege: a.privilege ?? null,
    app: a.app ?? null,
    deleted: false,
    attributes: a.kind === 'user' ? { department: 'Engineering' } : {},
    raw: JSON.stringify({ id: a.ids.join('/') }),
  };
}

const ENGINEERING = { id: '00g1eng2ineering0x7', name: 'Engineering' };
const DAVE = { id: '00u7dave8Dupont0x7', email: 'dave.dupont@example.com', name: 'Dave Dupont', type: 'user' } as const satisfies Actor;
const ACCOUNTS: AccountEvent[] = [
  accountEvent({ instance: 'a', kind: 'user', ids: [ALICE.id], subject: ALICE, observedAt: NOW - 2 * DAY, status: 'active', statusRaw: 'ACTIVE' }),
  accountEvent({ instance: 'a', kind: 'user', ids: [SCIM.id], subject: SCIM, observedAt: NOW - 2 * DAY, status: 'active', statusRaw: 'ACTIVE' }),
  accountEvent({ instance: 'a', kind: 'group', ids: [ENGINEERING.id], subject: { id: ENGINEERING.id, email: null, name: ENGINEERING.name, type: 'unknown' }, observedAt: NOW - 2 * DAY, group: ENGINEERING }),
  accountEvent({ instance: 'a', kind: 'membership', ids: [ENGINEERING.id, ALICE.id], subject: ALICE, observedAt: NOW - 2 * DAY, group: ENGINEERING }),
  accountEvent({ instance: 'a', kind: 'privilege', ids: [ALICE.id, 'SUPER_ADMIN'], subject: ALICE, observedAt: NOW - 2 * DAY, privilege: { id: 'SUPER_ADMIN', name: 'Super Administrator', type: 'SUPER_ADMIN' } }),
  accountEvent({ instance: 'a', kind: 'app_grant', ids: [BOB.id, '0oaSlack0x7'], subject: BOB, observedAt: NOW - 2 * DAY, app: { id: '0oaSlack0x7', name: 'Slack', scopes: ['okta.users.read', 'openid'] } }),
  accountEvent({ instance: 'b', kind: 'user', ids: [ALICE.id], subject: ALICE, observedAt: NOW - 2 * DAY, status: 'active', statusRaw: 'ACTIVE' }),
  accountEvent({ instance: 'b', kind: 'user', ids: [DAVE.id], subject: DAVE, observedAt: NOW - 2 * DAY, status: 'deprovisioned', statusRaw: 'DEPROVISIONED' }),
];
// Bob was seen active, then suspended: the API answers the latest state only.
const BOB_BEFORE = accountEvent({ instance: 'a', kind: 'user', ids: [BOB.id], subject: BOB, observedAt: NOW - 2 * DAY, status: 'active', statusRaw: 'ACTIVE' });
const BOB_NOW = accountEvent({ instance: 'a', kind: 'user', ids: [BOB.id], subject: BOB, observedAt: NOW - 60 * MINUTE, status: 'suspended', statusRaw: 'SUSPENDED' });
const LATEST_ACCOUNTS = [...ACCOUNTS, BOB_NOW];
// Dave was in Engineering, then a complete scan found the membership gone: listed only on request.
const DAVE_MEMBER = accountEvent({ instance: 'b', kind: 'membership', ids: [ENGINEERING.id, DAVE.id], subject: DAVE, observedAt: NOW - 2 * DAY, group: ENGINEERING });
const DAVE_MEMBER_GONE: AccountEvent = { ...DAVE_MEMBER, observed_at: NOW - 30 * MINUTE, deleted: true, attributes: { deleted_by: 'scan' } };

/** The order of `/v1/accounts`: provider, instance, kind, record_id. */
function accountOrder(accounts: AccountEvent[]): string[] {
  const key = (a: AccountEvent) => [a.provider, a.instance, a.kind, a.record_id];
  return [...accounts]
    .sort((x, y) => {
      const [kx, ky] = [key(x), key(y)];
      for (let i = 0; i < kx.length; i++) if (kx[i] !== ky[i]) return kx[i]! < ky[i]! ? -1 : 1;
      return 0;
    })
    .map((a) => a.record_id);
}

interface Page<T> { items: T[]; next_cursor: string | null }
interface ActivityItem { event_id: string; occurred_at: string; raw?: string; [k: string]: unknown }
interface AccountItem { record_id: string; status: string | null; [k: string]: unknown }
interface ErrorAnswer { statusCode: number; code: string; error: string; message: string }

let clickhouse: ClickHouse;
let auth: TestAuth;
let app: FastifyInstance;
const apps: FastifyInstance[] = [];

async function newApp(extra: { ready?: () => boolean; connectorStatuses?: () => InstanceStatus[] } = {}): Promise<FastifyInstance> {
  const built = await buildApp({ clickhouse, log: testLog, maxPageSize: MAX_PAGE_SIZE, security: auth.security, bus: auth.bus, ...extra });
  apps.push(built);
  return built;
}

/** A GET as an analyst (or `who`). */
async function get<T>(url: string, on: FastifyInstance = app, who: TestKeyName = 'analyst'): Promise<{ status: number; body: T }> {
  const res = await on.inject({ method: 'GET', url, headers: auth.headers(who) });
  return { status: res.statusCode, body: res.json() as T };
}

function url(path: string, query: Record<string, string | number | boolean>): string {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
  return qs ? `${path}?${qs}` : path;
}

async function activityIds(query: Record<string, string | number | boolean>): Promise<string[]> {
  const res = await get<Page<ActivityItem>>(url('/v1/activities', { limit: MAX_PAGE_SIZE, ...query }));
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.next_cursor, null, 'the fixtures fit in one page');
  return res.body.items.map((i) => i.event_id);
}

/** Follows `next_cursor` to the end; bounded so that a cursor that never ends fails the test. */
async function allPages<T>(path: string, query: Record<string, string | number | boolean>): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 100; i++) {
    const res: { status: number; body: Page<T> } = await get<Page<T>>(url(path, { ...query, ...(cursor ? { cursor } : {}) }));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    pages.push(res.body.items);
    cursor = res.body.next_cursor;
    if (cursor === null) return pages;
  }
  assert.fail('next_cursor never became null');
}

function expectedIds(where: (e: AuditEvent) => boolean): string[] {
  const ids = newestFirst(EVENTS.filter(where));
  assert.ok(ids.length > 0, 'a filter test needs matching fixtures');
  return ids;
}

async function badRequest(query: string, on: FastifyInstance = app): Promise<ErrorAnswer> {
  const res = await get<ErrorAnswer>(`/v1/activities?${query}`, on);
  assert.equal(res.status, 400, `${query} answered ${res.status}: ${JSON.stringify(res.body)}`);
  assert.deepEqual(Object.keys(res.body).sort(), ['code', 'error', 'message', 'statusCode']);
  assert.equal(res.body.statusCode, 400);
  assert.equal(res.body.code, 'AW_BAD_REQUEST');
  assert.equal(res.body.error, 'Bad Request');
  return res.body;
}

before(async () => {
  auth = await testAuth();
  clickhouse = await openClickHouse({ dataDir: testDataDir(), database: freshName('aw_api'), log: testLog });
  await ensureTables(clickhouse);
  await clickhouse.insert('activities', EVENTS.map(auditEventToRow));
  await clickhouse.insert('accounts', [...ACCOUNTS, BOB_BEFORE].map(accountEventToRow));
  await clickhouse.insert('accounts', [BOB_NOW, DAVE_MEMBER].map(accountEventToRow));
  await clickhouse.insert('accounts', [DAVE_MEMBER_GONE].map(accountEventToRow));
  app = await newApp();
});

after(async () => {
  for (const a of apps) await a.close();
  await clickhouse?.close();
  await auth?.stop();
});

describe('GET /v1/activities', () => {
  test('answers the stored events newest first, with every field of the trail', async () => {
    const res = await get<Page<ActivityItem>>(url('/v1/activities', ALL_TIME));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.items.map((i) => i.event_id), newestFirst(EVENTS));
    const suspended = EVENTS.find((e) => e.action === 'user_suspend')!;
    assert.deepEqual(res.body.items.find((i) => i.event_id === suspended.event_id), {
      event_id: suspended.event_id,
      provider: 'okta',
      instance: 'a',
      occurred_at: new Date(suspended.occurred_at).toISOString(),
      ingested_at: new Date(suspended.ingested_at).toISOString(),
      category: 'admin',
      action: 'user_suspend',
      action_raw: 'user.lifecycle.suspend',
      outcome: 'success',
      outcome_reason: null,
      severity: 'info',
      actor: { id: BOB.id, email: BOB.email, name: BOB.name, type: 'user' },
      targets: [{ type: 'user', id: ALICE.id, name: ALICE.name }],
      source: { ip: '198.51.100.23', user_agent: CHROME, country: 'Spain', city: 'Madrid' },
      session_id: suspended.session_id,
      request_id: suspended.request_id,
      class_uid: 3001,
      activity_id: 1,
      attributes: suspended.attributes,
    });
  });

  const filters: Array<[string, Record<string, string>, (e: AuditEvent) => boolean]> = [
    ['provider', { provider: 'okta' }, (e) => e.provider === 'okta'],
    ['another provider', { provider: 'box' }, (e) => e.provider === 'box'],
    ['instance', { instance: 'b' }, (e) => e.instance === 'b'],
    ['provider and instance', { provider: 'okta', instance: 'a' }, (e) => e.provider === 'okta' && e.instance === 'a'],
    ['user by email', { user: 'alice.nguyen@example.com' }, (e) => e.actor.id === ALICE.id],
    ['user by email in another case', { user: 'ALICE.NGUYEN@EXAMPLE.COM' }, (e) => e.actor.id === ALICE.id],
    ['user by provider id when the user has an email', { user: BOB.id }, (e) => e.actor.id === BOB.id],
    ['user by provider id when the user has no email', { user: SCIM.id }, (e) => e.actor.id === SCIM.id],
    ['action', { action: 'login' }, (e) => e.action === 'login'],
    ['action_raw', { action_raw: 'user.authentication.auth_via_mfa' }, (e) => e.action_raw === 'user.authentication.auth_via_mfa'],
    ['category', { category: 'admin' }, (e) => e.category === 'admin'],
    ['a category beyond the first five (security)', { category: 'security' }, (e) => e.category === 'security'],
    ['outcome failure', { outcome: 'failure' }, (e) => e.outcome === 'failure'],
    ['outcome unknown', { outcome: 'unknown' }, (e) => e.outcome === 'unknown'],
    ['ip', { ip: '203.0.113.10' }, (e) => e.source.ip === '203.0.113.10'],
    ['several filters together', { user: 'bob.martin@example.com', instance: 'a', category: 'admin' },
      (e) => e.actor.id === BOB.id && e.instance === 'a' && e.category === 'admin'],
  ];
  for (const [name, query, where] of filters) {
    test(`filters by ${name}`, async () => {
      const expected = expectedIds(where);
      assert.ok(expected.length < EVENTS.length, 'the filter leaves some fixtures out');
      assert.deepEqual(await activityIds({ ...ALL_TIME, ...query }), expected);
    });
  }

  test('a filter that matches nothing answers an empty page', async () => {
    assert.deepEqual(await activityIds({ ...ALL_TIME, user: 'nobody@example.com' }), []);
    assert.deepEqual(await activityIds({ ...ALL_TIME, provider: 'okta', instance: 'main' }), []);
  });

  test('from is inclusive and to is exclusive', async () => {
    const suspendedAt = NOW - 60 * MINUTE;
    const ids = await activityIds({ from: new Date(TIE).toISOString(), to: new Date(suspendedAt).toISOString() });
    assert.deepEqual(ids, expectedIds((e) => e.occurred_at >= TIE && e.occurred_at < suspendedAt));
    assert.equal(ids.length, 6, 'the five tied events at `from` and the one between');
    // Any ISO 8601 form of the same instants means the same window.
    const offset = await activityIds({ from: ALL_TIME.from.replace('Z', '+00:00'), to: new Date(suspendedAt).toISOString().replace('Z', '+00:00') });
    assert.deepEqual(offset, expectedIds((e) => e.occurred_at >= Date.parse(ALL_TIME.from) && e.occurred_at < suspendedAt));
  });

  test('without from and to, answers the last 24 hours', async () => {
    const old = EVENTS.find((e) => e.occurred_at < NOW - DAY)!;
    const ids = await activityIds({});
    assert.deepEqual(ids, expectedIds((e) => e.occurred_at >= NOW - DAY));
    assert.ok(!ids.includes(old.event_id));
    assert.ok((await activityIds(ALL_TIME)).includes(old.event_id));
    // `to` alone: the 24 hours before it.
    assert.deepEqual(await activityIds({ to: new Date(NOW - 2 * DAY).toISOString() }), [old.event_id]);
  });

  test('keyset paging returns every event exactly once, across events of the same millisecond', async () => {
    for (const limit of [1, 2, 3]) {
      const pages = await allPages<ActivityItem>('/v1/activities', { ...ALL_TIME, limit });
      const ids = pages.flat().map((i) => i.event_id);
      assert.deepEqual(ids, newestFirst(EVENTS), `limit=${limit}`);
      assert.equal(pages.length, Math.ceil(EVENTS.length / limit), `limit=${limit}: no empty last page`);
      assert.ok(pages.every((p) => p.length <= limit));
    }
  });

  test('paging keeps the filters', async () => {
    const pages = await allPages<ActivityItem>('/v1/activities', { ...ALL_TIME, user: 'alice.nguyen@example.com', limit: 2 });
    assert.deepEqual(pages.flat().map((i) => i.event_id), expectedIds((e) => e.actor.id === ALICE.id));
  });

  test('include_raw=true adds the provider record for a key with the raw permission or an admin; it is left out by default', async () => {
    for (const who of ['analyst-raw', 'admin'] as const) {
      const withRaw = await get<Page<ActivityItem>>(url('/v1/activities', { ...ALL_TIME, include_raw: true }), app, who);
      assert.equal(withRaw.status, 200, who);
      assert.equal(withRaw.body.items.length, EVENTS.length);
      for (const item of withRaw.body.items) {
        assert.equal(item.raw, EVENTS.find((e) => e.event_id === item.event_id)!.raw);
      }
    }
    const without = await get<Page<ActivityItem>>(url('/v1/activities', { ...ALL_TIME, include_raw: false }));
    assert.ok(without.body.items.every((i) => !('raw' in i)));
    const byDefault = await get<Page<ActivityItem>>(url('/v1/activities', ALL_TIME));
    assert.ok(byDefault.body.items.every((i) => !('raw' in i)));
  });

  test("include_raw is refused (403) to roles without raw access, personal data stays out", async () => {
    for (const who of ['analyst', 'policy-author', 'responder'] as const) {
      const res = await get<ErrorAnswer>(url('/v1/activities', { ...ALL_TIME, include_raw: true }), app, who);
      assert.equal(res.status, 403, who);
      assert.equal(res.body.code, 'AW_FORBIDDEN');
      assert.match(res.body.message, /include_raw/);
    }
  });

  test('an SQL injection attempt in user matches nothing and fails nothing', async () => {
    for (const user of ["' OR 1=1 --", "x' OR '1'='1", "alice.nguyen@example.com'; DROP TABLE activities; --"]) {
      assert.deepEqual(await activityIds({ ...ALL_TIME, user }), [], user);
    }
    assert.equal((await activityIds(ALL_TIME)).length, EVENTS.length, 'the table is intact');
  });
});

describe('invalid requests', () => {
  const cases: Array<[string, RegExp]> = [
    ['limit=0', /^querystring\.limit must be >= 1$/],
    [`limit=${MAX_PAGE_SIZE + 1}`, new RegExp(`^querystring\\.limit must be <= ${MAX_PAGE_SIZE}$`)],
    ['limit=ten', /^querystring\.limit must be integer$/],
    ['category=nope', /^querystring\.category must be one of logon, user, admin, file, app, security, other$/],
    ['outcome=nope', /^querystring\.outcome must be one of success, failure, unknown$/],
    ['from=yesterday', /^querystring\.from must be an ISO 8601 date-time/],
    ['to=2026-13-45T00:00:00Z', /^querystring\.to must be an ISO 8601 date-time/],
    ['from=2026-11-30T00:00:00Z&to=2026-11-29T00:00:00Z', /^querystring\.from must be before querystring\.to$/],
    ['from=2026-11-30T00:00:00Z&to=2026-11-30T00:00:00Z', /^querystring\.from must be before querystring\.to$/],
    ['colour=red', /^querystring\.colour is not a known parameter$/],
    ['cursor=abc', /^querystring\.cursor is not a cursor this API returned$/],
    [`cursor=${Buffer.from('["2026-11-30T00:00:00.000Z"]').toString('base64url')}`, /^querystring\.cursor is not a cursor this API returned$/],
    [`cursor=${Buffer.from('["not a time","abc"]').toString('base64url')}`, /^querystring\.cursor is not a cursor this API returned$/],
    ['include_raw=maybe', /^querystring\.include_raw must be boolean$/],
  ];
  for (const [query, message] of cases) {
    test(`${query} gets a 400 that names the parameter`, async () => {
      assert.match((await badRequest(query)).message, message);
    });
  }

  test('every invalid parameter of one request is named', async () => {
    const { message } = await badRequest('limit=0&outcome=nope&colour=red');
    for (const name of ['limit', 'outcome', 'colour']) assert.match(message, new RegExp(`querystring\\.${name}\\b`));
  });

  test('/v1/accounts checks its parameters the same way', async () => {
    for (const [query, message] of [
      ['limit=0', /^querystring\.limit must be >= 1$/],
      [`limit=${MAX_PAGE_SIZE + 1}`, new RegExp(`^querystring\\.limit must be <= ${MAX_PAGE_SIZE}$`)],
      ['kind=robot', /^querystring\.kind must be one of user, group, membership, privilege, app_grant$/],
      ['colour=red', /^querystring\.colour is not a known parameter$/],
      ['cursor=abc', /^querystring\.cursor is not a cursor this API returned$/],
    ] as const) {
      const res = await get<ErrorAnswer>(`/v1/accounts?${query}`);
      assert.equal(res.status, 400, query);
      assert.equal(res.body.code, 'AW_BAD_REQUEST');
      assert.match(res.body.message, message);
    }
  });

  test('a route that does not exist gets a 404 AW_NOT_FOUND', async () => {
    const res = await get<ErrorAnswer>('/v1/activitiez?user=x');
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, { statusCode: 404, code: 'AW_NOT_FOUND', error: 'Not Found', message: 'no route GET /v1/activitiez' });
    const post = await app.inject({ method: 'POST', url: '/v1/activities', headers: auth.headers('admin') });
    assert.equal(post.statusCode, 404);
    assert.equal(post.json().code, 'AW_NOT_FOUND');
  });
});

describe('GET /v1/accounts', () => {
  test('answers the latest state of every account object, in a stable order', async () => {
    const res = await get<Page<AccountItem>>('/v1/accounts');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.items.map((i) => i.record_id), accountOrder(LATEST_ACCOUNTS));
    const bob = res.body.items.find((i) => i.record_id === BOB_NOW.record_id);
    assert.deepEqual(bob, {
      record_id: BOB_NOW.record_id,
      provider: 'okta',
      instance: 'a',
      kind: 'user',
      observed_at: new Date(BOB_NOW.observed_at).toISOString(),
      subject: { type: 'user', id: BOB.id, email: BOB.email, name: BOB.name },
      status: 'suspended',
      status_raw: 'SUSPENDED',
      created_at: new Date(BOB_NOW.created_at!).toISOString(),
      last_login_at: new Date(BOB_NOW.last_login_at!).toISOString(),
      group: null,
      privilege: null,
      app: null,
      deleted: false,
      attributes: { department: 'Engineering' },
    });
    const grant = res.body.items.find((i) => i.kind === 'app_grant');
    assert.deepEqual(grant?.app, { id: '0oaSlack0x7', name: 'Slack', scopes: ['okta.users.read', 'openid'] });
    const membership = res.body.items.find((i) => i.kind === 'membership');
    assert.deepEqual(membership?.group, ENGINEERING);
  });

  const filters: Array<[string, Record<string, string>, (a: AccountEvent) => boolean]> = [
    ['provider', { provider: 'okta' }, (a) => a.provider === 'okta'],
    ['instance', { instance: 'b' }, (a) => a.instance === 'b'],
    ['kind', { kind: 'user' }, (a) => a.kind === 'user'],
    ['status', { status: 'suspended' }, (a) => a.status === 'suspended'],
    ['email, case-insensitive', { email: 'ALICE.nguyen@example.COM' }, (a) => a.subject.email === ALICE.email],
    ['subject_id', { subject_id: SCIM.id }, (a) => a.subject.id === SCIM.id],
    ['several filters together', { instance: 'a', kind: 'user', status: 'active' }, (a) => a.instance === 'a' && a.kind === 'user' && a.status === 'active'],
  ];
  for (const [name, query, where] of filters) {
    test(`filters by ${name}`, async () => {
      const res = await get<Page<AccountItem>>(url('/v1/accounts', query));
      assert.equal(res.status, 200);
      const expected = accountOrder(LATEST_ACCOUNTS.filter(where));
      assert.ok(expected.length > 0);
      assert.deepEqual(res.body.items.map((i) => i.record_id), expected);
    });
  }

  test('a deleted object is left out unless include_deleted is set', async () => {
    const dave = await get<Page<AccountItem>>(url('/v1/accounts', { subject_id: DAVE.id }));
    assert.deepEqual(dave.body.items.map((i) => i.kind), ['user'], 'the membership a scan found gone is not listed');
    const all = await get<Page<AccountItem>>(url('/v1/accounts', { subject_id: DAVE.id, include_deleted: 'true' }));
    const gone = all.body.items.find((i) => i.kind === 'membership');
    assert.deepEqual([gone?.record_id, gone?.deleted, gone?.observed_at], [DAVE_MEMBER.record_id, true, new Date(DAVE_MEMBER_GONE.observed_at).toISOString()]);
  });

  test('an earlier state of a changed account is not answered', async () => {
    const res = await get<Page<AccountItem>>(url('/v1/accounts', { status: 'active', subject_id: BOB.id }));
    assert.deepEqual(res.body.items, []);
  });

  test('keyset paging returns every account object exactly once', async () => {
    for (const limit of [1, 2, 4]) {
      const pages = await allPages<AccountItem>('/v1/accounts', { limit });
      assert.deepEqual(pages.flat().map((i) => i.record_id), accountOrder(LATEST_ACCOUNTS), `limit=${limit}`);
      assert.equal(pages.length, Math.ceil(LATEST_ACCOUNTS.length / limit));
    }
    const filtered = await allPages<AccountItem>('/v1/accounts', { instance: 'a', limit: 2 });
    assert.deepEqual(filtered.flat().map((i) => i.record_id), accountOrder(LATEST_ACCOUNTS.filter((a) => a.instance === 'a')));
  });
});

describe('GET /v1/schemas', () => {
  test('lists the six published schemas with their fingerprints', async () => {
    const res = await get<{ items: SchemaInfo[] }>('/v1/schemas');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.items.map((s) => s.id).sort(), [
      'account-event.v1', 'alert.v1', 'audit-event.v1', 'file-event.v1', 'governance-command.v1', 'governance-result.v1',
    ]);
    assert.deepEqual(res.body.items, listSchemas());
    for (const s of res.body.items) {
      assert.match(s.fingerprint, /^[0-9a-f]{16}$/);
      assert.match(s.fingerprintDecimal, /^-?\d+$/);
    }
  });

  test('a listed fingerprint is the one a message carries after C3 01, most significant byte first', async () => {
    const { body } = await get<{ items: SchemaInfo[] }>('/v1/schemas');
    for (const name of Object.keys(FULL_RECORDS) as SchemaName[]) {
      const message = encode(name, FULL_RECORDS[name] as never);
      assert.deepEqual([...message.subarray(0, 2)], [0xc3, 0x01]);
      const inMessage = Buffer.from(message.subarray(2, 10));
      const listed = body.items.find((s) => s.name === name)!;
      // The header holds the fingerprint little-endian; the listed hex form reads it most significant first.
      assert.equal(inMessage.readBigUInt64LE(0).toString(16).padStart(16, '0'), listed.fingerprint, name);
      assert.equal(Buffer.from(inMessage).reverse().toString('hex'), listed.fingerprint, name);
      assert.equal(inMessage.readBigInt64LE(0).toString(), listed.fingerprintDecimal, name);
    }
  });

  test('GET /v1/schemas/<fingerprint> returns the .avsc JSON, by hex (either byte order) or decimal', async () => {
    const { body } = await get<{ items: SchemaInfo[] }>('/v1/schemas');
    for (const s of body.items) {
      const byHex = await get<{ type: string; name: string; namespace?: string; fields: unknown[] }>(`/v1/schemas/${s.fingerprint}`);
      assert.equal(byHex.status, 200, s.id);
      assert.equal(byHex.body.type, 'record');
      assert.ok(Array.isArray(byHex.body.fields) && byHex.body.fields.length > 0);
      const fullName = byHex.body.name.includes('.') ? byHex.body.name : `${byHex.body.namespace}.${byHex.body.name}`;
      assert.equal(fullName, s.fullName);
      assert.deepEqual(byHex.body, schemaRegistry().schemaJson(s.id), `${s.id}: exactly the .avsc file`);
      const asInMessage = Buffer.from(s.fingerprint, 'hex').reverse().toString('hex');
      for (const form of [asInMessage, s.fingerprintDecimal, `0x${s.fingerprint.toUpperCase()}`]) {
        const other = await get<unknown>(`/v1/schemas/${form}`);
        assert.equal(other.status, 200, `${s.id} by ${form}`);
        assert.deepEqual(other.body, byHex.body);
      }
    }
  });

  test('an unknown fingerprint gets a 404 AW_SCHEMA_UNKNOWN; something else gets a 400', async () => {
    const unknown = await get<ErrorAnswer>('/v1/schemas/0123456789abcdef');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 'AW_SCHEMA_UNKNOWN');
    assert.equal(unknown.body.error, 'Not Found');
    assert.match(unknown.body.message, /0123456789abcdef/);
    const notAFingerprint = await get<ErrorAnswer>('/v1/schemas/audit-event');
    assert.equal(notAFingerprint.status, 400);
    assert.equal(notAFingerprint.body.code, 'AW_BAD_REQUEST');
  });
});

describe('GET /docs/json', () => {
  test('is an OpenAPI 3 document with a parameter and response schema for every route', async () => {
    const res = await get<{
      openapi: string;
      paths: Record<string, { get?: { parameters?: Array<{ name: string; in: string; schema?: unknown }>; responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> } }>;
    }>('/docs/json');
    assert.equal(res.status, 200);
    assert.match(res.body.openapi, /^3\./);
    const expectedParameters: Record<string, string[]> = {
      '/v1/activities': ['provider', 'instance', 'user', 'action', 'action_raw', 'category', 'outcome', 'ip', 'from', 'to', 'limit', 'cursor', 'include_raw',
        'actor_type', 'actor_name', 'country', 'city', 'user_agent', 'severity', 'outcome_reason', 'session_id', 'request_id', 'event_id',
        'target_type', 'target_id', 'target_name', 'q', 'words', 'sort', 'format'],
      '/v1/files': ['provider', 'instance', 'file_id', 'name', 'access_level', 'owner', 'collaborator', 'shared_link', 'label', 'quarantine', 'deleted', 'limit', 'cursor'],
      '/v1/accounts': ['provider', 'instance', 'kind', 'status', 'email', 'subject_id', 'include_deleted', 'limit', 'cursor'],
      '/v1/schemas': [],
      '/v1/schemas/{fingerprint}': ['fingerprint'],
      '/v1/connectors': [],
      '/healthz': [],
      '/readyz': [],
    };
    for (const [path, names] of Object.entries(expectedParameters)) {
      const get = res.body.paths[path]?.get;
      assert.ok(get, `${path} is documented`);
      assert.deepEqual((get.parameters ?? []).map((p) => p.name).sort(), [...names].sort(), `${path} parameters`);
      for (const p of get.parameters ?? []) assert.ok(p.schema, `${path} ${p.name} has a schema`);
      const ok = get.responses?.['200']?.content?.['application/json']?.schema;
      assert.ok(ok && typeof ok === 'object' && Object.keys(ok).length > 0, `${path} documents its 200 answer`);
    }
    assert.ok(!('/docs/json' in res.body.paths), 'the document does not list itself');
    const errorAnswer = res.body.paths['/v1/activities']!.get!.responses?.['400']?.content?.['application/json']?.schema;
    assert.ok(errorAnswer, '/v1/activities documents its 400 answer');
  });
});

describe('GET /v1/connectors', () => {
  test('answers every field of the statuses the runtime reports (none when the API runs alone)', async () => {
    const alone = await get<{ items: unknown[] }>('/v1/connectors');
    assert.equal(alone.status, 200);
    assert.deepEqual(alone.body, { items: [] });

    const status: InstanceStatus = {
      provider: 'okta',
      instance: 'a',
      phase: 'running',
      credentials: { ok: true, permissions: ['okta.logs.read', 'okta.users.read'], missing: [{ capability: 'action:suspend_user', reason: 'missing permission: okta.users.manage' }] },
      streams: [{
        stream: 'system_log', kind: 'activities', state: 'idle', fetched: 1200, published: 1195, deadLettered: 5, repeated: 40,
        readUntil: new Date(NOW - MINUTE).toISOString(), freshnessMs: 61_000, lastRunStartedAt: new Date(NOW - 2_000).toISOString(),
        lastSuccessAt: new Date(NOW - 1_000).toISOString(), nextRunAt: new Date(NOW + 58_000).toISOString(),
        lastError: { code: 'AW_PROVIDER_THROTTLED', message: 'throttled for 120000 ms', at: new Date(NOW - 3_600_000).toISOString() },
      }, {
        stream: 'users', kind: 'snapshot', state: 'waiting', fetched: 0, published: 0, deadLettered: 0, repeated: 0,
        readUntil: null, freshnessMs: null, lastRunStartedAt: null, lastSuccessAt: null, nextRunAt: null, lastError: null,
        lastCompletedScan: { startedAt: new Date(NOW - 7_200_000).toISOString(), completedAt: new Date(NOW - 3_600_000).toISOString(), records: 250 },
      }],
      http: { requests: 31, retries: 2, throttled: 1, throttleWaitMs: 120_000, errors: 0, pausedUntil: null },
      unknownEventTypes: [{ type: 'user.brand_new.event', count: 3, firstSeenAt: new Date(NOW - 60_000).toISOString(), lastSeenAt: new Date(NOW - 1_000).toISOString() }],
      source: 'runner',
    };
    const running = await newApp({ connectorStatuses: () => [status, { ...status, instance: 'b', phase: 'validating', credentials: null, streams: [], http: null }] });
    const res = await get<{ items: unknown[] }>('/v1/connectors', running);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.items, [status, { ...status, instance: 'b', phase: 'validating', credentials: null, streams: [], http: null }]);
  });
});

describe('health', () => {
  test('/healthz answers 200', async () => {
    const res = await get<{ status: string }>('/healthz');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'ok' });
  });

  test('/readyz answers 200 when start-up is done and ClickHouse answers', async () => {
    assert.deepEqual(await get('/readyz'), { status: 200, body: { status: 'ready' } });
    const started = await newApp({ ready: () => true });
    assert.deepEqual(await get('/readyz', started), { status: 200, body: { status: 'ready' } });
  });

  test('/readyz answers 503 AW_NOT_READY while start-up is not done', async () => {
    let ready = false;
    const starting = await newApp({ ready: () => ready });
    const res = await get<ErrorAnswer>('/readyz', starting);
    assert.equal(res.status, 503);
    assert.deepEqual(res.body, { statusCode: 503, code: 'AW_NOT_READY', error: 'Service Unavailable', message: 'start-up is not complete' });
    assert.equal((await get('/healthz', starting)).status, 200, 'a starting process is alive');
    ready = true;
    assert.equal((await get('/readyz', starting)).status, 200);
  });
});
