import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { startAppwarden, type RunningAppwarden } from '../../cli/start.js';
import { startOktaSimulator } from '../../simulators/okta/index.js';
import { simulatorInstance } from '../support/simulators.js';
import { ADMIN_HEADERS, testConfig, testLog } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';

interface StreamStatus {
  stream: string; kind: string; state: string; readUntil: string | null;
  lastCompletedScan?: { startedAt: string | null; completedAt: string; records: number | null } | null;
}
interface ConnectorStatus {
  provider: string; instance: string; phase: string; source: string;
  credentials: { missing: Array<{ capability: string; reason: string }> } | null;
  streams: StreamStatus[];
}

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function start(...args: Parameters<typeof startAppwarden>): Promise<RunningAppwarden> {
  const running = await startAppwarden(...args);
  cleanups.push(() => running.stop());
  return running;
}

test('an API process that runs no connector shows every configured instance and its last completed scans, from the cursors topic, across a restart of the connectors', async () => {
  const sim = await startOktaSimulator({ log: testLog, seed: 'status', users: 8, eventsPerDay: 300, days: 1, denyPermissions: ['okta.groups.read'] });
  cleanups.push(() => sim.close());
  const config = testConfig({ okta: { main: simulatorInstance('okta', sim), second: simulatorInstance('okta', sim, { enabled: false }) } });

  const connectors = await start({ config, log: testLog, roles: ['connectors'] });
  const api = await start({ config, log: testLog, roles: ['api'] });
  assert.equal(api.runtime, null);
  const statuses = async () => {
    const res = await api.app!.inject({ method: 'GET', url: '/v1/connectors', headers: ADMIN_HEADERS });
    assert.equal(res.statusCode, 200, res.body);
    return (res.json() as { items: ConnectorStatus[] }).items;
  };

  const seen = await waitFor(async () => {
    const [main] = await statuses();
    const accounts = main?.streams.find((s) => s.stream === 'accounts');
    const logs = main?.streams.find((s) => s.stream === 'system_log');
    return main?.phase === 'running' && accounts?.lastCompletedScan && logs?.readUntil ? main : null;
  }, { what: 'the instance running, as the API process reads it' });
  assert.equal((await statuses()).length, 1, 'a disabled instance is not listed');
  assert.equal(seen.source, 'cursors');
  assert.deepEqual([seen.provider, seen.instance], ['okta', 'main']);
  const accounts = seen.streams.find((s) => s.stream === 'accounts')!;
  assert.equal(accounts.kind, 'snapshot');
  assert.ok(accounts.lastCompletedScan!.records! > 0);
  assert.match(seen.credentials!.missing.find((m) => m.capability === 'groups')!.reason, /okta\.groups\.read/);

  await connectors.stop();
  const stopped = await waitFor(async () => {
    const [main] = await statuses();
    return main?.phase === 'stopped' ? main : null;
  }, { what: 'the stopped phase recorded' });
  const scan = stopped.streams.find((s) => s.stream === 'accounts')!.lastCompletedScan;
  assert.deepEqual(scan, accounts.lastCompletedScan, 'the last completed scan is still shown once the connectors stopped');

  // A restarted connectors process shows the scan it completed before, without scanning again (the period is not over).
  const restarted = await start({ config, log: testLog, roles: ['connectors'] });
  const [local] = restarted.runtime!.statuses();
  assert.equal(local!.source, 'runner');
  assert.deepEqual(local!.streams.find((s) => s.stream === 'accounts')!.lastCompletedScan, accounts.lastCompletedScan);
});
