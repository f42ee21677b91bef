/**
 * The bus's producer, each client in turn (librdkafka and kafkajs), against the real broker: what a
 * publisher relies on (acknowledged means stored, order per key, murmur2 partitions, large sends,
 * refused messages, closing).
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isAppwardenError } from '../errors.js';
import { createKafkaBus, messageSize, partitionOfKey, type ConsumedRecord, type KafkaBus, type KafkaBusOptions } from '../kafka.js';
import { silentLogger } from '../logger.js';
import { testBrokers } from '../../test/support/fresh.js';

const open: KafkaBus[] = [];

after(async () => {
  for (const bus of open.splice(0)) {
    await bus.deleteTopics().catch(() => undefined);
    await bus.disconnect();
  }
});

const text = (b: Buffer | null): string | null => (b === null ? null : b.toString('utf8'));

for (const client of ['rdkafka', 'kafkajs'] as const) {
  describe(`producer: ${client}`, () => {
    function freshBus(options: Partial<KafkaBusOptions> = {}): KafkaBus {
      const bus = createKafkaBus({
        brokers: testBrokers(),
        clientId: 'producer-test',
        prefix: `p-${randomUUID().slice(0, 8)}`,
        partitions: 3,
        replicationFactor: 1,
        log: silentLogger,
        producerClient: client,
        ...options,
      });
      assert.equal(bus.producerClient, client);
      open.push(bus);
      return bus;
    }

    /** Everything in the topic now, in offset order per partition. */
    const stored = (bus: KafkaBus, topic: string): Promise<ConsumedRecord[]> => bus.readCompactedTopic(topic, { timeoutMs: 60_000 });

    test('an acknowledged message is stored with the same key, bytes and headers; a null value is a tombstone', async () => {
      const bus = freshBus();
      await bus.ensureTopics();
      const value = randomBytes(2048);
      const before = Date.now();
      await bus.send(bus.topics.audit, [
        { key: 'user-1', value, headers: { 'content-type': 'application/avro', 'x-schema': 'abc' } },
        { key: Buffer.from([0, 1, 2]), value: null },
      ]);
      const records = await stored(bus, bus.topics.audit);
      assert.equal(records.length, 2);
      const first = records.find((r) => text(r.key) === 'user-1')!;
      assert.deepEqual(first.value, value);
      assert.deepEqual(first.headers, { 'content-type': 'application/avro', 'x-schema': 'abc' });
      assert.ok(first.timestamp >= before - 60_000 && first.timestamp <= Date.now() + 60_000);
      const tombstone = records.find((r) => r !== first);
      assert.deepEqual(tombstone?.key, Buffer.from([0, 1, 2]));
      assert.equal(tombstone?.value, null);
    });

    test('each key goes to the partition partitionOfKey names (murmur2, as the connector owners expect)', async () => {
      const bus = freshBus({ partitions: 6 });
      await bus.ensureTopics();
      const keys = [
        ...Array.from({ length: 1500 }, (_, i) => `okta/instance-${i}`),
        ...Array.from({ length: 300 }, () => randomUUID()),
        'ünïcødé/日本語', '', 'a', 'box/main/file-42',
      ];
      await bus.send(bus.topics.audit, keys.map((key) => ({ key, value: Buffer.from('x') })));
      const records = await stored(bus, bus.topics.audit);
      assert.equal(records.length, keys.length);
      const wrong = records.filter((r) => r.partition !== partitionOfKey(text(r.key)!, 6));
      assert.deepEqual(wrong.map((r) => `${text(r.key)} -> ${r.partition}`), []);
      assert.equal(new Set(records.map((r) => r.partition)).size, 6);
    });

    test('messages with one key stay in order, across sends and concurrent sends', async () => {
      const bus = freshBus();
      await bus.ensureTopics();
      const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
      const sent = Array.from({ length: 300 }, (_, i) => ({ key: keys[i % keys.length]!, value: Buffer.from(String(i)) }));
      await bus.send(bus.topics.account, sent.slice(0, 150));
      await bus.send(bus.topics.account, sent.slice(150));
      await Promise.all(Array.from({ length: 8 }, (_, s) =>
        bus.send(bus.topics.file, Array.from({ length: 50 }, (_, i) => ({ key: 'same', value: Buffer.from(`${s}-${i}`) })))));

      const accounts = await stored(bus, bus.topics.account);
      assert.equal(accounts.length, 300);
      for (const key of keys) {
        const mine = accounts.filter((r) => text(r.key) === key);
        assert.equal(new Set(mine.map((r) => r.partition)).size, 1, `key ${key} spans partitions`);
        assert.deepEqual(mine.map((r) => Number(text(r.value))), sent.filter((m) => m.key === key).map((m) => Number(m.value.toString())));
      }
      const files = await stored(bus, bus.topics.file);
      assert.equal(files.length, 400, 'each concurrent send stored exactly once');
      assert.equal(new Set(files.map((r) => text(r.value))).size, 400);
      for (let s = 0; s < 8; s++) {
        const ofSend = files.filter((r) => text(r.value)!.startsWith(`${s}-`)).map((r) => Number(text(r.value)!.split('-')[1]));
        assert.deepEqual(ofSend, Array.from({ length: 50 }, (_, i) => i), `send ${s} out of order`);
      }
    });

    test('a send larger than one request is split and fully acknowledged, in order', async () => {
      const bus = freshBus();
      await bus.ensureTopics();
      // 30 MB into one partition: many times what the broker takes in one record batch (1 MB by default).
      const sent = Array.from({ length: 30_000 }, (_, i) => ({ key: 'bulk', value: Buffer.concat([Buffer.from(`${i}:`), randomBytes(1000)]) }));
      await bus.send(bus.topics.audit, sent);
      const lag = await bus.fetchLag(`g-${randomUUID()}`, [bus.topics.audit]);
      assert.equal(lag.reduce((n, l) => n + l.highWatermark, 0), 30_000);
      const records = await stored(bus, bus.topics.audit);
      assert.deepEqual(records.map((r) => Number(text(r.value)!.split(':')[0])), sent.map((_, i) => i));
    });

    test('a message of the largest size a publisher lets through is stored; a larger one fails the send, not retriable', async () => {
      const bus = freshBus();
      await bus.ensureTopics();
      const key = 'big';
      const largest = { key, value: randomBytes(bus.maxMessageBytes - messageSize({ key, value: Buffer.alloc(0) })) };
      assert.equal(messageSize(largest), bus.maxMessageBytes);
      await bus.send(bus.topics.audit, [largest, { key, value: Buffer.from('after') }]);
      const records = await stored(bus, bus.topics.audit);
      assert.deepEqual(records.map((r) => r.value!.length), [largest.value.length, 5]);

      await assert.rejects(bus.send(bus.topics.audit, [{ key: 'k', value: randomBytes(1_500_000) }]), (err) => {
        assert.ok(isAppwardenError(err, 'AW_KAFKA_FAILED'), String(err));
        assert.equal(err.retriable, false);
        assert.match(String(err.details.kafkaError), /SIZE_TOO_LARGE|MESSAGE_TOO_LARGE/);
        return true;
      });
    });

    test('sending to a topic that does not exist fails with AW_KAFKA_FAILED', async () => {
      // librdkafka holds a message for a topic it cannot find until the delivery timeout (30 s by default).
      const bus = freshBus({ retries: 1, deliveryTimeoutMs: 3000 });
      await assert.rejects(bus.send(`${bus.topics.audit}.missing`, [{ key: 'k', value: Buffer.from('v') }]), (err) => {
        assert.ok(isAppwardenError(err, 'AW_KAFKA_FAILED'), String(err));
        assert.match(err.message, /^send: /);
        assert.equal(err.details.topic, `${bus.topics.audit}.missing`);
        return true;
      });
    });

    test('with no broker answering, a send fails retriable instead of waiting forever', async () => {
      const bus = createKafkaBus({
        brokers: ['127.0.0.1:9'], clientId: 'producer-test', prefix: 'nobroker', partitions: 1, replicationFactor: 1, log: silentLogger,
        producerClient: client, retries: 1, requestTimeoutMs: 2000, connectionTimeoutMs: 1000, deliveryTimeoutMs: 3000,
      });
      await assert.rejects(bus.send('nobroker.audit', [{ key: 'k', value: Buffer.from('v') }]), (err) => {
        assert.ok(isAppwardenError(err, 'AW_KAFKA_FAILED'), String(err));
        assert.equal(err.retriable, true);
        return true;
      });
      await bus.disconnect();
    });

    test('disconnect delivers what was queued, and a process that used the bus exits by itself', async () => {
      const topic = `p-${randomUUID().slice(0, 8)}`;
      const script = `
        import { createKafkaBus } from ${JSON.stringify(new URL('../kafka.ts', import.meta.url).href)};
        import { silentLogger } from ${JSON.stringify(new URL('../logger.ts', import.meta.url).href)};
        const bus = createKafkaBus({ brokers: ${JSON.stringify(testBrokers())}, clientId: 'exit-test', prefix: ${JSON.stringify(topic)},
          partitions: 1, replicationFactor: 1, log: silentLogger, producerClient: ${JSON.stringify(client)} });
        await bus.ensureTopics();
        await bus.send(bus.topics.audit, [{ key: 'k', value: Buffer.from('first') }]);
        const queued = bus.send(bus.topics.audit, Array.from({ length: 1000 }, (_, i) => ({ key: 'k', value: Buffer.from('queued-' + i) })));
        const outcome = queued.then(() => 'delivered', (err) => 'failed: ' + err.message);
        ${client === 'kafkajs' ? 'await outcome;' : ''}
        await bus.disconnect();
        process.stdout.write(await outcome);
      `;
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let errors = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (errors += d.toString()));
      const code = await new Promise<number | null>((resolve) => {
        // A hang detector, not a timing: a process that never exits is the failure.
        const hang = setTimeout(() => child.kill('SIGKILL'), 120_000);
        child.on('exit', (c) => {
          clearTimeout(hang);
          resolve(c);
        });
      });
      assert.equal(code, 0, `the process did not exit cleanly: ${errors} (stdout: ${out})`);
      assert.equal(errors, '', 'nothing written to stderr');
      const bus = freshBus({ prefix: topic, partitions: 1 });
      const records = await stored(bus, bus.topics.audit);
      // librdkafka delivers its queue on disconnect. kafkajs does not: its process is made to wait for the send
      // (disconnecting it with a send in flight leaves a connection open and the process running).
      assert.equal(out, 'delivered');
      assert.equal(records.length, 1001);
    });

    test('a closed bus refuses work and disconnect can be called twice', async () => {
      const bus = freshBus();
      await bus.ensureTopics();
      await bus.send(bus.topics.audit, [{ key: 'k', value: Buffer.from('v') }]);
      await bus.deleteTopics();
      await bus.disconnect();
      await bus.disconnect();
      await assert.rejects(bus.send(bus.topics.audit, []), (err) => isAppwardenError(err, 'AW_KAFKA_FAILED') && !err.retriable);
    });
  });
}
