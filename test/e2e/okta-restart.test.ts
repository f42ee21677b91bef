import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startAppwarden } from '../../cli/start.js';
import { eventId } from '../../schemas/event-id.js';
import { startOktaSimulator } from '../../simulators/okta/index.js';
import { freshDir } from '../support/fresh.js';
import { ADMIN_HEADERS, testConfig, testLog } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import { simulatorInstance } from '../support/simulators.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Runs `appwarden start --roles connectors` in its own process, as a scaled-out connector worker would run. */
function startConnectorProcess(configFile: string): ChildProcess {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/appwarden.mjs'), 'start', '--roles', 'connectors'], {
    cwd: ROOT,
    env: { ...process.env, APPWARDEN_CONFIG: configFile, LOG_FORMAT: 'json', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  cleanups.push(async () => { if (child.exitCode === null) child.kill('SIGKILL'); });
  return child;
}

test('a connector killed (SIGKILL) in the middle of a scan resumes from its cursor; every event is stored exactly once', async () => {
  // Pages of 50 under a tight rate limit: the first scan takes several seconds, long enough to kill it midway.
  const sim = await startOktaSimulator({ log: testLog, seed: 'restart', users: 20, eventsPerDay: 12_000, days: 1, rateLimit: { limit: 40, windowMs: 1000 } });
  cleanups.push(() => sim.close());
  const total = sim.eventsFor().length;
  const pagesForOneScan = Math.ceil(total / 50);

  const config = testConfig({ okta: { main: simulatorInstance('okta', sim, { logPageSize: 50 }) } });
  const configFile = path.join(freshDir('appwarden-restart'), 'appwarden.json');
  writeFileSync(configFile, JSON.stringify({ kafka: config.kafka, connectors: config.connectors, simulate: false }));

  const stack = await startAppwarden({ config: { ...config, connectors: {} }, log: testLog, roles: ['sink', 'api'] });
  cleanups.push(() => stack.stop());
  const clickhouse = stack.clickhouse!;
  const count = async (sql: string) => (await clickhouse.query<{ n: number }>(sql))[0]?.n ?? 0;

  const first = startConnectorProcess(configFile);
  await waitFor(async () => (await count('SELECT count() AS n FROM activities FINAL')) >= 500, { what: 'the first scan under way', timeoutMs: 120_000 });
  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));
  const atKill = await count('SELECT count() AS n FROM activities FINAL');
  assert.ok(atKill < total, `the scan was killed midway (${atKill} of ${total} stored)`);

  startConnectorProcess(configFile);
  await waitFor(async () => (await count('SELECT count() AS n FROM activities FINAL')) === total, { what: `${total} events stored`, timeoutMs: 180_000 });
  // Give a few more polls the chance to duplicate anything, then check again.
  const requestsAtEnd = sim.requests.byFamily.logs ?? 0;
  await waitFor(() => (sim.requests.byFamily.logs ?? 0) > requestsAtEnd + 3, { what: 'more polls' });
  assert.equal(await count('SELECT count() AS n FROM activities FINAL'), total);
  assert.equal(await count('SELECT uniqExact(event_id) AS n FROM activities'), total);
  // The restarted process resumed from the cursor instead of reading the whole history again.
  assert.ok((sim.requests.byFamily.logs ?? 0) < 2 * pagesForOneScan, `log requests ${sim.requests.byFamily.logs} < two full scans (${2 * pagesForOneScan})`);

  const expected = new Set(sim.eventsFor().map((e) => eventId('okta', 'main', String(e.uuid))));
  const seen: string[] = [];
  const from = new Date(Date.now() - 3 * 86_400_000).toISOString();
  const to = new Date(Date.now() + 60_000).toISOString();
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const res: { statusCode: number; json(): unknown } = await stack.app!.inject({ headers: ADMIN_HEADERS, url: `/v1/activities?provider=okta&instance=main&from=${from}&to=${to}&limit=1000${cursor ? `&cursor=${cursor}` : ''}` });
    assert.equal(res.statusCode, 200);
    const body = res.json() as { items: Array<{ event_id: string }>; next_cursor: string | null };
    seen.push(...body.items.map((i) => i.event_id));
    cursor = body.next_cursor;
    if (!cursor) break;
  }
  assert.equal(seen.length, total, 'the API returns every event once');
  assert.deepEqual(new Set(seen), expected);
});
