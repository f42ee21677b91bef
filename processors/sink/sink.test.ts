import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { openClickHouse, type ClickHouse } from '../../core/clickhouse.js';
import { createKafkaBus, type ConsumedRecord, type KafkaBus } from '../../core/kafka.js';
import type { DeadLetter } from '../../ingestors/runtime/dead-letter.js';
import { eventId } from '../../schemas/event-id.js';
import { auditKey } from '../../schemas/keys.js';
import { encode } from '../../schemas/registry.js';
import { FULL_RECORDS } from '../../schemas/testdata/sample-records.js';
import type { AuditEvent } from '../../schemas/types.js';
import { freshName, testBrokers } from '../../test/support/fresh.js';
import { testDataDir, testLog } from '../../test/support/stack.js';
import { waitFor } from '../../test/support/wait-for.js';
import { commandMessage } from '../governance/command-message.js';
import { ClickHouseSink } from './sink.js';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function fresh(): Promise<{ bus: KafkaBus; clickhouse: ClickHouse }> {
  const bus = createKafkaBus({ brokers: testBrokers(), clientId: 'sink-test', prefix: freshName('sink'), partitions: 3, replicationFactor: 1, log: testLog });
  cleanups.push(() => bus.disconnect());
  await bus.ensureTopics();
  const clickhouse = await openClickHouse({ dataDir: testDataDir(), database: freshName('sink'), log: testLog });
  cleanups.push(() => clickhouse.close());
  return { bus, clickhouse };
}

async function startSink(bus: KafkaBus, clickhouse: ClickHouse, groupId = freshName('group')): Promise<ClickHouseSink> {
  const sink = new ClickHouseSink({ bus, clickhouse, log: testLog, groupId, maxBatchRows: 500, flushIntervalMs: 100, governanceSigningKey: KEY });
  await sink.start();
  cleanups.push(() => sink.stop());
  return sink;
}

function events(count: number): AuditEvent[] {
  const base = FULL_RECORDS['audit-event'];
  return Array.from({ length: count }, (_, i) => ({
    ...base,
    event_id: eventId('okta', 'main', `uuid-${i}`),
    occurred_at: Date.UTC(2026, 10, 1) + i * 1000,
    actor: { ...base.actor, email: `user${i % 7}@example.com` },
  }));
}

const KEY = randomBytes(32);
const count = async (clickhouse: ClickHouse, sql: string) => (await clickhouse.query<{ n: number }>(sql))[0]?.n ?? 0;

describe('ClickHouse sink', () => {
  test('stores what the audit topic carries in large inserts, and an undecodable message goes to the dead-letter topic while the rest keep flowing', async () => {
    const { bus, clickhouse } = await fresh();
    const batch = events(1200);
    await bus.send(bus.topics.audit, batch.slice(0, 600).map((e) => ({ key: auditKey(e), value: encode('audit-event', e) })));
    await bus.send(bus.topics.audit, [{ key: 'garbage', value: Buffer.from('not avro at all') }, { key: 'empty', value: null }]);
    await bus.send(bus.topics.audit, batch.slice(600).map((e) => ({ key: auditKey(e), value: encode('audit-event', e) })));
    const sink = await startSink(bus, clickhouse);
    await waitFor(async () => (await count(clickhouse, 'SELECT count() AS n FROM activities FINAL')) === 1200, { what: '1200 rows' });
    assert.ok(sink.getStats().inserts < 1200 / 10, `rows are inserted in batches (${sink.getStats().inserts} inserts)`);

    const dead: ConsumedRecord[] = [];
    const reader = await bus.consume({ groupId: freshName('dlq'), topics: [bus.topics.deadLetter], fromBeginning: true, eachBatch: async (b) => { dead.push(...b.records); } });
    cleanups.push(() => reader.stop());
    await waitFor(() => dead.length >= 2, { what: 'two dead letters' });
    const letters = dead.map((r) => JSON.parse(r.value!.toString()) as DeadLetter);
    const garbage = letters.find((l) => l.raw === Buffer.from('not avro at all').toString('base64'));
    assert.ok(garbage, 'the raw bytes are kept (base64)');
    assert.equal(garbage.stage, 'decode');
    assert.equal(garbage.code, 'AW_DECODE_FAILED');
    assert.equal(garbage.origin?.topic, bus.topics.audit);
    assert.ok(letters.some((l) => /no value/.test(l.reason)), 'an empty message is reported too');
  });

  test('alerts, governance commands and governance results land in their tables', async () => {
    const { bus, clickhouse } = await fresh();
    await startSink(bus, clickhouse);
    const command = FULL_RECORDS['governance-command'];
    await bus.send(bus.topics.alert, [{ key: FULL_RECORDS.alert.alert_id, value: encode('alert', FULL_RECORDS.alert) }]);
    // Signed, it is stored; a forged copy claiming its id with another target (no key) is not.
    const forged = commandMessage({ ...command, target: { ...command.target, id: 'someone-else' }, created_at: command.created_at + 60_000 }, {}, randomBytes(32));
    await bus.send(bus.topics.governanceCommand, [commandMessage(command, {}, KEY), forged]);
    await bus.send(bus.topics.governanceResult, [
      { key: command.command_id, value: encode('governance-result', { ...FULL_RECORDS['governance-result'], status: 'running', attempt: 1, at: command.created_at + 1 }) },
      { key: command.command_id, value: encode('governance-result', FULL_RECORDS['governance-result']) },
    ]);
    await waitFor(async () => (await count(clickhouse, 'SELECT count() AS n FROM governance_log FINAL')) === 2, { what: 'two governance steps' });
    await waitFor(async () => (await count(clickhouse, 'SELECT count() AS n FROM alerts FINAL')) === 1, { what: 'the alert' });
    await waitFor(async () => (await count(clickhouse, 'SELECT count() AS n FROM governance_commands FINAL')) === 1, { what: 'the command' });
    const [stored] = await clickhouse.query<{ policy_id: string; params: Record<string, string>; status: string }>(
      `SELECT c.policy_id AS policy_id, c.params AS params, l.status AS status
       FROM governance_commands AS c FINAL
       JOIN (SELECT command_id, status FROM governance_log FINAL ORDER BY at DESC LIMIT 1 BY command_id) AS l ON l.command_id = c.command_id`);
    assert.deepEqual(stored, { policy_id: command.policy_id, params: command.params, status: 'failed' });
    const [target] = await clickhouse.query<{ target_id: string }>('SELECT target_id FROM governance_commands FINAL');
    assert.equal(target!.target_id, command.target.id, 'the forged copy did not replace it');
  });

  test('replaying the topic from offset 0 leaves query results unchanged', async () => {
    const { bus, clickhouse } = await fresh();
    const batch = events(800);
    await bus.send(bus.topics.audit, batch.map((e) => ({ key: auditKey(e), value: encode('audit-event', e) })));
    const first = await startSink(bus, clickhouse);
    await waitFor(async () => (await count(clickhouse, 'SELECT count() AS n FROM activities FINAL')) === 800, { what: 'first pass' });
    const snapshot = async () => clickhouse.query('SELECT user_key, count() AS n, max(occurred_at) AS last FROM activities FINAL GROUP BY user_key ORDER BY user_key');
    const before = await snapshot();
    await first.stop();

    // A new consumer group reads everything again, as after a lost offset or a deliberate replay.
    const replay = await startSink(bus, clickhouse);
    await waitFor(() => (replay.getStats().rowsInserted.activities ?? 0) >= 800, { what: 'the replay inserted' });
    assert.deepEqual(await snapshot(), before);
    assert.equal(await count(clickhouse, 'SELECT count() AS n FROM activities FINAL'), 800);
  });

  test('offsets are committed only after the insert: a restarted sink in the same group does not read the stored rows again', async () => {
    const { bus, clickhouse } = await fresh();
    const groupId = freshName('group');
    await bus.send(bus.topics.audit, events(300).map((e) => ({ key: auditKey(e), value: encode('audit-event', e) })));
    const first = await startSink(bus, clickhouse, groupId);
    await waitFor(async () => (await count(clickhouse, 'SELECT count() AS n FROM activities')) === 300, { what: 'stored' });
    await waitFor(async () => (await bus.fetchLag(groupId, [bus.topics.audit])).every((p) => p.lag === 0), { what: 'offsets committed' });
    await first.stop();
    const second = await startSink(bus, clickhouse, groupId);
    await bus.send(bus.topics.audit, events(310).slice(300).map((e) => ({ key: auditKey(e), value: encode('audit-event', e) })));
    await waitFor(async () => (await count(clickhouse, 'SELECT count() AS n FROM activities')) === 310, { what: 'the new rows' });
    // The rows are queryable a moment before the insert call returns and the sink counts them.
    await waitFor(async () => second.getStats().rowsInserted.activities !== undefined, { what: 'the insert counted' });
    assert.equal(second.getStats().rowsInserted.activities, 10, 'only the new messages were consumed');
  });
});
