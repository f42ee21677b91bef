import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { instanceConfig } from '../../core/config.js';
import { createKafkaBus } from '../../core/kafka.js';
import { OktaConfigSchema } from '../../ingestors/okta/config.js';
import { CONNECTORS } from '../../ingestors/registry.js';
import { Connections } from '../../ingestors/runtime/connections.js';
import { GovernanceExecutor } from '../../processors/governance/executor.js';
import { parsePolicyText } from '../../processors/policy/loader.js';
import { PolicyProcessor } from '../../processors/policy/processor.js';
import { auditKey } from '../../schemas/keys.js';
import { decode, encode } from '../../schemas/registry.js';
import type { Alert, AuditEvent, GovernanceCommand, GovernanceResult } from '../../schemas/types.js';
import { startOktaSimulator, type OktaUser } from '../../simulators/okta/index.js';
import { freshName, testBrokers } from '../support/fresh.js';
import { FAST_INSTANCE, testLog } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// It asks for more targets per hour than the admin's ceiling (governance.limits.policyTargetsPerHour: 4).
const POLICY = `
id: mfa-reset-suspend
name: Suspend after an MFA reset
kind: activity
severity: high
mode: enforce
providers: [okta]
detection:
  reset: { action: mfa_factor_reset }
  condition: reset
actions:
  - { action: suspend_user }
safety: { max_targets_per_hour: 1000 }
alert:
  title: "MFA reset by {{actor.email}}"
  dedup: { key: [actor.email], period: 1h }
  daily_limit: 1000
`;

function reset(user: OktaUser, at: number): AuditEvent {
  return {
    event_id: freshName('evt'), provider: 'okta', instance: 'main', occurred_at: at, ingested_at: at,
    category: 'user', action: 'mfa_factor_reset', action_raw: 'user.mfa.factor.reset_all', outcome: 'success', outcome_reason: null,
    severity: null, actor: { id: user.id, email: user.profile.login, name: null, type: 'user' }, targets: [],
    source: { ip: '203.0.113.7', user_agent: null, country: null, city: null }, session_id: null, request_id: null,
    class_uid: 3001, activity_id: 1, attributes: {}, raw: '{}',
  };
}

describe('governance under a backfill (Kafka + policy processor + executor + Okta simulator)', () => {
  test('a 7-day backfill of a matching pattern raises alerts and acts on nobody; a fresh burst is capped at the ceilings', async () => {
    const sim = await startOktaSimulator({ log: testLog, seed: 'gov-backfill', users: 40, groups: 2, eventsPerDay: 5, days: 1 });
    cleanups.push(() => sim.close());
    const bus = createKafkaBus({ brokers: testBrokers(), clientId: 'gov-backfill', prefix: freshName('bf'), partitions: 3, replicationFactor: 1, log: testLog });
    cleanups.push(() => bus.disconnect());
    await bus.ensureTopics();
    const alerts: Alert[] = [];
    const commands: GovernanceCommand[] = [];
    const results: GovernanceResult[] = [];
    const reader = await bus.consume({
      groupId: freshName('reader'), topics: [bus.topics.alert, bus.topics.governanceCommand, bus.topics.governanceResult], fromBeginning: true, maxWaitTimeMs: 100,
      eachBatch: async (batch) => {
        for (const r of batch.records) {
          const { record } = decode(r.value!);
          if (r.topic === bus.topics.alert) alerts.push(record as Alert);
          else if (r.topic === bus.topics.governanceCommand) commands.push(record as GovernanceCommand);
          else results.push(record as GovernanceResult);
        }
      },
    });
    cleanups.push(() => reader.stop());

    const signingKey = randomBytes(32);
    const load = parsePolicyText(POLICY, 'policy.yaml', { version: 0 });
    assert.deepEqual(load.problems, []);
    const processor = new PolicyProcessor({
      bus, log: testLog, groupId: freshName('policy'), policies: load.policies.map((p) => p.compiled), lateArrivalMs: HOUR, store: null,
      maxWaitTimeMs: 100, signingKey,
      live: { now: Date.now, maxEventAgeMs: HOUR, maxTargetsPerHour: 4, budgetMs: 10_000, strikes: 1000 },
    });
    await processor.start();
    cleanups.push(() => processor.stop());
    const connections = new Connections({
      connectors: { okta: { main: instanceConfig(OktaConfigSchema, { ...FAST_INSTANCE, orgUrl: sim.url, token: sim.token }) } }, definitions: CONNECTORS, log: testLog,
    });
    cleanups.push(async () => connections.close());
    const executor = new GovernanceExecutor({
      bus, connections,
      settings: {
        dryRun: false, maxEventAgeMs: HOUR, limits: { actionsPerHour: 100, perAction: { suspend_user: 3 }, policyTargetsPerHour: 4 },
        retry: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 500 }, verify: { attempts: 3, delayMs: 50 },
      },
      groupId: freshName('executor'), signingKey, log: testLog,
    });
    await executor.start();
    cleanups.push(() => executor.stop());

    const users = sim.state.users.slice(1).filter((u) => u.status === 'ACTIVE');
    assert.ok(users.length >= 18, 'enough active users');
    const now = Date.now();
    // Ten users a day, for the seven days before the last two hours: the history a connector's first poll reads.
    const backfill = Array.from({ length: 7 }, (_, day) => users.slice(0, 10).map((u, i) => reset(u, now - 2 * HOUR - day * DAY - i * 60_000))).flat();
    await bus.send(bus.topics.audit, backfill.map((e) => ({ key: auditKey(e), value: Buffer.from(encode('audit-event', e)) })));

    const skipped = await waitFor(() => {
      const done = results.filter((r) => r.status === 'skipped');
      return done.length >= 70 ? done : null;
    }, { what: 'every backfilled command recorded as skipped', timeoutMs: 120_000 });
    assert.equal(new Set(alerts.filter((a) => a.policy_id === 'mfa-reset-suspend' && !a.attributes.notice).map((a) => a.alert_id)).size, 70, 'one alert per user and hour of history');
    assert.ok(skipped.every((r) => /alert only: the event is \d+ (h|d) old/.test(r.message ?? '')));
    assert.equal(results.filter((r) => r.status === 'running').length, 0, 'nothing was carried out');
    assert.equal(users.filter((u) => u.status !== 'ACTIVE').length, 0, 'nobody was suspended');
    assert.equal(alerts.filter((a) => a.attributes.notice === 'safety_limit').length, 0, 'old evidence does not count against the safety limit');

    // Now a burst of fresh resets by eight users: the policy asks for four (the admin's ceiling of its
    // limit), and the executor carries out three (its ceiling for suspend_user on okta.main).
    const burst = users.slice(10, 18).map((u, i) => reset(u, Date.now() + i));
    await bus.send(bus.topics.audit, burst.map((e) => ({ key: auditKey(e), value: Buffer.from(encode('audit-event', e)) })));
    await waitFor(() => alerts.find((a) => a.attributes.notice === 'safety_limit'), { what: 'the policy stops acting', timeoutMs: 60_000 });
    const fresh = await waitFor(() => {
      const ids = new Set(commands.filter((c) => now - c.created_at < HOUR).map((c) => c.command_id));
      const settled = [...ids].map((id) => results.filter((r) => r.command_id === id).find((r) => r.status === 'succeeded' || r.status === 'failed'));
      return ids.size > 0 && settled.every(Boolean) ? settled.map((r) => r!) : null;
    }, { what: 'the fresh commands carried out or refused', timeoutMs: 60_000 });
    assert.equal(fresh.length, 4, 'the policy asked for four targets, its ceiling');
    assert.equal(fresh.filter((r) => r.status === 'succeeded').length, 3);
    assert.match(fresh.find((r) => r.status === 'failed')!.message ?? '', /safety ceiling: 3 suspend_user on okta\.main/);
    assert.equal(users.filter((u) => u.status === 'SUSPENDED').length, 3);
  });
});
