import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import { instanceConfig, type AppConfig } from '../../core/config.js';
import { createKafkaBus, type KafkaBus } from '../../core/kafka.js';
import { OktaConfigSchema } from '../../ingestors/okta/config.js';
import { CONNECTORS } from '../../ingestors/registry.js';
import { Connections } from '../../ingestors/runtime/connections.js';
import { commandMessage, type CommandEnvelope } from '../../processors/governance/command-message.js';
import { governanceCommandId } from '../../processors/governance/command-id.js';
import { GovernanceExecutor, type GovernanceExecutorOptions } from '../../processors/governance/executor.js';
import { decode } from '../../schemas/registry.js';
import type { GovernanceCommand, GovernanceResult } from '../../schemas/types.js';
import { startOktaSimulator, type OktaSimulator, type OktaUser } from '../../simulators/okta/index.js';
import { freshName, testBrokers } from './fresh.js';
import { FAST_INSTANCE, testLog } from './stack.js';
import { waitFor } from './wait-for.js';

/** What governance tests share: an Okta simulator, fresh topics, a results reader, and executors to start. */
/** The key test commands are signed with. */
export const KEY = randomBytes(32);
const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

export const SETTINGS: GovernanceExecutorOptions['settings'] = {
  dryRun: false,
  maxEventAgeMs: 3_600_000,
  limits: { actionsPerHour: 1000, perAction: {}, policyTargetsPerHour: 1000 },
  retry: { maxAttempts: 6, baseDelayMs: 50, maxDelayMs: 5000 },
  verify: { attempts: 4, delayMs: 50 },
};

export interface Harness {
  sim: OktaSimulator;
  bus: KafkaBus;
  results: GovernanceResult[];
  connectors: AppConfig['connectors'];
  start(options?: Partial<GovernanceExecutorOptions>): Promise<GovernanceExecutor>;
  send(command: GovernanceCommand, envelope?: Partial<CommandEnvelope>): Promise<void>;
  /** The steps recorded for a command, in order. */
  steps(id: string): GovernanceResult[];
  waitFor(id: string, status: string): Promise<GovernanceResult>;
  /** Waits until the executors of `groupId` have committed every command sent so far. */
  drained(groupId: string): Promise<void>;
}

export async function harness(simOptions: Parameters<typeof startOktaSimulator>[0] = {}, instance: Record<string, unknown> = {}): Promise<Harness> {
  const sim = await startOktaSimulator({ log: testLog, users: 30, groups: 3, eventsPerDay: 10, days: 1, ...simOptions });
  cleanups.push(() => sim.close());
  const bus = createKafkaBus({ brokers: testBrokers(), clientId: 'governance-test', prefix: freshName('gov'), partitions: 3, replicationFactor: 1, log: testLog });
  cleanups.push(() => bus.disconnect());
  await bus.ensureTopics();
  const results: GovernanceResult[] = [];
  const reader = await bus.consume({
    groupId: freshName('results'), topics: [bus.topics.governanceResult], fromBeginning: true, maxWaitTimeMs: 100,
    eachBatch: async (batch) => {
      for (const r of batch.records) results.push(decode(r.value!).record as GovernanceResult);
    },
  });
  cleanups.push(() => reader.stop());
  const connectors = { okta: { main: instanceConfig(OktaConfigSchema, { ...FAST_INSTANCE, orgUrl: sim.url, token: sim.token, ...instance }) } };
  const steps = (id: string) => results.filter((r) => r.command_id === id).sort((a, b) => a.at - b.at);
  return {
    sim, bus, results, connectors,
    async start(options = {}) {
      // A process of its own: its own connections, as after a restart.
      const connections = new Connections({ connectors, definitions: CONNECTORS, log: testLog });
      cleanups.push(async () => connections.close());
      const executor = new GovernanceExecutor({
        bus, connections, settings: SETTINGS, groupId: freshName('executor'), log: testLog, signingKey: KEY, ...options,
      });
      await executor.start();
      cleanups.push(() => executor.stop());
      return executor;
    },
    send: (command, envelope = {}) => bus.send(bus.topics.governanceCommand, [commandMessage(command, envelope, KEY)]),
    steps,
    waitFor: (id, status) => waitFor(() => steps(id).find((r) => r.status === status), { what: `${id} ${status}; steps so far: ${JSON.stringify(steps(id).map((s) => s.status))}` }),
    async drained(groupId) {
      await waitFor(async () => (await bus.fetchLag(groupId, [bus.topics.governanceCommand])).every((p) => p.lag === 0), { what: 'every command committed' });
    },
  };
}

export function command(action: string, user: OktaUser, extra: Partial<GovernanceCommand> = {}): GovernanceCommand {
  const origin = freshName('alert');
  return {
    command_id: governanceCommandId(origin, 'okta', 'main', action, user.id),
    created_at: Date.now(),
    provider: 'okta',
    instance: 'main',
    action,
    target: { type: 'user', id: user.id, name: user.profile.login },
    params: {},
    policy_id: 'test-policy',
    alert_id: origin,
    requested_by: 'policy:test-policy',
    mode: 'enforce',
    requires_approval: false,
    ...extra,
  };
}

/** System Log events the simulator logged of one type about one user: what was really done to it. */
export function eventsAbout(sim: OktaSimulator, user: OktaUser, eventType: string): number {
  const index = sim.state.users.indexOf(user);
  return sim.state.events.filter((e) => e.source === 'generated' && e.kind.eventType === eventType && e.subject === index).length;
}

/** The first active user, as activeUsers(sim, 1) answers it. */
export function user0(sim: OktaSimulator): OktaUser {
  return activeUsers(sim, 1)[0]!;
}

export function activeUsers(sim: OktaSimulator, count: number): OktaUser[] {
  const users = sim.state.users.slice(1).filter((u) => u.status === 'ACTIVE').slice(0, count);
  assert.equal(users.length, count, `the simulated org has ${count} active users`);
  return users;
}

