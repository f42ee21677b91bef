import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { openClickHouse } from '../../core/clickhouse.js';
import { createKafkaBus } from '../../core/kafka.js';
import { eventId } from '../../schemas/event-id.js';
import { auditKey } from '../../schemas/keys.js';
import { encode } from '../../schemas/registry.js';
import { FULL_RECORDS } from '../../schemas/testdata/sample-records.js';
import { freshName, testBrokers } from '../../test/support/fresh.js';
import { testDataDir, testLog } from '../../test/support/stack.js';
import { waitFor } from '../../test/support/wait-for.js';
import { ClickHouseSink } from './sink.js';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Makes a folder unwritable; root ignores permission bits, so as root it gets the immutable attribute. */
function readOnly(folder: string, on: boolean): void {
  const args = process.getuid?.() === 0 ? ['chattr', '-R', on ? '+i' : '-i', folder] : ['chmod', '-R', on ? 'a-w' : 'u+w', folder];
  const out = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8' });
  assert.equal(out.status, 0, `${args.join(' ')}: ${out.stderr}`);
}

test('while ClickHouse refuses inserts (a read-only table folder) the sink says it is failing and commits nothing; afterwards it stores every event once', async () => {
  const bus = createKafkaBus({ brokers: testBrokers(), clientId: 'sink-failing', prefix: freshName('sinkf'), partitions: 3, replicationFactor: 1, log: testLog });
  cleanups.push(() => bus.disconnect());
  await bus.ensureTopics();
  const clickhouse = await openClickHouse({ dataDir: testDataDir(), database: freshName('sinkf'), log: testLog });
  cleanups.push(() => clickhouse.close());
  const groupId = freshName('group');
  const sink = new ClickHouseSink({ bus, clickhouse, log: testLog, groupId, maxBatchRows: 100, flushIntervalMs: 100, governanceSigningKey: randomBytes(32) });
  await sink.start();
  cleanups.push(() => sink.stop());
  const base = FULL_RECORDS['audit-event'];
  const events = Array.from({ length: 300 }, (_, i) => ({ ...base, event_id: eventId('okta', 'main', `late-${i}`), occurred_at: Date.UTC(2026, 10, 1) + i * 1000 }));
  const send = (from: number, to: number) => bus.send(bus.topics.audit, events.slice(from, to).map((e) => ({ key: auditKey(e), value: encode('audit-event', e) })));
  const stored = async () => (await clickhouse.query<{ n: number }>('SELECT count() AS n FROM activities FINAL'))[0]?.n ?? 0;
  const committed = async () => (await bus.fetchLag(groupId, [bus.topics.audit])).map((p) => p.committed ?? -1).join(',');

  await send(0, 50);
  await waitFor(async () => (await stored()) === 50, { what: 'the first 50 rows' });
  await waitFor(async () => (await bus.fetchLag(groupId, [bus.topics.audit])).every((p) => p.lag === 0), { what: 'their offsets committed' });
  const [{ path: folder } = { path: '' }] = await clickhouse.query<{ path: string }>(
    "SELECT data_paths[1] AS path FROM system.tables WHERE database = {db:String} AND name = 'activities'", { db: clickhouse.database });
  assert.ok(folder, 'the table has a data folder');
  readOnly(folder, true);
  try {
    const before = await committed();
    await send(50, 300);
    await waitFor(() => sink.getStats().state === 'failing', { what: 'the sink failing' });
    // Past maxBatchRows the sink stops consuming and retries; give it a few attempts.
    await waitFor(() => sink.getStats().failedInserts >= 3, { what: 'a few failed inserts' });
    const stats = sink.getStats();
    assert.ok(stats.failingSince && stats.lastError, 'it says since when and why');
    assert.equal(await committed(), before, 'no offset committed while no insert succeeded');
    assert.equal(await stored(), 50);
  } finally {
    readOnly(folder, false);
  }
  await waitFor(async () => (await stored()) === 300, { what: 'all 300 rows', timeoutMs: 120_000 });
  await waitFor(() => sink.getStats().state === 'ok', { what: 'the sink ok again' });
  const rows = await clickhouse.query<{ n: number }>('SELECT count() AS n FROM (SELECT event_id FROM activities FINAL GROUP BY event_id HAVING count() > 1)');
  assert.equal(rows[0]?.n, 0, 'no event twice');
  assert.equal(sink.getStats().failingSince, null);
});
