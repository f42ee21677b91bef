/**
 * The librdkafka producer across a broker outage, on a broker of this file's own (its own port and data
 * folder; the suite's shared broker is never stopped): a long-lived producer's sends fail while the broker
 * is away, succeed again once it is back (stopped gracefully, or SIGKILLed with sends in flight), and
 * every acknowledged message is stored exactly once. A producer made while the broker is down recovers too.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isAppwardenError } from '../errors.js';
import { createKafkaBus, type KafkaBus, type KafkaMessage } from '../kafka.js';
import { ensureLocalKafka, stopLocalKafka } from '../local-kafka.js';
import { freePort, isAlive, readNumber, signal, sleep, waitUntil } from '../local-process.js';
import { createLogger, silentLogger } from '../logger.js';
import { freshDir } from '../../test/support/fresh.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Short, so that a send made while the broker is away fails within seconds and the producer stalls.
const DELIVERY_TIMEOUT_MS = 3000;
/** A hang detector, not a timing: a producer that does not send again within this is the failure. */
const RECOVERY_BOUND_MS = 90_000;

const dataDir = path.join(freshDir('appwarden-producer-recovery'), 'kafka');
let port = 0;
let brokers: string[] = [];
const buses: KafkaBus[] = [];

async function startBroker(): Promise<void> {
  port ||= await freePort();
  brokers = (await ensureLocalKafka({ projectRoot: ROOT, dataDir, port, log: silentLogger, javaOptions: ['-Xmx512m', '-Xms128m'] })).brokers;
}

async function stopBroker(how: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  if (how === 'SIGTERM') {
    await stopLocalKafka({ projectRoot: ROOT, dataDir, log: silentLogger });
    return;
  }
  const pid = await readNumber(path.join(dataDir, 'broker.pid'));
  assert.ok(pid, 'the broker runs');
  signal(pid, 'SIGKILL');
  assert.ok(await waitUntil(() => !isAlive(pid), 10_000), 'the broker is gone');
}

after(async () => {
  for (const bus of buses.splice(0)) await bus.disconnect();
  await stopLocalKafka({ projectRoot: ROOT, dataDir, log: silentLogger });
  await rm(path.dirname(dataDir), { recursive: true, force: true });
});

/** A bus publishing with librdkafka, and the warnings its producer logs. */
function freshBus(prefix = `rec-${randomUUID().slice(0, 8)}`): { bus: KafkaBus; warnings: string[] } {
  const warnings: string[] = [];
  const destination = new Writable({
    write(line: Buffer, _encoding, done) {
      const entry = JSON.parse(line.toString()) as { level: number; msg: string; librdkafka?: string };
      // librdkafka's own lines (connection refused and the like) are not the producer's decisions.
      if (entry.level === 40 && entry.librdkafka === undefined) warnings.push(entry.msg);
      done();
    },
  });
  const bus = createKafkaBus({
    brokers, clientId: 'producer-recovery', prefix, partitions: 3, replicationFactor: 1, producerClient: 'rdkafka',
    log: createLogger({ level: 'warn', destination }), deliveryTimeoutMs: DELIVERY_TIMEOUT_MS, requestTimeoutMs: DELIVERY_TIMEOUT_MS,
    connectionTimeoutMs: 2000,
  });
  assert.equal(bus.producerClient, 'rdkafka');
  buses.push(bus);
  return { bus, warnings };
}

const messages = (label: string, count: number): KafkaMessage[] =>
  Array.from({ length: count }, (_, i) => ({ key: `key-${i % 7}`, value: Buffer.from(`${label}-${i}`) }));

/** Sends, recording the messages of each send that was acknowledged; resolves with how it ended. */
async function sendRecorded(bus: KafkaBus, batch: KafkaMessage[], acknowledged: string[]): Promise<'acknowledged' | unknown> {
  try {
    await bus.send(bus.topics.audit, batch);
    acknowledged.push(...batch.map((m) => m.value!.toString()));
    return 'acknowledged';
  } catch (err) {
    return err;
  }
}

function assertRetriableSendFailure(outcome: unknown): void {
  assert.ok(isAppwardenError(outcome, 'AW_KAFKA_FAILED'), `a send while the broker is away fails with AW_KAFKA_FAILED, not ${String(outcome)}`);
  assert.equal(outcome.retriable, true, `retriable: ${outcome.message}`);
}

/** Sends one small batch at a time until one is acknowledged; resolves with how long that took. */
async function sendUntilAcknowledged(bus: KafkaBus, label: string, acknowledged: string[]): Promise<number> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    const outcome = await sendRecorded(bus, messages(`${label}-${attempt}`, 5), acknowledged);
    if (outcome === 'acknowledged') return Date.now() - started;
    assertRetriableSendFailure(outcome);
    assert.ok(Date.now() - started < RECOVERY_BOUND_MS, `no send acknowledged within ${RECOVERY_BOUND_MS} ms of the broker's return: ${String(outcome)}`);
    await sleep(250);
  }
}

/** Every acknowledged message is in the topic exactly once, and no message is in it twice. */
async function assertStoredOnce(bus: KafkaBus, acknowledged: string[]): Promise<void> {
  const records = await bus.readCompactedTopic(bus.topics.audit, { timeoutMs: 60_000 });
  const counts = new Map<string, number>();
  for (const r of records) counts.set(r.value!.toString(), (counts.get(r.value!.toString()) ?? 0) + 1);
  assert.deepEqual(acknowledged.filter((v) => counts.get(v) !== 1), [], 'acknowledged messages missing or stored twice');
  assert.deepEqual([...counts].filter(([, n]) => n > 1), [], 'messages stored twice');
}

for (const how of ['SIGTERM', 'SIGKILL'] as const) {
  test(`a long-lived producer sends again after the broker was ${how === 'SIGTERM' ? 'stopped' : 'SIGKILLed'} with sends in flight, losing nothing acknowledged`, async (t) => {
    await startBroker();
    const { bus, warnings } = freshBus();
    await bus.ensureTopics();
    const acknowledged: string[] = [];
    assert.equal(await sendRecorded(bus, messages('before', 200), acknowledged), 'acknowledged');

    // Many sends in flight at the moment the broker goes.
    const inFlight = Array.from({ length: 20 }, (_, s) => sendRecorded(bus, messages(`inflight-${s}`, 200), acknowledged));
    await stopBroker(how);
    // Each of those was acknowledged before the broker went, or fails.
    for (const outcome of await Promise.all(inFlight)) if (outcome !== 'acknowledged') assertRetriableSendFailure(outcome);

    // A producer made while the broker is away, that never connected, alongside.
    const late = freshBus(`rec-late-${randomUUID().slice(0, 8)}`);
    const downAt = Date.now();
    const [during, neverConnected] = await Promise.all([
      sendRecorded(bus, messages('during', 20), acknowledged),
      sendRecorded(late.bus, messages('never-connected', 1), []),
    ]);
    const failedAfterMs = Date.now() - downAt;
    assertRetriableSendFailure(during);
    assertRetriableSendFailure(neverConnected);
    // A whole delivery timeout passed with nothing acknowledged: the producer was replaced.
    assert.ok(warnings.some((w) => /librdkafka producer is stalled: a message timed out and none was acknowledged/.test(w)), `warnings: ${JSON.stringify(warnings)}`);

    await startBroker();
    const recoveredMs = await sendUntilAcknowledged(bus, 'after', acknowledged);
    assert.equal(await sendRecorded(bus, messages('after-recovery', 200), acknowledged), 'acknowledged');
    await late.bus.ensureTopics();
    const lateAcknowledged: string[] = [];
    const lateRecoveredMs = await sendUntilAcknowledged(late.bus, 'late', lateAcknowledged);
    t.diagnostic(`${how}: a send made while the broker was away failed after ${failedAfterMs} ms (delivery timeout ${DELIVERY_TIMEOUT_MS} ms); sends acknowledged again ${recoveredMs} ms after the broker answered; the producer made while it was away: ${lateRecoveredMs} ms`);

    await assertStoredOnce(bus, acknowledged);
    await assertStoredOnce(late.bus, lateAcknowledged);
    await Promise.all([bus.deleteTopics(), late.bus.deleteTopics()]);
  });
}
