import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { startAppwarden, type RunningAppwarden } from '../../cli/start.js';
import { eventId } from '../../schemas/event-id.js';
import { startOktaSimulator, type OktaSimulator } from '../../simulators/okta/index.js';
import { instancePerPartition, overlaps, runIntervals, startConnectorWorker, workerConfigFile, type ConnectorWorker } from '../support/connector-workers.js';
import { simulatorInstance } from '../support/simulators.js';
import { ADMIN_HEADERS, testConfig, testLog } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';

// Each test's workers, stack and simulator stop when it ends: the next one gets the machine.
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The shortest takeover bound the configuration accepts: a dead worker's session ends after 6 s. */
const TAKEOVER_MS = 12_000;

interface Setup { sim: OktaSimulator; instances: string[]; stack: RunningAppwarden; configFile: string; total: number }

/** An Okta org served to one instance per partition of the owners topic, and a sink + API process. */
async function setUp(seed: string, eventsPerDay: number): Promise<Setup> {
  // Pages of 50 under a rate limit shared by the instances: a scan lasts several seconds.
  const sim = await startOktaSimulator({ log: testLog, seed, users: 10, eventsPerDay, days: 1, rateLimit: { limit: 40, windowMs: 1000 } });
  cleanups.push(() => sim.close());
  const partitions = 3;
  const instances = instancePerPartition(partitions);
  const config = testConfig(Object.fromEntries([['okta', Object.fromEntries(instances.map((id) => [id, simulatorInstance('okta', sim, { logPageSize: 50 })]))]]));
  assert.equal(config.kafka.partitions, partitions);
  // The API lists the configured instances, as the workers last recorded them in the cursors topic.
  const stack = await startAppwarden({ config, log: testLog, roles: ['sink', 'api'] });
  cleanups.push(() => stack.stop());
  return { sim, instances, stack, configFile: workerConfigFile(config, TAKEOVER_MS), total: sim.eventsFor().length * instances.length };
}

function worker(configFile: string): ConnectorWorker {
  const w = startConnectorWorker(configFile);
  testLog.info({ worker: w.label, log: w.logFile }, 'connector worker started');
  cleanups.push(async () => {
    if (w.child.exitCode === null && w.child.signalCode === null) {
      w.child.kill('SIGTERM');
      await w.exited;
    }
  });
  return w;
}

async function count(stack: RunningAppwarden, sql: string): Promise<number> {
  return (await stack.clickhouse!.query<{ n: number }>(sql))[0]?.n ?? 0;
}

/** Which worker `/v1/connectors` shows running each instance (read from the cursors topic by the API process). */
async function shownWorkers(stack: RunningAppwarden): Promise<Map<string, string | undefined>> {
  const res = await stack.app!.inject({ url: '/v1/connectors', headers: ADMIN_HEADERS });
  assert.equal(res.statusCode, 200, res.body);
  const items = (res.json() as { items: Array<{ instance: string; phase: string; worker?: string }> }).items;
  return new Map(items.filter((i) => i.phase !== 'stopped').map((i) => [i.instance, i.worker]));
}

/** Every event of every instance is listed by the API exactly once. */
async function assertStoredOnce(s: Setup): Promise<void> {
  assert.equal(await count(s.stack, 'SELECT count() AS n FROM activities FINAL'), s.total);
  assert.equal(await count(s.stack, 'SELECT uniqExact(event_id) AS n FROM activities'), s.total);
  const from = new Date(Date.now() - 3 * 86_400_000).toISOString();
  const to = new Date(Date.now() + 60_000).toISOString();
  for (const instance of s.instances) {
    const res = await s.stack.app!.inject({ headers: ADMIN_HEADERS, url: `/v1/activities?provider=okta&instance=${instance}&from=${from}&to=${to}&format=ndjson` });
    assert.equal(res.statusCode, 200);
    const ids = res.body.split('\n').filter((l) => l.trim() !== '').map((l) => (JSON.parse(l) as { event_id: string }).event_id);
    const expected = s.sim.eventsFor().map((e) => eventId('okta', instance, String(e.uuid)));
    assert.equal(ids.length, expected.length, `${instance}: every event listed once`);
    assert.deepEqual(new Set(ids), new Set(expected));
  }
}

test('two connector workers: each instance is run by exactly one of them, and both run some', async () => {
  const s = await setUp('workers-two', 2000);
  const a = worker(s.configFile);
  const b = worker(s.configFile);
  // Both in the group and running: /v1/connectors names a worker for every instance, and both workers appear.
  const shown = await waitFor(async () => {
    const byInstance = await shownWorkers(s.stack);
    const labels = new Set(byInstance.values());
    return s.instances.every((i) => byInstance.get(i)) && labels.has(a.label) && labels.has(b.label) ? byInstance : null;
  }, { what: 'every instance shown running, on both workers', timeoutMs: 200_000 });
  await waitFor(async () => (await count(s.stack, 'SELECT count() AS n FROM activities FINAL')) === s.total, { what: `${s.total} events stored`, timeoutMs: 180_000 });
  await assertStoredOnce(s);

  const intervals = runIntervals([a, b]);
  assert.deepEqual(overlaps(intervals), [], 'no instance ran on two workers at once');
  for (const instance of s.instances) {
    const running = intervals.filter((i) => i.instance === instance && i.stoppedAt === null);
    assert.equal(running.length, 1, `${instance} runs on exactly one worker`);
    assert.equal(running[0]!.worker, shown.get(instance), `${instance}: /v1/connectors names the worker that runs it`);
  }
  assert.ok(new Set(intervals.filter((i) => i.stoppedAt === null).map((i) => i.worker)).size === 2, 'both workers run instances');
});

test('two connector workers, one killed (SIGKILL) in the middle of a scan: the other takes its instances over, every event is stored exactly once', async () => {
  const s = await setUp('workers-kill', 4000);
  const a = worker(s.configFile);
  const b = worker(s.configFile);
  // Both run instances, and the scans are under way.
  const shown = await waitFor(async () => {
    const labels = new Set((await shownWorkers(s.stack)).values());
    const stored = await count(s.stack, 'SELECT count() AS n FROM activities FINAL');
    return labels.has(a.label) && labels.has(b.label) && stored >= 300 ? await shownWorkers(s.stack) : null;
  }, { what: 'both workers running instances, the scans under way', timeoutMs: 120_000 });
  const victimInstances = s.instances.filter((i) => shown.get(i) === a.label);
  assert.ok(victimInstances.length > 0);

  a.child.kill('SIGKILL');
  await a.exited;
  const killedAt = Date.now();
  const atKill = await count(s.stack, 'SELECT count() AS n FROM activities FINAL');
  assert.ok(atKill < s.total, `killed midway (${atKill} of ${s.total} stored)`);

  // The survivor takes the instances over and finishes their scans from the saved cursors.
  await waitFor(async () => {
    const byInstance = await shownWorkers(s.stack);
    return victimInstances.every((i) => byInstance.get(i) === b.label);
  }, { what: 'the killed worker\'s instances shown on the survivor', timeoutMs: 120_000 });
  const takenOverAfterMs = Date.now() - killedAt;
  await waitFor(async () => (await count(s.stack, 'SELECT count() AS n FROM activities FINAL')) === s.total, { what: `${s.total} events stored`, timeoutMs: 180_000 });
  // A few more polls may not double anything.
  const requests = s.sim.requests.byFamily.logs ?? 0;
  await waitFor(() => (s.sim.requests.byFamily.logs ?? 0) > requests + 6, { what: 'more polls' });
  await assertStoredOnce(s);

  const intervals = runIntervals([a, b]);
  assert.deepEqual(overlaps(intervals, new Map([[a.label, killedAt]])), [], 'no instance ran on two workers at once');
  for (const instance of victimInstances) {
    assert.ok(intervals.some((i) => i.worker === b.label && i.instance === instance && i.startedAt >= killedAt - 1000), `${instance} started on the survivor after the kill`);
  }
  testLog.info({ takenOverAfterMs, takeoverBoundMs: TAKEOVER_MS }, 'instances taken over');
});
