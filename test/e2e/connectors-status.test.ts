import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { startAppwarden, type RunningAppwarden } from '../../cli/start.js';
import { startOktaSimulator } from '../../simulators/okta/index.js';
import { simulatorInstance } from '../support/simulators.js';
import { ADMIN_HEADERS, FAST_INSTANCE, testConfig, testLog } from '../support/stack.js';
import { registerTestSecrets } from '../support/test-output.js';
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

test('an API process that runs no connector lists the instances connected at run time, with the status their connector worker publishes', async () => {
  const sim = await startOktaSimulator({ log: testLog, seed: 'status-runtime', users: 6, eventsPerDay: 200, days: 1, live: false });
  cleanups.push(() => sim.close());
  registerTestSecrets([sim.token]);
  const config = testConfig({ okta: { configured: simulatorInstance('okta', sim) } });
  const env = { ...process.env, OKTA_RUNTIME_TOKEN: sim.token };
  await start({ config, log: testLog, env, roles: ['connectors'] });
  const api = await start({ config, log: testLog, env, roles: ['api'] });
  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => {
    const res = await api.app!.inject({ method, url, headers: { ...ADMIN_HEADERS, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }) });
    return { status: res.statusCode, body: res.json() as Record<string, unknown> };
  };
  const listed = async (instance: string) => ((await call('GET', '/v1/connectors')).body.items as Array<ConnectorStatus & { health: string }>).find((s) => s.instance === instance);

  // Connected through the API process; run by the connectors process; its status read back by the API process.
  const created = await call('POST', '/v1/connectors', { provider: 'okta', instance: 'runtime', settings: { ...FAST_INSTANCE, orgUrl: sim.url, token: { env: 'OKTA_RUNTIME_TOKEN' } } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const running = await waitFor(async () => {
    const s = await listed('runtime');
    return s?.phase === 'running' && s.health === 'connected' && s.streams.some((x) => x.stream === 'accounts' && x.lastCompletedScan) ? s : null;
  }, { what: 'the run-time instance running, as the API process reads it', timeoutMs: 60_000 });
  assert.equal(running.source, 'cursors', 'the API process reads the status the worker recorded');
  assert.ok(await listed('configured'), 'the configured instance is listed beside it');

  assert.equal((await call('PATCH', '/v1/connectors/okta/runtime', { state: 'paused' })).status, 200);
  await waitFor(async () => (await listed('runtime'))?.health === 'paused', { what: 'paused, as the API process reads it' });
  assert.equal((await call('DELETE', '/v1/connectors/okta/runtime')).status, 200);
  const gone = await waitFor(async () => {
    const s = await listed('runtime');
    return s?.health === 'disconnected' ? s : null;
  }, { what: 'disconnected, as the API process reads it' });
  assert.deepEqual(gone.streams, [], 'a disconnected instance is listed without a stale status');
});
