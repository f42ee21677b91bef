import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { createKafkaBus, type ConsumedRecord, type KafkaBus } from '../../core/kafka.js';
import { auditKey, stateKey } from '../../schemas/keys.js';
import { decode, encode } from '../../schemas/registry.js';
import type { AccountEvent, Alert, AuditEvent, GovernanceCommand } from '../../schemas/types.js';
import { freshName, testBrokers } from '../../test/support/fresh.js';
import { testLog } from '../../test/support/stack.js';
import { waitFor } from '../../test/support/wait-for.js';
import type { CompiledPolicy } from './compile.js';
import { parsePolicyText } from './loader.js';
import { PolicyProcessor, type PolicyProcessorOptions } from './processor.js';
import { PolicyStore } from './policy-store.js';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

const T0 = Date.parse('2024-03-01T10:00:00Z');
/** Live settings whose wall clock stands just after T0, so that the records here are fresh evidence. */
const TEST_LIVE: PolicyProcessorOptions['live'] = { now: () => T0 + 600_000, maxEventAgeMs: 3_600_000, maxTargetsPerHour: 1000, budgetMs: 10_000, strikes: 1000 };
const TEST_SIGNING_KEY = randomBytes(32);

function policies(text: string): CompiledPolicy[] {
  const load = parsePolicyText(text, 'test.yaml', { version: 0 });
  assert.deepEqual(load.problems, []);
  return load.policies.map((p) => p.compiled);
}

let events = 0;
function audit(email: string, at: number, rest: Partial<AuditEvent> = {}): AuditEvent {
  return {
    event_id: `evt-${++events}-${freshName('e')}`, provider: 'okta', instance: 'main', occurred_at: at, ingested_at: at,
    category: 'logon', action: 'login', action_raw: 'user.session.start', outcome: 'failure', outcome_reason: 'INVALID_CREDENTIALS',
    severity: null, actor: { id: `id-${email.split('@')[0]}`, email, name: null, type: 'user' }, targets: [],
    source: { ip: '203.0.113.7', user_agent: null, country: 'Spain', city: null }, session_id: null, request_id: null,
    class_uid: 3002, activity_id: 1, attributes: {}, raw: '{}', ...rest,
  };
}

function account(kind: AccountEvent['kind'], recordId: string, rest: Partial<AccountEvent>): AccountEvent {
  return {
    record_id: recordId, provider: 'okta', instance: 'main', observed_at: T0, kind,
    subject: { type: 'user', id: 'id-bo', email: 'bo@example.com', name: 'Bo Chen' },
    status: null, status_raw: null, created_at: null, last_login_at: null, group: null, privilege: null, app: null,
    deleted: false, attributes: {}, raw: '{}', ...rest,
  };
}

interface Harness {
  bus: KafkaBus;
  groupId: string;
  start(compiled: CompiledPolicy[], extra?: Partial<PolicyProcessorOptions>): Promise<PolicyProcessor>;
  sendAudit(list: AuditEvent[]): Promise<void>;
  sendAccounts(list: AccountEvent[]): Promise<void>;
  /** Waits until the group committed every input record. */
  settled(): Promise<void>;
  alerts: Alert[];
  commands: Array<{ key: string; command: GovernanceCommand }>;
}

/** Fresh topics and group; collects what is published on the alert and command topics. */
async function harness(): Promise<Harness> {
  const bus = createKafkaBus({ brokers: testBrokers(), clientId: freshName('policy-test'), prefix: freshName('aw'), partitions: 3, replicationFactor: 1, log: testLog });
  cleanups.push(() => bus.disconnect());
  await bus.ensureTopics();
  const groupId = freshName('policy');
  const alerts: Alert[] = [];
  const commands: Harness['commands'] = [];
  await bus.consume({
    groupId: freshName('outputs'), topics: [bus.topics.alert, bus.topics.governanceCommand], fromBeginning: true, maxWaitTimeMs: 100,
    eachBatch: async (batch) => {
      for (const r of batch.records) collect(r);
    },
  });
  function collect(r: ConsumedRecord): void {
    const { record } = decode(r.value!);
    if (r.topic === bus.topics.alert) alerts.push(record as Alert);
    else commands.push({ key: r.key!.toString(), command: record as GovernanceCommand });
  }
  const inputs = [bus.topics.audit, bus.topics.file, bus.topics.account];
  return {
    bus, groupId, alerts, commands,
    async start(compiled, extra = {}) {
      const p = new PolicyProcessor({
        bus, log: testLog, groupId, policies: compiled, lateArrivalMs: 3_600_000, store: null, maxWaitTimeMs: 100, live: TEST_LIVE, signingKey: TEST_SIGNING_KEY, ...extra,
      });
      await p.start();
      cleanups.push(() => p.stop());
      return p;
    },
    sendAudit: (list) => bus.send(bus.topics.audit, list.map((e) => ({ key: auditKey(e), value: Buffer.from(encode('audit-event', e)) }))),
    sendAccounts: (list) => bus.send(bus.topics.account, list.map((e) => ({ key: stateKey(e), value: Buffer.from(encode('account-event', e)) }))),
    settled: () => waitFor(async () => (await bus.fetchLag(groupId, inputs)).every((p) => p.lag === 0), { what: 'every input record committed by the policy group' }).then(() => undefined),
  };
}

/** The latest message of each alert id, in order of first appearance. */
function latestAlerts(alerts: Alert[], policyId: string): Alert[] {
  const byId = new Map<string, Alert>();
  for (const a of alerts.filter((x) => x.policy_id === policyId)) byId.set(a.alert_id, a);
  return [...byId.values()];
}

const BURST = `
id: burst-of-failures
name: Burst of failed logins
kind: activity
severity: medium
mode: enforce
providers: [okta]
detection:
  failed: { category: logon, action: login, outcome: failure }
  condition: failed
threshold: { count: 10, within: 10m, group_by: [actor.email] }
actions:
  - { action: suspend_user }
alert:
  title: "{{actor.email}}: {{count}} failed logins"
`;

describe('policy processor (real Kafka)', () => {
  test('a threshold whose window spans a restart and a rebalance fires exactly once, and replays count nothing twice', async () => {
    const h = await harness();
    const first = await h.start(policies(BURST));
    const burst = Array.from({ length: 12 }, (_, i) => audit('ana@example.com', T0 + i * 20_000));
    // Noise on other users, so that several partitions carry records.
    const noise = ['bo', 'cy', 'di', 'ed'].map((u, i) => audit(`${u}@example.com`, T0 + i * 1000));
    await h.sendAudit([...burst.slice(0, 6), ...noise]);
    await h.settled();
    assert.equal(latestAlerts(h.alerts, 'burst-of-failures').length, 0, 'six failures are not ten');

    // A second member joins (a rebalance), then the first stops (a restart): the partition moves with its state.
    const second = await h.start(policies(BURST));
    await first.stop();
    // The rest of the burst: only the six failures counted before the restart make it reach ten.
    await h.sendAudit(burst.slice(6));
    await waitFor(() => latestAlerts(h.alerts, 'burst-of-failures')[0]?.count === 12, { what: 'one alert counting twelve failures' });
    // The first six again (a connector re-reading its trailing window): already counted, nothing changes.
    await h.sendAudit(burst.slice(0, 6));
    await h.settled();

    const alerts = latestAlerts(h.alerts, 'burst-of-failures');
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.count, 12);
    assert.equal(alerts[0]!.actor?.email, 'ana@example.com');
    assert.equal(alerts[0]!.first_seen, T0);
    assert.equal(alerts[0]!.last_seen, T0 + 11 * 20_000);
    assert.ok(h.alerts.every((a) => a.count <= 12), 'no replayed failure was counted twice');
    assert.equal(second.stats().newAlerts, 1, 'the second processor raised it, once');

    // One new alert, one command, keyed by its target so one user's commands stay in order.
    await waitFor(() => h.commands.length >= 1, { what: 'the suspend command' });
    assert.equal(new Set(h.commands.map((c) => c.command.command_id)).size, 1);
    const { key, command } = h.commands[0]!;
    assert.equal(key, 'okta/main/user/id-ana');
    assert.equal(command.action, 'suspend_user');
    assert.equal(command.mode, 'enforce');
    assert.equal(command.alert_id, alerts[0]!.alert_id);
    assert.equal(command.policy_id, 'burst-of-failures');
  });

  test('enrichment: activity of an account the scans show suspended, and an app granted by many users', async () => {
    const h = await harness();
    const suspended = parsePolicyText(readFileSync(new URL('../../policies/suspended-account-activity.yaml', import.meta.url), 'utf8'), 'suspended.yaml', { version: 0 });
    const widely = policies(`
id: widely-granted-app
name: App granted by many users
kind: app_permission
severity: low
detection:
  many: { grant.user_count|gte: 3 }
  condition: many
alert:
  title: "{{app.name}} granted by {{grant.user_count}} users"
  dedup: { key: [app.id], period: 1d }
`);
    // Written before the processor starts: it reads the whole account topic before evaluating.
    await h.sendAccounts([account('user', 'u-bo', { status: 'suspended', status_raw: 'SUSPENDED' })]);
    await h.start([...suspended.policies.map((p) => p.compiled), ...widely]);

    await h.sendAudit([
      audit('bo@example.com', T0, { outcome: 'success', outcome_reason: null, category: 'file', action: 'file_download', action_raw: 'download' }),
      audit('ana@example.com', T0, { outcome: 'success', outcome_reason: null, category: 'file', action: 'file_download', action_raw: 'download' }),
    ]);
    const grant = (user: string) => account('app_grant', `grant-${user}`, {
      subject: { type: 'user', id: `id-${user}`, email: `${user}@example.com`, name: null }, app: { id: '0oa-acme', name: 'Acme Sync', scopes: ['openid'] },
    });
    await h.sendAccounts([grant('ana'), grant('bo'), grant('cy')]);
    await h.settled();

    const [flagged] = await waitFor(() => {
      const found = latestAlerts(h.alerts, 'suspended-account-activity');
      return found.length > 0 ? found : null;
    }, { what: 'the suspended account alert' });
    assert.equal(flagged!.title, 'bo@example.com (suspended) performed download');
    assert.equal(latestAlerts(h.alerts, 'suspended-account-activity').length, 1, 'ana is active: no alert for her');
    const [app] = await waitFor(() => {
      const found = latestAlerts(h.alerts, 'widely-granted-app');
      return found.length > 0 ? found : null;
    }, { what: 'the widely granted app alert' });
    assert.equal(app!.title, 'Acme Sync granted by 3 users');
  });

  test('a deploy through the store takes effect without a restart; a bad put is refused with line and field while the running version keeps running', async () => {
    const h = await harness();
    const folder = policies(`
id: folder-rule
name: Folder rule
kind: activity
severity: low
detection:
  logout: { action: logout }
  condition: logout
`);
    const processor = await h.start(folder, { store: undefined });
    const api = new PolicyStore({ bus: h.bus, log: testLog });
    await api.start();
    cleanups.push(() => api.stop());
    const active = (id: string) => processor.activePolicies().find((p) => p.id === id);
    const rule = (title: string) => `id: deployed-rule
name: Deployed rule
kind: activity
severity: high
detection:
  reset: { action: mfa_factor_reset }
  condition: reset
alert:
  title: "${title} {{actor.email}}"
`;
    const reset = (email: string, at: number) => audit(email, at, { category: 'user', action: 'mfa_factor_reset', action_raw: 'user.mfa.factor.reset_all', outcome: 'success' });

    const v1 = await api.put(rule('v1:'), { by: 'user:ana' });
    assert.ok(v1.ok);
    assert.equal(v1.version, 1);
    await waitFor(() => active('deployed-rule')?.version === 1, { what: 'the processor runs version 1' });
    await h.sendAudit([reset('ana@example.com', T0)]);
    await waitFor(() => h.alerts.some((a) => a.title === 'v1: ana@example.com' && a.policy_version === 1), { what: 'an alert of version 1' });

    // A typo in a vocabulary value and a threshold without group_by: refused, every problem with line and field.
    const bad = await api.put(`id: deployed-rule
name: Deployed rule
kind: activity
severity: high
detection:
  reset: { action: mfa_factor_rest }
  condition: reset
threshold:
  count: 3
  within: 10m
`, { file: 'deployed-rule.yaml' });
    assert.equal(bad.ok, false);
    const problems = bad.ok ? [] : bad.problems;
    assert.ok(problems.some((p) => p.file === 'deployed-rule.yaml' && p.line === 6 && p.path.join('.').startsWith('detection.reset.action')), JSON.stringify(problems));
    assert.ok(problems.some((p) => p.line === 8 && p.path.join('.') === 'threshold.group_by' && /required/.test(p.message)), JSON.stringify(problems));
    assert.deepEqual(api.versions('deployed-rule').map((v) => v.version), [1], 'nothing was stored');
    await h.sendAudit([reset('bo@example.com', T0 + 1000)]);
    await waitFor(() => h.alerts.some((a) => a.title === 'v1: bo@example.com'), { what: 'version 1 still running' });
    assert.equal(active('deployed-rule')?.version, 1);

    const v2 = await api.put(rule('v2:'));
    assert.ok(v2.ok && v2.version === 2);
    await waitFor(() => active('deployed-rule')?.version === 2, { what: 'the processor runs version 2' });
    await h.sendAudit([reset('cy@example.com', T0 + 2000)]);
    await waitFor(() => h.alerts.some((a) => a.title === 'v2: cy@example.com' && a.policy_version === 2), { what: 'an alert of version 2' });

    const back = await api.rollback('deployed-rule', 1, { by: 'user:lead' });
    assert.ok(back.ok && back.version === 3 && back.policy.rolled_back_from === 1);
    await waitFor(() => active('deployed-rule')?.version === 3, { what: 'the rollback running' });
    await h.sendAudit([reset('di@example.com', T0 + 3000)]);
    await waitFor(() => h.alerts.some((a) => a.title === 'v1: di@example.com' && a.policy_version === 3), { what: 'an alert of the rolled-back version' });

    // Deleting through the store stops a deployed policy and a folder's policy alike.
    await api.delete('deployed-rule');
    await api.delete('folder-rule');
    await waitFor(() => !active('deployed-rule') && !active('folder-rule'), { what: 'both policies removed' });
    assert.deepEqual(api.versions('deployed-rule').map((v) => [v.version, v.deleted]), [[1, false], [2, false], [3, false], [4, true]]);
    await h.sendAudit([reset('ed@example.com', T0 + 4000), audit('ed@example.com', T0 + 5000, { action: 'logout', category: 'logon', outcome: 'success' })]);
    await h.settled();
    assert.ok(!h.alerts.some((a) => a.actor?.email === 'ed@example.com'), 'deleted policies raise nothing');
  });

  test('a policy grouped by source address (password spray) counts the failures of users on every partition, once', async () => {
    const h = await harness();
    const spray = parsePolicyText(readFileSync(new URL('../../policies/password-spray.yaml', import.meta.url), 'utf8'), 'password-spray.yaml', { version: 0 });
    await h.start(spray.policies.map((p) => p.compiled));
    const users = Array.from({ length: 12 }, (_, i) => `user${i}@example.com`);
    const failures = users.map((u, i) => audit(u, T0 + i * 20_000, { source: { ip: '198.51.100.23', user_agent: null, country: 'Netherlands', city: null } }));
    await h.sendAudit(failures);
    await waitFor(() => latestAlerts(h.alerts, 'password-spray')[0]?.count === 12, { what: 'the spray alert counting twelve failures' });
    // Delivered again (a replay upstream): forwarded again, recognized, not counted.
    await h.sendAudit(failures.slice(0, 5));
    await h.settled();
    await waitFor(async () => (await h.bus.fetchLag(h.groupId, [h.bus.topics.policyRegroup])).every((p) => p.lag === 0), { what: 'the regroup topic consumed' });
    const alerts = latestAlerts(h.alerts, 'password-spray');
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.count, 12);
    assert.equal(alerts[0]!.title, 'Password spray from 198.51.100.23: 12 users failed to sign in within 30 minutes');
    assert.equal(alerts[0]!.dedup_key, 'source.ip=198.51.100.23');
  });

  test('dry-run commands carry mode dry_run; a safety stop becomes a high alert about the policy itself', async () => {
    const h = await harness();
    await h.start(policies(`
id: careful-rule
name: Careful rule
kind: activity
severity: medium
mode: dry-run
providers: [okta]
detection:
  reset: { action: mfa_factor_reset }
  condition: reset
actions:
  - { action: suspend_user }
safety: { max_targets_per_hour: 1 }
alert:
  dedup: { key: [actor.email], period: 1h }
`));
    const reset = (email: string, at: number) => audit(email, at, { category: 'user', action: 'mfa_factor_reset', action_raw: 'user.mfa.factor.reset_all', outcome: 'success' });
    await h.sendAudit([reset('ana@example.com', T0)]);
    await waitFor(() => h.commands.length === 1, { what: 'the dry-run command' });
    assert.equal(h.commands[0]!.command.mode, 'dry_run');
    await h.sendAudit([reset('bo@example.com', T0 + 60_000)]);
    const notice = await waitFor(() => h.alerts.find((a) => a.attributes.notice === 'safety_limit'), { what: 'the alert about the policy' });
    assert.equal(notice.severity, 'high');
    assert.equal(notice.policy_id, 'careful-rule');
    assert.match(notice.title, /^Policy "Careful rule" stopped acting/);
    await h.settled();
    assert.equal(h.commands.length, 1, 'no command for the second target');
    assert.equal(latestAlerts(h.alerts, 'careful-rule').filter((a) => !a.attributes.notice).length, 2, 'it keeps alerting');
  });
});
