import { randomBytes, randomUUID } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { isAppwardenError } from './errors.js';
import { createKafkaBus, type ConsumedRecord, type ConsumerHandle, type KafkaBus } from './kafka.js';
import { resolveKafkaBrokers, type KafkaBrokers } from './local-kafka.js';
import { silentLogger } from './logger.js';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

let kafka: KafkaBrokers;
const open: KafkaBus[] = [];

before(async () => {
  kafka = await resolveKafkaBrokers(process.env, { projectRoot, log: silentLogger });
});

after(async () => {
  await kafka?.stop();
});

afterEach(async () => {
  for (const bus of open.splice(0)) {
    await bus.deleteTopics().catch(() => undefined);
    await bus.disconnect();
  }
});

function freshBus(options: { retries?: number } = {}): KafkaBus {
  const bus = createKafkaBus({
    brokers: kafka.brokers,
    clientId: 'kafka-test',
    prefix: `t-${randomUUID().slice(0, 8)}`,
    partitions: 3,
    replicationFactor: 1,
    log: silentLogger,
    ...options,
  });
  open.push(bus);
  return bus;
}

function freshGroup(): string {
  return `g-${randomUUID()}`;
}

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** Consumes with a group, committing after each batch, and collects what arrives. */
async function collect(
  bus: KafkaBus,
  topics: string[],
  groupId = freshGroup(),
): Promise<{ records: ConsumedRecord[]; consumer: ConsumerHandle }> {
  const records: ConsumedRecord[] = [];
  const consumer = await bus.consume({
    groupId,
    topics,
    fromBeginning: true,
    heartbeatIntervalMs: 500,
    maxWaitTimeMs: 200,
    eachBatch: async (batch, ctx) => {
      records.push(...batch.records);
      await ctx.commit();
    },
  });
  return { records, consumer };
}

const text = (b: Buffer | null): string | null => (b === null ? null : b.toString('utf8'));

describe('kafka bus', () => {
  test('topic names follow the prefix', () => {
    const bus = freshBus();
    const p = bus.topics.audit.slice(0, -'.audit'.length);
    assert.deepEqual(bus.topics, {
      audit: `${p}.audit`,
      account: `${p}.account`,
      file: `${p}.file`,
      alert: `${p}.alert`,
      governanceCommand: `${p}.governance.command`,
      governanceResult: `${p}.governance.result`,
      deadLetter: `${p}.deadletter`,
      cursors: `${p}.cursors`,
      governanceState: `${p}.governance.state`,
      policyState: `${p}.policy.state`,
      policies: `${p}.policies`,
      policyRegroup: `${p}.policy.regroup`,
      policyProposals: `${p}.policy.proposals`,
      apiKeys: `${p}.api_keys`,
      connections: `${p}.connections`,
      auditTrail: `${p}.audit_trail`,
      connectorOwners: `${p}.connector.owners`,
    });
  });

  test('ensureTopics creates the topics once and is fine when they exist', async () => {
    const bus = freshBus();
    const created = await bus.ensureTopics();
    assert.deepEqual([...created].sort(), Object.values(bus.topics).sort());
    assert.deepEqual(await bus.ensureTopics(), []);
    const lag = await bus.fetchLag(freshGroup(), [bus.topics.audit, bus.topics.cursors]);
    assert.deepEqual(
      lag.map((l) => `${l.topic}/${l.partition}`),
      [`${bus.topics.audit}/0`, `${bus.topics.audit}/1`, `${bus.topics.audit}/2`, `${bus.topics.cursors}/0`],
    );
  });

  test('two consumers in one group split the partitions between them', async () => {
    const bus = freshBus();
    await bus.ensureTopics();
    const groupId = freshGroup();
    const a = await collect(bus, [bus.topics.audit], groupId);
    await waitFor('the first member to own all partitions', () => a.consumer.assignment().length === 3);
    const b = await collect(bus, [bus.topics.audit], groupId);
    await waitFor(
      'the partitions to be shared',
      () => a.consumer.assignment().length > 0 && b.consumer.assignment().length > 0 && a.consumer.assignment().length + b.consumer.assignment().length === 3,
    );
    const ofA = new Set(a.consumer.assignment().map((p) => p.partition));
    const ofB = new Set(b.consumer.assignment().map((p) => p.partition));
    assert.equal(new Set([...ofA, ...ofB]).size, 3);

    await bus.send(bus.topics.audit, Array.from({ length: 60 }, (_, i) => ({ key: `user-${i}`, value: Buffer.from(String(i)) })));
    await waitFor('60 messages across both members', () => a.records.length + b.records.length === 60);
    assert.ok(a.records.every((r) => ofA.has(r.partition)));
    assert.ok(b.records.every((r) => ofB.has(r.partition)));
    assert.ok(a.records.length > 0 && b.records.length > 0);
    await waitFor('all committed', async () => (await bus.fetchLag(groupId, [bus.topics.audit])).every((l) => l.lag === 0));

    // When one member leaves, the other takes over its partitions and reads only what is new.
    await a.consumer.stop();
    await waitFor('the remaining member to own all partitions', () => b.consumer.assignment().length === 3);
    const before = b.records.length;
    await bus.send(bus.topics.audit, Array.from({ length: 30 }, (_, i) => ({ key: `user-${i}`, value: Buffer.from(`late-${i}`) })));
    await waitFor('30 more messages on the remaining member', () => b.records.length === before + 30);
    assert.ok(b.records.slice(before).every((r) => text(r.value)!.startsWith('late-')));
  });

  test('a restarted consumer resumes after the last commit: nothing lost, nothing read again', async () => {
    const bus = freshBus();
    await bus.ensureTopics();
    const groupId = freshGroup();
    const topic = bus.topics.audit;
    const message = (i: number) => ({ key: 'one-entity', value: Buffer.from(String(i)) });
    await bus.send(topic, Array.from({ length: 10 }, (_, i) => message(i)));

    // The first member finishes the work of messages 0..5 only, and commits that.
    const seen: ConsumedRecord[] = [];
    const first = await bus.consume({
      groupId,
      topics: [topic],
      fromBeginning: true,
      maxWaitTimeMs: 200,
      eachBatch: async (batch) => {
        seen.push(...batch.records);
      },
    });
    await waitFor('10 messages', () => seen.length === 10);
    const sixth = seen.find((r) => text(r.value) === '5')!;
    await first.commit([sixth]);
    await first.stop();

    const lag = (await bus.fetchLag(groupId, [topic])).find((l) => l.partition === sixth.partition)!;
    assert.equal(lag.committed, sixth.offset + 1);
    assert.equal(lag.lag, 4);

    await bus.send(topic, Array.from({ length: 5 }, (_, i) => message(10 + i)));
    const { records } = await collect(bus, [topic], groupId);
    await waitFor('9 messages', () => records.length >= 9);
    assert.deepEqual(records.map((r) => Number(text(r.value))), [6, 7, 8, 9, 10, 11, 12, 13, 14]);
    await waitFor('lag 0', async () => (await bus.fetchLag(groupId, [topic])).every((l) => l.lag === 0));
  });

  test('a batch whose handler failed is delivered again', async () => {
    const bus = freshBus();
    await bus.ensureTopics();
    await bus.send(bus.topics.alert, [{ key: 'k', value: Buffer.from('only') }]);
    let calls = 0;
    const handled: string[] = [];
    const consumer = await bus.consume({
      groupId: freshGroup(),
      topics: [bus.topics.alert],
      fromBeginning: true,
      maxWaitTimeMs: 200,
      eachBatch: async (batch, ctx) => {
        calls++;
        if (calls === 1) throw new Error('the sink was down');
        handled.push(...batch.records.map((r) => text(r.value)!));
        await ctx.commit();
      },
    });
    await waitFor('the redelivery', () => handled.length === 1);
    assert.deepEqual(handled, ['only']);
    await consumer.stop();
  });

  test('readCompactedTopic returns what was written before the call, latest value per key last', async () => {
    const bus = freshBus();
    await bus.ensureTopics();
    assert.deepEqual(await bus.readCompactedTopic(bus.topics.cursors), []);
    const put = (key: string, value: string) => ({ key, value: Buffer.from(value) });
    await bus.send(bus.topics.cursors, [put('okta.a/activities', '1'), put('okta.b/activities', '1'), put('okta.a/activities', '2')]);
    await bus.send(bus.topics.cursors, [put('okta.b/activities', '2'), put('box.x/files', '7')]);

    const latest = async () => {
      const state = new Map<string, string>();
      for (const r of await bus.readCompactedTopic(bus.topics.cursors, { timeoutMs: 20_000 })) state.set(text(r.key)!, text(r.value)!);
      return Object.fromEntries(state);
    };
    const expected = { 'okta.a/activities': '2', 'okta.b/activities': '2', 'box.x/files': '7' };
    assert.deepEqual(await latest(), expected);
    // Reading commits nothing, so a second read sees the same.
    assert.deepEqual(await latest(), expected);
  });

});
