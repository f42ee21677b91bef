import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { openClickHouse, type ClickHouse } from '../../core/clickhouse.js';
import { createKafkaBus, type KafkaBus } from '../../core/kafka.js';
import { compilePolicy } from '../../processors/policy/compile.js';
import { Evaluator } from '../../processors/policy/evaluator.js';
import { parsePolicyText } from '../../processors/policy/loader.js';
import { PolicyStore } from '../../processors/policy/policy-store.js';
import { auditEventToRow, ensureTables, TABLES } from '../../processors/sink/tables.js';
import { eventId } from '../../schemas/event-id.js';
import type { AuditEvent } from '../../schemas/types.js';
import { freshName, testBrokers } from '../../test/support/fresh.js';
import { testDataDir, testLog } from '../../test/support/stack.js';
import { waitFor } from '../../test/support/wait-for.js';
import { buildApp } from '../app.js';
import { PolicyProposals } from '../policy-proposals.js';
import { testAuth, type TestAuth, type TestKeyName } from '../../test/support/auth.js';

const D = Date.parse('2026-04-02T00:00:00Z');
const HOUR = 3_600_000;

const POLICY_YAML = `# Failed sign-ins of one user (a team's own variant)
id: team-failed-logins
name: Team failed logins
description: Five failed sign-ins of one user within ten minutes.
kind: activity
severity: medium
detection:
  failed: { category: logon, action: login, outcome: failure }
  condition: failed
threshold:
  count: 5
  within: 10m
  group_by: [actor.email]
alert:
  title: "{{actor.email}}: {{count}} failed logins"
  dedup: { key: [actor.email], period: 1h }
`;

// The threshold (line 10) loses its group_by; line 8 names a field that does not exist.
const BAD_YAML = POLICY_YAML
  .replace('  failed: { category: logon, action: login, outcome: failure }', '  failed: { category: logon, action: login, outcom: failure }')
  .replace('  group_by: [actor.email]\n', '');

function failure(n: number, at: number, email: string): AuditEvent {
  return {
    event_id: eventId('okta', 'main', `fail-${email}-${n}`), provider: 'okta', instance: 'main', occurred_at: at, ingested_at: at + 1000,
    category: 'logon', action: 'login', action_raw: 'user.session.start', outcome: 'failure', outcome_reason: 'INVALID_CREDENTIALS', severity: 'warn',
    actor: { id: `id-${email}`, email, name: null, type: 'user' }, targets: [],
    source: { ip: '203.0.113.7', user_agent: null, country: 'Spain', city: null }, session_id: null, request_id: null,
    class_uid: 3002, activity_id: 1, attributes: {}, raw: '{"secret":"not in samples"}',
  };
}

// Seven failures of Ana at 09:00, three of Bo at 10:00 (not enough), seven of Ana the next day.
const EVENTS = [
  ...Array.from({ length: 7 }, (_, i) => failure(i, D + 9 * HOUR + i * 30_000, 'ana@example.com')),
  ...Array.from({ length: 3 }, (_, i) => failure(i, D + 10 * HOUR + i * 30_000, 'bo@example.com')),
  ...Array.from({ length: 7 }, (_, i) => failure(100 + i, D + 33 * HOUR + i * 30_000, 'ana@example.com')),
];

let clickhouse: ClickHouse;
let bus: KafkaBus;
let store: PolicyStore;
let app: FastifyInstance;
let bare: FastifyInstance;
let auth: TestAuth;
let proposals: PolicyProposals;
/** The principal id of a role's test key. */
let id: (who: TestKeyName) => string;
const cleanups: Array<() => Promise<unknown>> = [];

before(async () => {
  clickhouse = await openClickHouse({ dataDir: testDataDir(), database: freshName('policies_api'), log: testLog });
  cleanups.push(() => clickhouse.close());
  await ensureTables(clickhouse);
  await clickhouse.insert(TABLES.activities, EVENTS.map(auditEventToRow));

  bus = createKafkaBus({ brokers: testBrokers(), clientId: 'policies-api-test', prefix: freshName('polapi'), partitions: 1, replicationFactor: 1, log: testLog });
  cleanups.push(() => bus.disconnect());
  await bus.ensureTopics();
  store = new PolicyStore({ bus, log: testLog });
  await store.start();
  cleanups.push(() => store.stop());
  auth = await testAuth({ bus });
  cleanups.push(() => auth.stop());
  id = (who) => auth.keys.authenticate(auth.key(who))!.id;
  proposals = new PolicyProposals({ bus, log: testLog });
  await proposals.start();
  cleanups.push(() => proposals.stop());
  app = await buildApp({
    clickhouse, log: testLog, maxPageSize: 50, policyStore: store, policyProposals: proposals, security: auth.security, bus, builtinPolicyIds: [BUILTIN],
  });
  bare = await buildApp({ clickhouse, log: testLog, maxPageSize: 50, security: auth.security });
  cleanups.push(() => app.close(), () => bare.close());
});

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

interface Stored {
  id: string; version: number; document: Record<string, unknown> | null; text: string | null; deleted: boolean; by: string | null;
  rolled_back_from: number | null; approved_by?: string | null;
}
interface Problem { path: string; line: number | null; message: string }
interface Invalid { statusCode: number; code: string; message: string; problems: Problem[] }

/** A request as a policy author (or `who`); text goes as application/yaml. */
async function call<T>(
  method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, payload?: object | string, on: FastifyInstance = app, who: TestKeyName = 'policy-author',
): Promise<{ status: number; body: T }> {
  const res = await on.inject({
    method, url,
    ...(payload === undefined ? { headers: auth.headers(who) }
      : typeof payload === 'string' ? { payload, headers: { ...auth.headers(who), 'content-type': 'application/yaml' } } : { payload, headers: auth.headers(who) }),
  });
  return { status: res.statusCode, body: res.json() as T };
}

describe('POST /v1/policies/validate', () => {
  test('accepts a valid policy as YAML text or as a JSON document', async () => {
    const text = await call<{ valid: boolean; policies: string[]; problems: Problem[] }>('POST', '/v1/policies/validate', POLICY_YAML);
    assert.deepEqual(text.body, { valid: true, policies: ['team-failed-logins'], problems: [] });
    const doc = compilePolicy({ id: 'x', name: 'x', kind: 'activity', severity: 'low', detection: { s: { action: 'login' }, condition: 's' } }).document;
    assert.deepEqual((await call('POST', '/v1/policies/validate', doc)).body, { valid: true, policies: ['x'], problems: [] });
  });

  test('lists every problem of YAML text with its line and field', async () => {
    const res = await call<{ valid: boolean; problems: Problem[] }>('POST', '/v1/policies/validate', BAD_YAML);
    assert.equal(res.status, 200);
    assert.equal(res.body.valid, false);
    const found = res.body.problems.map((p) => [p.line, p.path]);
    assert.ok(found.some(([line, path]) => line === 8 && String(path).startsWith('detection.failed.outcom')), JSON.stringify(res.body.problems));
    assert.ok(found.some(([line, path]) => line === 10 && path === 'threshold.group_by'), JSON.stringify(res.body.problems));
  });

  test('a JSON document has no lines; a list names the policy of each problem; no body is refused', async () => {
    const res = await call<{ valid: boolean; policies: string[]; problems: Array<Problem & { policy?: string }> }>('POST', '/v1/policies/validate', [
      { id: 'ok-one', name: 'ok', kind: 'activity', severity: 'low', detection: { s: { action: 'login' }, condition: 's' } },
      { id: 'bad-one', name: 'bad', kind: 'activity', severity: 'urgent', detection: { s: { action: 'login' }, condition: 's' } },
    ] as unknown as object);
    assert.equal(res.body.valid, false);
    assert.deepEqual(res.body.policies, ['ok-one']);
    assert.deepEqual(res.body.problems.map((p) => [p.policy, p.path, p.line]), [['bad-one', '[1].severity', null]]);
    const none = await app.inject({ method: 'POST', url: '/v1/policies/validate', headers: auth.headers('policy-author') });
    assert.equal(none.statusCode, 415, 'no body, no JSON content-type');
    const empty = await app.inject({ method: 'POST', url: '/v1/policies/validate', headers: { ...auth.headers('policy-author'), 'content-type': 'application/json' } });
    assert.equal(empty.statusCode, 400);
  });
});

describe('deploying policies through the store', () => {
  test('PUT deploys YAML text, keeps its comments, and GET answers it', async () => {
    const res = await call<Stored>('PUT', '/v1/policies/team-failed-logins', POLICY_YAML);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.version, 1);
    assert.equal(res.body.text, POLICY_YAML);
    assert.equal(res.body.by, id('policy-author'), 'who deployed it comes from the key');
    const got = await call<Stored>('GET', '/v1/policies/team-failed-logins');
    assert.equal(got.body.version, 1);
    assert.equal((got.body.document as { threshold: { count: number } }).threshold.count, 5);
    assert.deepEqual((await call<{ items: Stored[] }>('GET', '/v1/policies')).body.items.map((p) => [p.id, p.version]), [['team-failed-logins', 1]]);
  });

  test('an invalid version is refused with 422, line and field, and the running version stays', async () => {
    const res = await call<Invalid>('PUT', '/v1/policies/team-failed-logins', BAD_YAML);
    assert.equal(res.status, 422);
    assert.equal(res.body.code, 'AW_POLICY_INVALID');
    assert.match(res.body.message, /policy:10: threshold\.group_by/);
    assert.ok(res.body.problems.some((p) => p.line === 10 && p.path === 'threshold.group_by'));
    assert.equal((await call<Stored>('GET', '/v1/policies/team-failed-logins')).body.version, 1);
    assert.deepEqual((await call<{ items: Stored[] }>('GET', '/v1/policies/team-failed-logins/versions')).body.items.map((v) => v.version), [1]);
    assert.equal(store.compiled().find((p) => p.id === 'team-failed-logins')?.version, 1, 'what the processors run');
  });

  test('a JSON document takes the id of the URL; a different id is refused', async () => {
    const doc = { ...(await call<Stored>('GET', '/v1/policies/team-failed-logins')).body.document, severity: 'high' } as Record<string, unknown>;
    delete doc.id;
    const res = await call<Stored>('PUT', '/v1/policies/team-failed-logins', doc);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.version, 2);
    assert.equal(res.body.text, null);
    const other = await call<Invalid>('PUT', '/v1/policies/another-id', POLICY_YAML);
    assert.equal(other.status, 422);
    assert.deepEqual(other.body.problems.map((p) => [p.path, p.line]), [['id', 2]]);
    assert.equal((await call('GET', '/v1/policies/another-id')).status, 404);
  });

  test('another process following the store sees every deploy without a restart', async () => {
    const other = new PolicyStore({ bus, log: testLog });
    await other.start();
    try {
      assert.equal(other.get('team-failed-logins')?.version, 2);
      await call('PUT', '/v1/policies/team-failed-logins', POLICY_YAML.replace('count: 5', 'count: 6'));
      await waitFor(() => other.get('team-failed-logins')?.version === 3, { what: 'version 3 in the other process' });
      assert.equal(other.compiled().find((p) => p.id === 'team-failed-logins')?.policy.threshold?.count, 6);
    } finally {
      await other.stop();
    }
  });

  test('rollback makes an earlier version current as a new version; versions keeps them all', async () => {
    const res = await call<Stored>('POST', '/v1/policies/team-failed-logins/rollback', { version: 1 });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.version, 4);
    assert.equal(res.body.rolled_back_from, 1);
    assert.equal(res.body.text, POLICY_YAML);
    const versions = await call<{ items: Stored[] }>('GET', '/v1/policies/team-failed-logins/versions');
    assert.deepEqual(versions.body.items.map((v) => [v.version, v.rolled_back_from]), [[1, null], [2, null], [3, null], [4, 1]]);
    const missing = await call<Invalid>('POST', '/v1/policies/team-failed-logins/rollback', { version: 99 });
    assert.equal(missing.status, 404);
  });

  test('DELETE stops a policy; its versions stay and a rollback brings it back', async () => {
    const res = await call<Stored>('DELETE', '/v1/policies/team-failed-logins');
    assert.equal(res.status, 200);
    assert.equal(res.body.deleted, true);
    assert.equal((await call('GET', '/v1/policies/team-failed-logins')).status, 404);
    assert.deepEqual((await call<{ items: Stored[] }>('GET', '/v1/policies')).body.items, []);
    assert.equal(store.compiled().some((p) => p.id === 'team-failed-logins'), false);
    assert.equal((await call('DELETE', '/v1/policies/team-failed-logins')).status, 404, 'already deleted');
    const back = await call<Stored>('POST', '/v1/policies/team-failed-logins/rollback', { version: 3 });
    assert.equal(back.body.version, 6);
    assert.equal((await call<Stored>('GET', '/v1/policies/team-failed-logins')).body.version, 6);
  });

  test('without a policy store those routes answer 503; validate still works', async () => {
    for (const [method, url] of [['GET', '/v1/policies'], ['GET', '/v1/policies/x'], ['DELETE', '/v1/policies/x']] as const) {
      const res = await call<Invalid>(method, url, undefined, bare);
      assert.equal(res.status, 503, url);
      assert.equal(res.body.code, 'AW_NOT_READY');
    }
    assert.equal((await call<Invalid>('PUT', '/v1/policies/team-failed-logins', POLICY_YAML, bare)).status, 503);
    assert.equal((await call<{ valid: boolean }>('POST', '/v1/policies/validate', POLICY_YAML, bare)).body.valid, true);
  });
});

interface Backtest {
  policy_id: string; from: string; read_from: string; records_scanned: number; matches_total: number; alerts_total: number;
  alerts: Array<{ alert_id: string; count: number; title: string; first_seen: string; last_seen: string }>;
  per_day: Array<{ day: string; matches: number; alerts: number }>;
  samples: Array<Record<string, unknown>>;
  commands_that_would_be_requested: unknown[];
}

describe('POST /v1/policies/backtest', () => {
  test('answers what the policy would have fired over the stored range, as a live run over the same events', async () => {
    const res = await call<Backtest>('POST', '/v1/policies/backtest', {
      policy: POLICY_YAML, from: new Date(D).toISOString(), to: new Date(D + 2 * 86_400_000).toISOString(), limit_samples: 1,
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const evaluator = new Evaluator([parsePolicyText(POLICY_YAML, 'policy').policies[0]!.compiled]);
    const live = new Map<string, { count: number; last_seen: number }>();
    for (const e of EVENTS) for (const a of evaluator.process(e).alerts) live.set(a.alert.alert_id, a.alert);
    assert.deepEqual(res.body.alerts.map((a) => [a.alert_id, a.count, a.last_seen]), [...live].map(([id, a]) => [id, a.count, new Date(a.last_seen).toISOString()]));
    assert.equal(res.body.alerts[0]!.title, 'ana@example.com: 7 failed logins');
    assert.equal(res.body.records_scanned, 17);
    assert.equal(res.body.matches_total, 6);
    assert.deepEqual(res.body.per_day, [{ day: '2026-04-02', matches: 3, alerts: 1 }, { day: '2026-04-03', matches: 3, alerts: 1 }]);
    assert.equal(res.body.samples.length, 1);
    assert.equal(res.body.samples[0]!.occurred_at, new Date(D + 9 * HOUR + 4 * 30_000).toISOString(), 'the 5th failure fired first');
    assert.equal(res.body.samples[0]!.raw, undefined);
    assert.deepEqual(res.body.commands_that_would_be_requested, []);
  });

  test('takes a JSON document too, and publishes nothing to the alert topic', async () => {
    const doc = compilePolicy({
      id: 'any-failed-login', name: 'Any failed login', kind: 'activity', severity: 'low',
      detection: { f: { outcome: 'failure' }, condition: 'f' }, alert: { dedup: { key: ['actor.email'], period: '1d' } },
    }).document;
    const res = await call<Backtest>('POST', '/v1/policies/backtest', { policy: doc, from: new Date(D).toISOString(), to: new Date(D + 86_400_000).toISOString() });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.alerts_total, 2);
    assert.deepEqual(res.body.alerts.map((a) => a.count).sort(), [3, 7]);
    const lag = await bus.fetchLag(freshName('nobody'), [bus.topics.alert]);
    assert.equal(lag.reduce((n, p) => n + p.highWatermark, 0), 0);
  });

  test('refuses an invalid policy with 422 and its problems, and a bad range with 400', async () => {
    const from = new Date(D).toISOString();
    const to = new Date(D + HOUR).toISOString();
    const bad = await call<Invalid>('POST', '/v1/policies/backtest', { policy: BAD_YAML, from, to });
    assert.equal(bad.status, 422);
    assert.ok(bad.body.problems.some((p) => p.line === 10 && p.path === 'threshold.group_by'));
    const two = await call<Invalid>('POST', '/v1/policies/backtest', { policy: `- ${POLICY_YAML.replace(/\n(?=.)/g, '\n  ')}- ${POLICY_YAML.replace('team-failed-logins', 'copy').replace(/\n(?=.)/g, '\n  ')}`, from, to });
    assert.equal(two.status, 422);
    assert.match(two.body.problems[0]!.message, /one policy; this text holds 2/);
    const backwards = await call<Invalid>('POST', '/v1/policies/backtest', { policy: POLICY_YAML, from: to, to: from });
    assert.equal(backwards.status, 400);
    assert.match(backwards.body.message, /body\.from must be before body\.to/);
    const noRange = await call<Invalid>('POST', '/v1/policies/backtest', { policy: POLICY_YAML });
    assert.equal(noRange.status, 400);
    assert.match(noRange.body.message, /body\.from/);
  });
});

// A policy that suspends the user: enforce mode acts on the organisation's accounts.
const ENFORCE_YAML = POLICY_YAML.replace('id: team-failed-logins', 'id: team-lockout').replace('kind: activity', 'kind: activity\nmode: enforce\nproviders: [okta]')
  + 'actions:\n  - action: suspend_user\n';
const BUILTIN = 'builtin-failed-logins';

describe('separation of duties on policies', () => {
  test('a policy author proposes an enforce-mode policy: stored as proposed, not run, until an admin approves it', async () => {
    const proposed = await call<{ proposal: { id: string; proposed_by: string }; message: string }>('PUT', '/v1/policies/team-lockout', ENFORCE_YAML);
    assert.equal(proposed.status, 202, JSON.stringify(proposed.body));
    assert.equal(proposed.body.proposal.proposed_by, id('policy-author'));
    assert.match(proposed.body.message, /needs an admin's approval/);
    assert.equal((await call('GET', '/v1/policies/team-lockout')).status, 404, 'not deployed');
    assert.equal(store.compiled().some((p) => p.id === 'team-lockout'), false, 'not run');
    assert.equal((await call<{ id: string }>('GET', '/v1/policies/team-lockout/proposal')).body.id, 'team-lockout');

    for (const who of ['policy-author', 'responder'] as const) {
      assert.equal((await call('POST', '/v1/policies/team-lockout/approve', {}, app, who)).status, 403, who);
    }
    const approved = await call<Stored>('POST', '/v1/policies/team-lockout/approve', {}, app, 'admin');
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.equal(approved.body.by, id('policy-author'));
    assert.equal(approved.body.approved_by, id('admin'));
    assert.equal(store.compiled().find((p) => p.id === 'team-lockout')?.policy.mode, 'enforce');
    assert.equal((await call('GET', '/v1/policies/team-lockout/proposal')).status, 404, 'the proposal is used up');
  });

  test('an admin deploys enforce mode directly; a rollback to an enforce version by a policy author is a proposal again', async () => {
    const alertOnly = await call<Stored>('PUT', '/v1/policies/team-lockout', ENFORCE_YAML.replace('mode: enforce', 'mode: alert').replace(/actions:[\s\S]*$/, ''));
    assert.equal(alertOnly.status, 200, JSON.stringify(alertOnly.body));
    const back = await call<{ proposal: { id: string } }>('POST', '/v1/policies/team-lockout/rollback', { version: 1 });
    assert.equal(back.status, 202);
    assert.equal(store.get('team-lockout')?.document?.mode, 'alert');
    const direct = await call<Stored>('PUT', '/v1/policies/team-lockout', ENFORCE_YAML, app, 'admin');
    assert.equal(direct.status, 200);
    assert.equal(direct.body.by, id('admin'));
    assert.equal(store.get('team-lockout')?.document?.mode, 'enforce');
  });

  test('changing, disabling or deleting a built-in policy needs an admin', async () => {
    const builtin = POLICY_YAML.replace('id: team-failed-logins', `id: ${BUILTIN}`);
    const refused = [
      await call<Invalid>('PUT', `/v1/policies/${BUILTIN}`, builtin.replace('severity: medium', 'severity: medium\nenabled: false')),
      await call<Invalid>('DELETE', `/v1/policies/${BUILTIN}`),
    ];
    for (const res of refused) {
      assert.equal(res.status, 403);
      assert.equal(res.body.code, 'AW_FORBIDDEN');
      assert.match(res.body.message, /built-in policy: only an admin/);
    }
    assert.equal(store.get(BUILTIN), null);
    assert.equal((await call<Stored>('PUT', `/v1/policies/${BUILTIN}`, builtin, app, 'admin')).status, 200);
    const deleted = await call<Stored>('DELETE', `/v1/policies/${BUILTIN}`, undefined, app, 'admin');
    assert.equal(deleted.status, 200);
    assert.equal(deleted.body.deleted, true);
  });
});
