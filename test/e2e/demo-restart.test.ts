import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { startAppwarden, type RunningAppwarden } from '../../cli/start.js';
import { simulatorDemos } from '../../simulators/registry.js';
import { testConfig, testLog } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Resolves once every activity stream of every instance has completed a poll in this run. */
async function firstPollsDone(running: RunningAppwarden): Promise<void> {
  await waitFor(() => {
    const streams = (running.runtime?.statuses() ?? []).flatMap((s) => s.streams.filter((st) => st.kind === 'activities'));
    return streams.length > 0 && streams.every((st) => st.lastSuccessAt !== null);
  }, { what: 'a completed poll of every activity stream', timeoutMs: 240_000 });
}

test('the demo tenants stopped and started again with the same data: every event is stored once, at one time', async () => {
  // No connector configured: `appwarden start` runs the simulated tenants of simulators/registry.ts (small ones).
  const config = { ...testConfig({}), simulate: true };
  const start = async () => {
    const running = await startAppwarden({ config, log: testLog, progressIntervalMs: 60_000, smallDemo: true });
    cleanups.push(() => running.stop());
    await firstPollsDone(running);
    return running;
  };
  const query = async (running: RunningAppwarden, sql: string) => (await running.clickhouse!.query<{ provider: string; n: number }>(sql));
  const perProvider = async (running: RunningAppwarden, sql: string) => Object.fromEntries((await query(running, sql)).map((r) => [r.provider, Number(r.n)]));

  const first = await start();
  const before = await perProvider(first, 'SELECT provider, count() AS n FROM activities FINAL GROUP BY provider');
  for (const demo of simulatorDemos()) assert.ok((before[demo.provider] ?? 0) > 0, `the ${demo.provider} demo tenant was read (${before[demo.provider]} events)`);
  await first.stop();

  // The same Kafka topics (and saved cursors), the same database: the restarted connectors re-read their trailing windows.
  const second = await start();
  // Rows and distinct ids counted by one query: the demo tenants are live, and an event stored between two
  // queries would count in one and not the other.
  const counts = await second.clickhouse!.query<{ provider: string; n: number; d: number }>(
    'SELECT provider, count() AS n, uniqExact(event_id) AS d FROM activities FINAL GROUP BY provider');
  const stored = Object.fromEntries(counts.map((r) => [r.provider, Number(r.n)]));
  const distinct = Object.fromEntries(counts.map((r) => [r.provider, Number(r.d)]));
  for (const demo of simulatorDemos()) {
    assert.ok(stored[demo.provider]! >= before[demo.provider]!, `${demo.provider}: nothing lost`);
    assert.equal(stored[demo.provider], distinct[demo.provider], `${demo.provider}: every event once (no event_id stored at a second time)`);
  }
});
