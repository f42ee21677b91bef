import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { openClickHouse, type ClickHouse } from '../../core/clickhouse.js';
import { eventId, recordId } from '../../schemas/event-id.js';
import type { AccountEvent, Alert, AuditEvent, FileEvent, GovernanceCommand } from '../../schemas/types.js';
import { accountEventToRow, auditEventToRow, ensureTables, fileEventToRow, TABLES } from '../sink/tables.js';
import { freshName } from '../../test/support/fresh.js';
import { testDataDir, testLog } from '../../test/support/stack.js';
import { backtestPolicy, type BacktestResult } from './backtest.js';
import { compilePolicy, type CompiledPolicy } from './compile.js';
import { Evaluator } from './evaluator.js';
import { loadPolicyFiles } from './loader.js';
import type { ActorAccount, Enricher } from './record-context.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** The stored day the backtests look at; the two days before it are history. */
const D = Date.parse('2026-03-10T00:00:00Z');

const USERS = Array.from({ length: 14 }, (_, i) => ({ id: `00u${i}x7`, email: `user${i}@example.com` }));
const HOME = ['Spain', 'France', 'Germany'];
let seq = 0;

function event(user: { id: string; email: string }, at: number, e: { outcome: AuditEvent['outcome']; ip: string; country: string; action?: AuditEvent['action']; category?: AuditEvent['category'] }): AuditEvent {
  const uuid = `evt-${String(++seq).padStart(6, '0')}`;
  return {
    event_id: eventId('okta', 'main', uuid), provider: 'okta', instance: 'main', occurred_at: at, ingested_at: at + 2000,
    category: e.category ?? 'logon', action: e.action ?? 'login', action_raw: e.action === 'file_download' ? 'document.download' : 'user.session.start',
    outcome: e.outcome, outcome_reason: e.outcome === 'failure' ? 'INVALID_CREDENTIALS' : null, severity: 'info',
    actor: { id: user.id, email: user.email, name: null, type: 'user' }, targets: [],
    source: { ip: e.ip, user_agent: 'Mozilla/5.0', country: e.country, city: null },
    session_id: null, request_id: null, class_uid: 3002, activity_id: 1, attributes: {}, raw: JSON.stringify({ uuid }),
  };
}

const burst = (user: (typeof USERS)[number], n: number, start: number, every: number, ip = '203.0.113.7') =>
  Array.from({ length: n }, (_, i) => event(user, start + i * every, { outcome: 'failure', ip, country: 'Spain' }));

/** Three days of sign-ins; on the stored day D, what the built-in detections look for. */
function history(): AuditEvent[] {
  const events: AuditEvent[] = [];
  for (let day = D - 2 * DAY; day < D + DAY; day += DAY) {
    USERS.forEach((u, i) => {
      for (const hour of [8, 13, 17]) events.push(event(u, day + hour * HOUR + i * MIN, { outcome: 'success', ip: `192.0.2.${i}`, country: HOME[i % 3]! }));
    });
  }
  // A threshold window across midnight: 6 failures before D, 6 after.
  events.push(...burst(USERS[2]!, 12, D - 3 * MIN, 30_000));
  // Twelve failures, then a success from a country new for the user.
  events.push(...burst(USERS[1]!, 12, D + 9 * HOUR, 30_000));
  events.push(event(USERS[1]!, D + 9 * HOUR + 7 * MIN, { outcome: 'success', ip: '198.51.100.80', country: 'Brazil' }));
  // 25 failures over 15 minutes across an hour boundary (two dedup periods).
  events.push(...burst(USERS[3]!, 25, D + 14 * HOUR - 6 * MIN, 36_000));
  // A password spray: one address, twelve users, one failure each.
  USERS.slice(0, 12).forEach((u, i) => events.push(event(u, D + 20 * HOUR + i * 20_000, { outcome: 'failure', ip: '198.51.100.9', country: 'Romania' })));
  // A suspended user keeps downloading.
  for (let i = 0; i < 3; i++) events.push(event(USERS[13]!, D + 11 * HOUR + i * 25 * MIN, { outcome: 'success', ip: '192.0.2.13', country: 'Spain', action: 'file_download', category: 'file' }));
  // The day after D: must not be counted.
  events.push(...burst(USERS[4]!, 12, D + DAY + HOUR, 30_000));
  return events.sort((a, b) => a.occurred_at - b.occurred_at);
}

const EVENTS = history();
const SUSPENDED: AccountEvent = {
  record_id: recordId('okta', 'main', 'user', USERS[13]!.id), provider: 'okta', instance: 'main', observed_at: D - DAY, kind: 'user',
  subject: { type: 'user', id: USERS[13]!.id, email: USERS[13]!.email, name: null }, status: 'suspended', status_raw: 'SUSPENDED',
  created_at: null, last_login_at: null, group: null, privilege: null, app: null, deleted: false, attributes: {}, raw: '{}',
};
/** What the live policy processor knows from the account topic. */
const LIVE_ENRICHER: Enricher = {
  actorAccount: (e): ActorAccount | null => (e.actor.id === SUSPENDED.subject.id ? { status: 'suspended', groups: [], deleted: false } : null),
};

let clickhouse: ClickHouse;
const builtins = new Map<string, CompiledPolicy>();

before(async () => {
  clickhouse = await openClickHouse({ dataDir: testDataDir(), database: freshName('backtest'), log: testLog });
  await ensureTables(clickhouse);
  // Stored out of order, in several inserts, and one part twice (a replayed batch): the backtest reads time order.
  const rows = EVENTS.map(auditEventToRow);
  const shuffled = rows.map((r, i) => ({ r, k: (i * 7919) % rows.length })).sort((a, b) => a.k - b.k).map((x) => x.r);
  for (let i = 0; i < shuffled.length; i += 50) await clickhouse.insert(TABLES.activities, shuffled.slice(i, i + 50));
  await clickhouse.insert(TABLES.activities, rows.slice(0, 40));
  await clickhouse.insert(TABLES.accounts, [accountEventToRow(SUSPENDED)]);

  const policiesDir = fileURLToPath(new URL('../../policies/', import.meta.url));
  const load = await loadPolicyFiles(['repeated-failed-logins', 'login-from-new-country', 'password-spray', 'suspended-account-activity'].map((n) => `${policiesDir}${n}.yaml`));
  assert.deepEqual(load.problems, []);
  for (const p of load.policies) builtins.set(p.compiled.id, p.compiled);
});

after(async () => {
  await clickhouse?.close();
});

interface LiveRun { alerts: Map<string, Alert>; newAlerts: number; matches: number; commands: GovernanceCommand[] }

/**
 * The live run: events published keyed by user, so each partition's evaluator sees one user's
 * events in order; policies grouped by another field run in one consumer (`partitions: 1`).
 * What records of the day [from, to) caused is the day's result.
 */
function live(policy: CompiledPolicy, partitions: number, from: number, to: number): LiveRun {
  const evaluators = Array.from({ length: partitions }, () => new Evaluator([policy], { enricher: LIVE_ENRICHER }));
  const out: LiveRun = { alerts: new Map(), newAlerts: 0, matches: 0, commands: [] };
  for (const e of EVENTS) {
    const partition = Number.parseInt(e.actor.id!.slice(3, -2), 10) % partitions;
    const result = evaluators[partition]!.process(e);
    if (e.occurred_at < from || e.occurred_at >= to) continue;
    out.matches += result.matches.length;
    for (const a of result.alerts) {
      out.alerts.set(a.alert.alert_id, a.alert); // the alert topic is an upsert by alert_id
      if (a.isNew) out.newAlerts++;
    }
    out.commands.push(...result.commands);
  }
  return out;
}

function assertSameAsLive(result: BacktestResult, expected: LiveRun): void {
  assert.deepEqual(result.alerts.map((a) => a.alert_id).sort(), [...expected.alerts.keys()].sort(), 'alert ids');
  for (const alert of result.alerts) assert.deepEqual(alert, expected.alerts.get(alert.alert_id), `alert ${alert.title}`);
  assert.equal(result.matches_total, expected.matches, 'matches');
  assert.equal(result.alerts_total, expected.newAlerts, 'new alerts');
  assert.deepEqual(result.commands_that_would_be_requested.map((c) => c.command_id), expected.commands.map((c) => c.command_id), 'commands');
}

describe('backtest over a stored day', () => {
  test('gives the alerts, matches and counts the live run gave, for each built-in policy', async () => {
    const cases: Array<[string, number, number]> = [
      // policy, live partitions, alerts expected on D
      ['repeated-failed-logins', 3, 4],
      ['login-from-new-country', 3, 1],
      ['password-spray', 1, 1],
      // Its downloads and its usual sign-ins, in four dedup periods.
      ['suspended-account-activity', 3, 4],
    ];
    for (const [id, partitions, alerts] of cases) {
      const policy = builtins.get(id)!;
      const expected = live(policy, partitions, D, D + DAY);
      assert.equal(expected.alerts.size, alerts, `${id}: the fixture raises ${alerts} alert(s) live`);
      const result = await backtestPolicy(clickhouse, policy, { from: D, to: D + DAY });
      assertSameAsLive(result, expected);
      assert.equal(result.records_scanned, EVENTS.filter((e) => e.occurred_at >= D && e.occurred_at < D + DAY).length);
    }
  });

  test('the window that spans midnight fires on D because the backtest warms up from before it', async () => {
    const policy = builtins.get('repeated-failed-logins')!;
    const result = await backtestPolicy(clickhouse, policy, { from: D, to: D + DAY });
    const midnight = result.alerts.find((a) => a.actor?.email === USERS[2]!.email);
    assert.ok(midnight, 'the failures across midnight raise an alert');
    assert.equal(midnight.count, 12, 'the ten failures of the window that fired, then the 11th and 12th');
    assert.equal(midnight.first_seen, D - 3 * MIN);
    // Without the warm-up the six failures before midnight are unknown: no alert for that user.
    const cold = await backtestPolicy(clickhouse, policy, { from: D, to: D + DAY, warmup: false });
    assert.equal(cold.alerts.some((a) => a.actor?.email === USERS[2]!.email), false);
    assert.ok(cold.read_from === D && result.read_from < D);
  });

  test('small pages and slices give the same answer as one big page', async () => {
    for (const id of ['repeated-failed-logins', 'password-spray']) {
      const policy = builtins.get(id)!;
      const big = await backtestPolicy(clickhouse, policy, { from: D - 2 * DAY, to: D + 2 * DAY, pageSize: 100_000 });
      const small = await backtestPolicy(clickhouse, policy, { from: D - 2 * DAY, to: D + 2 * DAY, pageSize: 7 });
      assert.deepEqual(small, big);
      assertSameAsLive(big, live(policy, id === 'password-spray' ? 1 : 3, D - 2 * DAY, D + 2 * DAY));
    }
  });

  test('counts per day, samples and the detection matches before the threshold', async () => {
    const policy = builtins.get('repeated-failed-logins')!;
    const result = await backtestPolicy(clickhouse, policy, { from: D - DAY, to: D + 2 * DAY, samples: 2 });
    assert.deepEqual(result.per_day, [
      // Nothing on D-1: its six failures before midnight are not ten. On D: 3 (across midnight), 3,
      // and 16 (the 10th to 25th failure, in two dedup periods).
      { day: '2026-03-10', matches: 3 + 3 + 16, alerts: 4 },
      { day: '2026-03-11', matches: 3, alerts: 1 },
    ]);
    assert.equal(result.matches_total, 25);
    assert.equal(result.alerts_total, 5);
    // Every failure matches the detection: 12 + 12 + 25 + 12 (spray) + 12 (day after).
    assert.equal(result.records_matched, 73);
    assert.equal(result.samples.length, 2);
    assert.equal((result.samples[0] as AuditEvent).actor.email, USERS[2]!.email);
    assert.equal((result.samples[0] as AuditEvent).outcome, 'failure');
  });

  test('in enforce mode lists the commands new alerts would request, and sends nothing', async () => {
    const enforce = compilePolicy({
      ...builtins.get('repeated-failed-logins')!.document,
      mode: 'enforce',
      actions: [{ action: 'suspend_user', target: 'actor', requires_approval: true }],
    });
    const expected = live(enforce, 3, D, D + DAY);
    const result = await backtestPolicy(clickhouse, enforce, { from: D, to: D + DAY });
    assertSameAsLive(result, expected);
    assert.equal(result.commands_total, 4);
    assert.deepEqual(result.commands_that_would_be_requested.map((c) => [c.action, c.target.id, c.requires_approval, c.mode]).sort(), [
      ['suspend_user', USERS[1]!.id, true, 'enforce'], ['suspend_user', USERS[2]!.id, true, 'enforce'],
      ['suspend_user', USERS[3]!.id, true, 'enforce'], ['suspend_user', USERS[3]!.id, true, 'enforce'],
    ]);
  });

  test('a disabled policy is backtested as if enabled; a policy of other providers finds nothing', async () => {
    const disabled = compilePolicy({ ...builtins.get('password-spray')!.document, enabled: false });
    assert.equal((await backtestPolicy(clickhouse, disabled, { from: D, to: D + DAY })).alerts_total, 1);
    const box = compilePolicy({ ...builtins.get('password-spray')!.document, providers: ['box'] });
    const none = await backtestPolicy(clickhouse, box, { from: D, to: D + DAY });
    assert.equal(none.records_scanned, 0);
    assert.equal(none.alerts_total, 0);
  });
});

function file(id: string, at: number, access: FileEvent['file']['access_level'], collaborators: FileEvent['file']['collaborators'] = []): FileEvent {
  return {
    record_id: recordId('box', 'corp', 'file', id), provider: 'box', instance: 'corp', observed_at: at, change: 'seen',
    file: {
      id, name: `${id}.xlsx`, path: '/Finance', mime_type: null, size: 1024, owner: { id: 'b-1', email: 'ana@example.com', name: 'Ana' },
      created_at: at - DAY, modified_at: at - HOUR, access_level: access, collaborators, label: null, url: null,
    },
    attributes: {}, raw: '{}',
  };
}

function grant(user: (typeof USERS)[number], app: { id: string; name: string; scopes: string[] }, at: number): AccountEvent {
  return {
    record_id: recordId('okta', 'main', 'app_grant', user.id, app.id), provider: 'okta', instance: 'main', observed_at: at, kind: 'app_grant',
    subject: { type: 'user', id: user.id, email: user.email, name: null }, status: null, status_raw: null, created_at: null, last_login_at: null,
    group: null, privilege: null, app, deleted: false, attributes: {}, raw: '{}',
  };
}

describe('backtest of file and app permission policies over the stored state', () => {
  test('a file policy runs over the file states observed in the range', async () => {
    const files = [
      file('budget', D + HOUR, 'public'),
      file('roadmap', D + 2 * HOUR, 'internal'),
      file('payroll', D + 3 * HOUR, 'external', [{ type: 'user', id: null, email: 'someone@gmail.com', role: 'viewer' }]),
      file('old-public', D - 3 * DAY, 'public'),
    ];
    await clickhouse.insert(TABLES.files, files.map(fileEventToRow));
    const policies = await loadPolicyFiles([fileURLToPath(new URL('../../policies/file-public-or-personal-domain.yaml', import.meta.url))]);
    const policy = policies.policies[0]!.compiled;
    const result = await backtestPolicy(clickhouse, policy, { from: D, to: D + DAY });
    const evaluator = new Evaluator([policy]);
    const expected = files.filter((f) => f.observed_at >= D).flatMap((f) => evaluator.process(f).alerts.map((a) => a.alert));
    assert.equal(result.records_scanned, 3);
    assert.deepEqual(result.alerts, expected);
    assert.deepEqual(result.alerts.map((a) => a.attributes.policy_kind), ['file', 'file']);
  });

  test('an app permission policy counts the users who granted the app from the stored grants', async () => {
    const mail = { id: '0oaMailSync', name: 'MailSync', scopes: ['openid', 'Mail.ReadWrite'] };
    const calendar = { id: '0oaCalendar', name: 'Calendar', scopes: ['Mail.ReadWrite'] };
    await clickhouse.insert(TABLES.accounts, [
      grant(USERS[0]!, mail, D + HOUR), grant(USERS[1]!, mail, D + 2 * HOUR), grant(USERS[2]!, mail, D + 3 * HOUR), grant(USERS[3]!, calendar, D + 4 * HOUR),
    ].map(accountEventToRow));
    const policy = compilePolicy({
      id: 'widely-granted-mail-app', name: 'Mail app granted by many users', kind: 'app_permission', severity: 'high',
      detection: { mail: { 'app.scopes': 'Mail.ReadWrite', 'grant.user_count|gte': 3 }, condition: 'mail' },
      alert: { title: '{{app.name}} granted by {{grant.user_count}} users', dedup: { key: ['app.id'], period: '1d' } },
    });
    const result = await backtestPolicy(clickhouse, policy, { from: D, to: D + DAY });
    assert.equal(result.records_scanned, 4);
    assert.equal(result.records_matched, 3);
    assert.deepEqual(result.alerts.map((a) => [a.title, a.count]), [['MailSync granted by 3 users', 3]]);
  });
});
