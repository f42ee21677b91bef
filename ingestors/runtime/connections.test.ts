import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { isAppwardenError } from '../../core/errors.js';
import { createKafkaBus } from '../../core/kafka.js';
import { ActionCatalog } from '../../processors/governance/index.js';
import { startOktaSimulator, type OktaSimulator } from '../../simulators/okta/index.js';
import { simulatorInstance } from '../../test/support/simulators.js';
import { testConfig, testLog } from '../../test/support/stack.js';
import { waitFor } from '../../test/support/wait-for.js';
import { CONNECTORS } from '../registry.js';
import { Connections } from './connections.js';
import { ConnectorRuntime } from './connector-runtime.js';
import type { InstanceStatus } from './instance-status.js';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function simulator(seed: string): Promise<OktaSimulator> {
  const sim = await startOktaSimulator({ log: testLog, seed, users: 8, groups: 2, eventsPerDay: 40, days: 1 });
  cleanups.push(() => sim.close());
  return sim;
}

/** Requests the simulator received, throttled ones included. */
const received = (sim: OktaSimulator) => Object.values(sim.requests.byFamily).reduce((a, b) => a + b, 0);

describe('Connections: one connection per instance in a process', () => {
  test('the runtime, the governance catalogue and the API catalogue all get the instance\'s one connector', async () => {
    const sim = await simulator('connections-same');
    const config = testConfig({ okta: { main: simulatorInstance('okta', sim), other: simulatorInstance('okta', sim) } });
    const connections = new Connections({ connectors: config.connectors, definitions: CONNECTORS, log: testLog });
    const main = connections.get('okta', 'main');
    assert.equal(connections.get('okta', 'main'), main, 'created once');
    assert.notEqual(connections.get('okta', 'other'), main, 'each instance has its own');
    // The executor's catalogue and the API's are two catalogues over the same connections.
    const [executorCatalog, apiCatalog] = [new ActionCatalog(connections), new ActionCatalog(connections)];
    const a = executorCatalog.lookup('okta', 'main', 'suspend_user');
    const b = apiCatalog.lookup('okta', 'main', 'suspend_user');
    assert.ok(a.kind === 'ready' && b.kind === 'ready');
    assert.equal(Object.getPrototypeOf(a.handler), main.actions?.suspend_user, "the catalogue's handler is the connector's own, reporting 403s to the runner");
    assert.equal(b.handler, a.handler);
    assert.deepEqual(connections.configured().map((c) => `${c.provider}.${c.instance}`), ['okta.main', 'okta.other']);
    assert.throws(() => connections.get('okta', 'nowhere'), (err: unknown) => isAppwardenError(err, 'AW_NOT_FOUND') && /okta\.nowhere/.test(err.message));
    connections.close();
    assert.throws(() => connections.get('okta', 'main'), (err: unknown) => isAppwardenError(err, 'AW_NOT_READY'));
  });

  test('a 429 answered to a governance action pauses the scans of that instance, and of no other', async () => {
    const [simA, simB] = [await simulator('throttle-a'), await simulator('throttle-b')];
    // Instance a polls every 5 s: the action goes out right after one of its polls, so the 429 is the action's.
    const config = testConfig({ okta: { a: simulatorInstance('okta', simA, { schedule: { activitiesEveryMs: 5000 } }), b: simulatorInstance('okta', simB) } });
    const bus = createKafkaBus({ ...config.kafka, prefix: config.kafka.topicPrefix, log: testLog });
    cleanups.push(() => bus.disconnect());
    await bus.ensureTopics();
    const connections = new Connections({ connectors: config.connectors, definitions: CONNECTORS, log: testLog });
    cleanups.push(async () => connections.close());
    const runtime = new ConnectorRuntime({ connections, bus, dataDir: config.dataDir, log: testLog, progressIntervalMs: 60_000 });
    await runtime.start();
    cleanups.push(() => runtime.stop());

    const status = (instance: string): InstanceStatus => runtime.statuses().find((s) => s.instance === instance)!;
    const log = (instance: string) => status(instance).streams.find((s) => s.stream === 'system_log')!;
    await waitFor(() => log('a').lastSuccessAt && log('b').lastSuccessAt, { what: 'both instances polled their System Log' });
    const polled = log('a').lastSuccessAt;
    await waitFor(() => log('a').lastSuccessAt !== polled, { what: 'the next poll of instance a' });

    // Okta answers the action with 429 E0000047 and a reset ten minutes away: longer than the instance waits in line.
    simA.throttleNext(1, { resetInMs: 10 * 60_000 });
    const user = simA.state.users.find((u, i) => i > 0 && u.status === 'ACTIVE')!;
    const action = new ActionCatalog(connections).lookup('okta', 'a', 'suspend_user');
    assert.ok(action.kind === 'ready');
    await assert.rejects(action.handler.run({ type: 'user', id: user.profile.login }, {}, AbortSignal.timeout(30_000)),
      (err: unknown) => isAppwardenError(err, 'AW_PROVIDER_THROTTLED'));
    assert.equal(simA.requests.throttled, 1);
    const actedAt = new Date().toISOString();
    const [aReceived, bReceived] = [received(simA), received(simB)];

    // Instance a's next poll fails at once, throttled, without a request; b polls on.
    await waitFor(() => log('a').lastRunStartedAt! > actedAt && log('a').lastError?.code === 'AW_PROVIDER_THROTTLED',
      { what: 'a poll of instance a after the action, throttled' });
    await waitFor(() => log('b').lastSuccessAt! > actedAt && received(simB) > bReceived, { what: 'instance b polling after the action' });
    assert.equal(received(simA), aReceived, 'no request reached instance a during its pause');
    assert.ok((status('a').http?.pausedUntil ?? 0) > Date.now(), 'instance a is paused');
    assert.equal(status('b').http?.pausedUntil ?? null, null, 'instance b is not');
    assert.equal(simB.requests.throttled, 0);
  });
});
