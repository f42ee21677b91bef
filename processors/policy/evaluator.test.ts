import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { stableId } from '../../schemas/event-id.js';
import { schemaRegistry } from '../../schemas/registry.js';
import type { AuditEvent, FileEvent } from '../../schemas/types.js';
import type { ProviderCapabilities } from './capabilities.js';
import { compilePolicy, type CompiledPolicy } from './compile.js';
import { Evaluator } from './evaluator.js';
import type { EvaluationResult } from './evaluation.js';
import { tableLocator } from './geo.js';
import { MemoryPolicyState } from './state.js';

const CAPABILITIES: ProviderCapabilities = new Map([['okta', new Set(['action:suspend_user', 'action:revoke_sessions'])]]);
const T0 = Date.parse('2024-03-01T10:00:00Z');
const MIN = 60_000;

function failedLogin(n: number, at: number, email = 'ana@example.com', ip = '203.0.113.7'): AuditEvent {
  return {
    event_id: `e-${email}-${n}`, provider: 'okta', instance: 'default', occurred_at: at, ingested_at: at, category: 'logon', action: 'login',
    action_raw: 'user.session.start', outcome: 'failure', outcome_reason: 'INVALID_CREDENTIALS', severity: 'warn',
    actor: { id: `id-${email}`, email, name: null, type: 'user' }, targets: [], source: { ip, user_agent: null, country: 'Spain', city: null },
    session_id: null, request_id: null, class_uid: 3002, activity_id: 1, attributes: {}, raw: '{}',
  };
}

function policy(overrides: Record<string, unknown> = {}, version = 1): CompiledPolicy {
  return compilePolicy({
    id: 'failed-logins',
    name: 'Failed logins',
    kind: 'activity',
    severity: 'medium',
    providers: ['okta'],
    detection: { failed: { action: 'login', outcome: 'failure' }, condition: 'failed' },
    threshold: { count: 10, within: '10m', group_by: ['actor.email'] },
    alert: { title: '{{actor.email}}: {{count}} failed logins', dedup: { key: ['actor.email'], period: '1h' } },
    ...overrides,
  }, { capabilities: CAPABILITIES, version });
}

/** Feeds records and collects everything that came out. */
function run(evaluator: Evaluator, records: AuditEvent[]): EvaluationResult {
  const all: EvaluationResult = { matches: [], alerts: [], commands: [], notices: [] };
  for (const r of records) {
    const out = evaluator.process(r);
    all.matches.push(...out.matches);
    all.alerts.push(...out.alerts);
    all.commands.push(...out.commands);
    all.notices.push(...out.notices);
  }
  return all;
}

const burst = (from: number, n: number, start: number, every = 30_000, email?: string) =>
  Array.from({ length: n }, (_, i) => failedLogin(from + i, start + i * every, email));

describe('thresholds and alert deduplication', () => {
  test('a threshold fires once per dedup period: later matches update the same alert', () => {
    const evaluator = new Evaluator([policy()]);
    const first = run(evaluator, burst(1, 9, T0));
    assert.deepEqual(first.alerts, [], 'nine failures: nothing');

    const tenth = evaluator.process(failedLogin(10, T0 + 9 * 30_000));
    assert.equal(tenth.alerts.length, 1);
    const alert = tenth.alerts[0]!;
    assert.equal(alert.isNew, true);
    assert.equal(alert.alert.title, 'ana@example.com: 10 failed logins');
    assert.equal(alert.alert.count, 10);
    assert.equal(alert.alert.alert_id, stableId('alert', 'failed-logins', 'ana@example.com', String(Math.floor((T0 + 9 * 30_000) / 3_600_000))));
    assert.equal(alert.alert.created_at, T0 + 9 * 30_000, 'times come from the events, not the clock');
    assert.equal(alert.alert.first_seen, T0);
    assert.deepEqual(alert.alert.event_ids, burst(1, 10, T0).map((e) => e.event_id));
    assert.equal(alert.alert.dedup_key, 'actor.email=ana@example.com');

    const more = run(evaluator, burst(11, 5, T0 + 10 * 30_000));
    assert.deepEqual(more.alerts.map((a) => [a.isNew, a.alert.alert_id, a.alert.count]), [11, 12, 13, 14, 15].map((c) => [false, alert.alert.alert_id, c]));

    // The next hour is another dedup period: a new burst is a new alert.
    const nextHour = run(evaluator, burst(100, 10, T0 + 70 * MIN));
    assert.deepEqual(nextHour.alerts.filter((a) => a.isNew).length, 1);
    assert.notEqual(nextHour.alerts[0]!.alert.alert_id, alert.alert.alert_id);
  });

  test('replaying events already counted changes nothing (windows and alerts keep event ids)', () => {
    const evaluator = new Evaluator([policy()]);
    const events = burst(1, 15, T0);
    const live = run(evaluator, events);
    const replay = run(evaluator, events);
    assert.deepEqual(replay, { matches: [], alerts: [], commands: [], notices: [] });
    const after = run(evaluator, [failedLogin(16, T0 + 15 * 30_000)]);
    assert.equal(after.alerts[0]!.alert.count, 16, 'the count went on from 15, not 30');
    assert.equal(after.alerts[0]!.alert.alert_id, live.alerts[0]!.alert.alert_id);
  });

  test('a restart restores the state and resumes from an earlier offset: the same single alert as a run without restart', () => {
    const events = burst(1, 14, T0);
    const continuous = run(new Evaluator([policy()]), events);

    const first = new Evaluator([policy()]);
    run(first, events.slice(0, 7)); // 7 failures: no alert yet
    const snapshot = JSON.parse(JSON.stringify((first.state as MemoryPolicyState).toJSON()));
    const restarted = new Evaluator([policy()], { state: MemoryPolicyState.fromJSON(snapshot) });
    // The processor re-reads from its last committed offset, before the snapshot: events 5..14.
    const resumed = run(restarted, events.slice(4));
    assert.deepEqual(resumed.alerts.filter((a) => a.isNew).length, 1, 'fires exactly once across the restart');
    assert.deepEqual(resumed.alerts.at(-1), continuous.alerts.at(-1));
  });

  test('a rebuild from an empty state by replaying the partition from the window start gives the same alert id', () => {
    const events = burst(1, 12, T0);
    const live = run(new Evaluator([policy()]), events);
    const rebuilt = run(new Evaluator([policy()]), events);
    assert.deepEqual(rebuilt.alerts.map((a) => a.alert.alert_id), live.alerts.map((a) => a.alert.alert_id));
  });

  test('events spread wider than the window do not fire; each user counts alone', () => {
    const evaluator = new Evaluator([policy()]);
    assert.deepEqual(run(evaluator, burst(1, 20, T0, 2 * MIN)).alerts, []);
    const mixed = [...burst(1, 5, T0, 10_000, 'a@example.com'), ...burst(1, 5, T0 + 1000, 10_000, 'b@example.com')].sort((x, y) => x.occurred_at - y.occurred_at);
    assert.deepEqual(run(new Evaluator([policy()]), mixed).alerts, []);
  });

  test('an event without a value for group_by is not counted (never a tenant-wide count)', () => {
    const noEmail = burst(1, 12, T0).map((e) => ({ ...e, actor: { ...e.actor, email: null } }));
    const result = run(new Evaluator([policy()]), noEmail);
    assert.deepEqual(result.alerts, []);
  });

  test('a distinct threshold counts distinct values per group', () => {
    const spray = policy({
      threshold: { count: 3, within: '30m', group_by: ['source.ip'], distinct: 'actor.email' },
      alert: { title: '{{count}} users from {{source.ip}}', dedup: { key: ['source.ip'], period: '1h' } },
    });
    const sameUser = burst(1, 5, T0);
    assert.deepEqual(run(new Evaluator([spray]), sameUser).alerts, []);
    const users = ['a', 'b', 'a', 'c'].map((u, i) => failedLogin(i, T0 + i * 1000, `${u}@example.com`));
    const result = run(new Evaluator([spray]), users);
    assert.deepEqual(result.alerts.map((a) => [a.isNew, a.alert.title, a.alert.count]), [[true, '3 users from 203.0.113.7', 4]]);
  });

  test('without a stateful section every match alerts; the default key is the event', () => {
    const single = policy({ threshold: undefined, alert: undefined });
    const result = run(new Evaluator([single]), burst(1, 3, T0));
    assert.deepEqual(result.alerts.map((a) => a.isNew), [true, true, true]);
    assert.equal(new Set(result.alerts.map((a) => a.alert.alert_id)).size, 3);
  });
});

describe('limits', () => {
  test('the daily alert limit drops further alerts and says so once', () => {
    const limited = policy({ threshold: undefined, alert: { title: 'x', daily_limit: 2 } });
    const result = run(new Evaluator([limited]), burst(1, 5, T0));
    assert.deepEqual(result.alerts.map((a) => a.alert.attributes.notice ?? 'match'), ['match', 'match', 'daily_alert_limit']);
    assert.deepEqual(result.matches.map((m) => m.suppressed), [null, null, 'daily_alert_limit', 'daily_alert_limit', 'daily_alert_limit']);
    assert.deepEqual(result.notices.map((n) => n.kind), ['daily_alert_limit']);
    // The next day has a fresh limit.
    const nextDay = run(new Evaluator([limited], {}), [failedLogin(99, T0 + 86_400_000)]);
    assert.equal(nextDay.alerts.length, 1);
  });

  test('a policy that matches too much disables itself, says why, and stays disabled after a restart until a new version', () => {
    const noisy = policy({ threshold: undefined, auto_disable: { max_matches_per_day: 5 } });
    const state = new MemoryPolicyState();
    const evaluator = new Evaluator([noisy], { state });
    const result = run(evaluator, burst(1, 8, T0));
    assert.equal(result.matches.length, 5);
    assert.deepEqual(result.notices.map((n) => [n.kind, n.message]), [[
      'auto_disabled',
      'Policy "Failed logins" was disabled: it matched more than 5 records on 2024-03-01 (its auto_disable limit); review the detection, then deploy a new version',
    ]]);
    const selfAlert = result.alerts.find((a) => a.alert.attributes.notice === 'auto_disabled')!;
    assert.equal(selfAlert.alert.policy_id, 'failed-logins');
    assert.equal(selfAlert.alert.severity, 'high');
    assert.match(evaluator.statusOf('failed-logins').disabled!, /matched more than 5/);

    const restarted = new Evaluator([noisy], { state });
    assert.deepEqual(run(restarted, [failedLogin(50, T0 + MIN)]).matches, [], 'still disabled after a restart');
    const redeployed = new Evaluator([policy({ threshold: undefined, auto_disable: { max_matches_per_day: 5 } }, 2)], { state });
    assert.equal(redeployed.statusOf('failed-logins').disabled, null, 'version 2 is not disabled');
    assert.equal(run(redeployed, [failedLogin(51, T0 + 2 * MIN)]).matches.length, 1, 'and counts its matches afresh');
  });

  test('in enforce mode a new alert requests commands with deterministic ids; the safety limit stops acting', () => {
    const enforcing = policy({
      mode: 'enforce',
      threshold: undefined,
      alert: { title: '{{actor.email}}', dedup: { key: ['actor.email'], period: '1h' } },
      actions: [{ action: 'suspend_user', requires_approval: true }, { action: 'notify', to: 'soc@example.com' }],
      safety: { max_targets_per_hour: 2 },
    });
    const evaluator = new Evaluator([enforcing]);
    const users = ['a', 'a', 'b', 'c', 'd'].map((u, i) => failedLogin(i, T0 + i * MIN, `${u}@example.com`));
    const result = run(evaluator, users);

    const suspends = result.commands.filter((c) => c.action === 'suspend_user');
    assert.deepEqual(suspends.map((c) => c.target), [
      { type: 'user', id: 'id-a@example.com', name: 'a@example.com' },
      { type: 'user', id: 'id-b@example.com', name: 'b@example.com' },
    ], 'a second match of a is the same alert: no second command; c would be a third target');
    const first = suspends[0]!;
    const alertA = result.alerts[0]!.alert;
    assert.equal(first.command_id, stableId(alertA.alert_id, 'okta', 'default', 'suspend_user', 'id-a@example.com'));
    assert.deepEqual([first.mode, first.requires_approval, first.policy_id, first.alert_id, first.requested_by, first.created_at],
      ['enforce', true, 'failed-logins', alertA.alert_id, 'policy:failed-logins', T0]);
    const notify = result.commands.find((c) => c.action === 'notify')!;
    assert.deepEqual([notify.target, notify.params], [{ type: 'other', id: 'soc@example.com', name: 'soc@example.com' }, { to: 'soc@example.com', subject: 'a@example.com' }]);

    assert.deepEqual(result.notices.map((n) => n.kind), ['safety_limit']);
    assert.equal(result.alerts.filter((a) => a.isNew && !a.alert.attributes.notice).length, 4, 'it keeps alerting');
    assert.equal(result.commands.length, 4, 'two targets, two actions each; nothing after the limit');
    assert.match(evaluator.statusOf('failed-logins').actingStopped!, /more than 2 targets within an hour/);

    evaluator.resumeActions('failed-logins');
    const resumed = run(evaluator, [failedLogin(9, T0 + 120 * MIN, 'e@example.com')]);
    assert.equal(resumed.commands.length, 2, 'acting again once resumed (a new hour)');

    // What the evaluator emits is what the Avro schemas of the alert and command topics accept.
    for (const a of result.alerts) assert.ok(schemaRegistry().encode('alert', a.alert).length > 10);
    for (const c of result.commands) assert.ok(schemaRegistry().encode('governance-command', c).length > 10);

    const again = run(new Evaluator([enforcing]), users);
    assert.deepEqual(again.commands.map((c) => c.command_id), result.commands.map((c) => c.command_id), 'the same ids on a replay');
  });

  test('dry-run records the commands as dry runs; alert mode requests none', () => {
    const base = { threshold: undefined, actions: [{ action: 'suspend_user' }] };
    const dry = run(new Evaluator([policy({ ...base, mode: 'dry-run' })]), [failedLogin(1, T0)]);
    assert.deepEqual(dry.commands.map((c) => c.mode), ['dry_run']);
    assert.equal(dry.alerts[0]!.alert.attributes.mode, 'dry-run');
    const alertOnly = run(new Evaluator([policy({ ...base, mode: 'alert' })]), [failedLogin(1, T0)]);
    assert.deepEqual([alertOnly.alerts.length, alertOnly.commands.length], [1, 0]);
  });
});

describe('the evaluator', () => {
  test('only records of the policy\'s kind and providers are evaluated; disabled policies are not', () => {
    const evaluator = new Evaluator([policy({ threshold: undefined }), policy({ id: 'off', enabled: false, threshold: undefined })]);
    assert.equal(run(evaluator, [{ ...failedLogin(1, T0), provider: 'box' }]).matches.length, 0);
    const file: FileEvent = {
      record_id: 'r', provider: 'okta', instance: 'default', observed_at: T0, change: 'seen', attributes: {}, raw: '',
      file: { id: 'f', name: 'x', path: null, mime_type: null, size: null, owner: null, created_at: null, modified_at: null, access_level: 'public', collaborators: [], label: null, url: null },
    };
    assert.equal(evaluator.process(file).matches.length, 0);
    assert.deepEqual(run(evaluator, [failedLogin(1, T0)]).matches.map((m) => m.policy_id), ['failed-logins']);
  });

  test('impossible travel needs a locator; replays and out-of-order logins do not fire', () => {
    const travel = compilePolicy({
      id: 'travel', name: 'Travel', kind: 'activity', severity: 'high',
      detection: { login: { action: 'login' }, condition: 'login' },
      impossible_travel: { group_by: ['actor.email'] },
    }, { capabilities: CAPABILITIES });
    assert.throws(() => new Evaluator([travel]), /no GeoIP locator/);
    const geo = tableLocator({ '192.0.2.1': { lat: 48.8566, lon: 2.3522, city: 'Paris' }, '198.51.100.0/24': { lat: 35.6762, lon: 139.6503, city: 'Tokyo' } });
    const evaluator = new Evaluator([travel], { geo });
    const paris = { ...failedLogin(1, T0, 'ana@example.com', '192.0.2.1'), outcome: 'success' as const };
    const tokyo = { ...failedLogin(2, T0 + 60 * MIN, 'ana@example.com', '198.51.100.9'), outcome: 'success' as const };
    const result = run(evaluator, [paris, tokyo]);
    assert.deepEqual(result.alerts.map((a) => [a.alert.attributes.from, a.alert.attributes.to, a.alert.attributes.distance_km]), [['Paris (192.0.2.1)', 'Tokyo (198.51.100.9)', '9712']]);
    assert.deepEqual(run(evaluator, [paris, tokyo]).alerts, [], 'a replay of both');
  });

  test('sweeping drops state no later record can need', () => {
    const state = new MemoryPolicyState();
    const evaluator = new Evaluator([policy()], { state });
    run(evaluator, burst(1, 12, T0));
    assert.ok(state.size > 0);
    // A day later, one unrelated record moves the watermark; the hourly sweep clears the old windows and alerts.
    run(evaluator, [failedLogin(1, T0 + 26 * 60 * MIN, 'other@example.com')]);
    const kinds = [...state.keys()].map((k) => `${k.split('\u001f')[1]}:${k.split('\u001f')[2]}`).sort();
    assert.deepEqual(kinds.filter((k) => !k.startsWith('m:') && !k.startsWith('l:')), ['w:other@example.com'], 'daily counters stay a day');
  });

  test('a record arriving behind the newest one (another partition catching up) still finds its window', () => {
    const a = burst(1, 10, Date.parse('2024-03-01T10:50:00Z'), 10_000, 'a@example.com');
    const other = failedLogin(1, Date.parse('2024-03-01T11:30:00Z'), 'b@example.com'); // crosses an hour: a sweep
    const evaluator = new Evaluator([policy()]);
    const result = run(evaluator, [...a.slice(0, 5), other, ...a.slice(5)]);
    assert.equal(result.alerts.filter((d) => d.isNew).length, 1, 'the first five were kept across the sweep');
    const strict = run(new Evaluator([policy()], { lateArrivalMs: 0 }), [...a.slice(0, 5), other, ...a.slice(5)]);
    assert.equal(strict.alerts.length, 0, 'with no allowance they were swept');
  });

  test('the state serializes to JSON and records its changes for incremental persistence', () => {
    const state = new MemoryPolicyState();
    run(new Evaluator([policy()], { state }), burst(1, 3, T0));
    const changes = state.takeChanges();
    assert.ok(changes.some(([k]) => k.startsWith('failed-logins\u001fw\u001f')));
    assert.deepEqual(state.takeChanges(), []);
    const copy = MemoryPolicyState.fromJSON(JSON.parse(JSON.stringify(state)));
    assert.deepEqual(copy.toJSON(), state.toJSON());
  });
});
