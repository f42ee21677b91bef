import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { isAppwardenError } from './errors.js';
import { probeKafka } from './kafka.js';
import {
  configuredKafkaBrokers,
  ensureLocalKafka,
  localKafkaOptionsFromEnv,
  localKafkaStatus,
  resolveKafkaBrokers,
  stopLocalKafka,
} from './local-kafka.js';
import { silentLogger } from './logger.js';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dataDirs: string[] = [];

// Each test runs its own broker in a fresh data folder; the jars come from the project's cache.
async function freshDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'appwarden-kafka-'));
  dataDirs.push(dir);
  return dir;
}

after(async () => {
  for (const dataDir of dataDirs) {
    await stopLocalKafka({ projectRoot, dataDir, log: silentLogger });
    await rm(dataDir, { recursive: true, force: true });
  }
});

describe('local Kafka broker', () => {
  test('starts once, is reused while it runs, and stops', async () => {
    const dataDir = await freshDataDir();
    const started = await ensureLocalKafka({ projectRoot, dataDir, log: silentLogger });
    assert.equal(started.startedHere, true);
    assert.match(started.brokers[0]!, /^127\.0\.0\.1:\d+$/);
    await probeKafka(started.brokers, { timeoutMs: 5000 });

    const again = await ensureLocalKafka({ projectRoot, dataDir, log: silentLogger });
    assert.equal(again.startedHere, false);
    assert.deepEqual(again.brokers, started.brokers);
    await again.stop(); // not ours: leaves the broker running
    assert.deepEqual(await localKafkaStatus({ projectRoot, dataDir }), { running: true, brokers: started.brokers });

    await started.stop();
    assert.equal(existsSync(join(dataDir, 'broker.pid')), false);
    assert.deepEqual(await localKafkaStatus({ projectRoot, dataDir }), { running: false });
    await assert.rejects(probeKafka(started.brokers, { timeoutMs: 1000 }));
    assert.equal(await stopLocalKafka({ projectRoot, dataDir, log: silentLogger }), false);
  });

  test('restarts on its formatted storage and keeps its port', async () => {
    const dataDir = await freshDataDir();
    const first = await ensureLocalKafka({ projectRoot, dataDir, log: silentLogger });
    const meta = await readFile(join(dataDir, 'logs', 'meta.properties'), 'utf8');
    await first.stop();
    const second = await ensureLocalKafka({ projectRoot, dataDir, log: silentLogger });
    assert.equal(second.startedHere, true);
    assert.deepEqual(second.brokers, first.brokers);
    assert.equal(await readFile(join(dataDir, 'logs', 'meta.properties'), 'utf8'), meta);
    await second.stop();
  });

  test('two callers at once start one broker', async () => {
    const dataDir = await freshDataDir();
    const both = await Promise.all([
      ensureLocalKafka({ projectRoot, dataDir, log: silentLogger }),
      ensureLocalKafka({ projectRoot, dataDir, log: silentLogger }),
    ]);
    assert.deepEqual(both.map((b) => b.startedHere).sort(), [false, true]);
    assert.deepEqual(both[0]!.brokers, both[1]!.brokers);
    await Promise.all(both.map((b) => b.stop()));
  });

  test('a lock left by a process that is gone does not block the start', async () => {
    const dataDir = await freshDataDir();
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'start.lock'), `${gone}\n`);
    const kafka = await ensureLocalKafka({ projectRoot, dataDir, log: silentLogger, lockTimeoutMs: 5000 });
    assert.equal(kafka.startedHere, true);
    assert.equal(existsSync(join(dataDir, 'start.lock')), false);
    await kafka.stop();
  });

  test('a broker that dies during start-up is reported with the end of its log', async () => {
    const dataDir = await freshDataDir();
    await assert.rejects(
      ensureLocalKafka({ projectRoot, dataDir, log: silentLogger, javaOptions: ['-XX:+AppwardenNoSuchOption'] }),
      (err) => {
        assert.ok(isAppwardenError(err, 'AW_LOCAL_STACK_FAILED'));
        assert.match(err.message, /stopped during start-up/);
        assert.match(err.message, /AppwardenNoSuchOption/);
        return true;
      },
    );
    assert.equal(existsSync(join(dataDir, 'broker.pid')), false);
  });

  test('KAFKA_BROKERS names the brokers and nothing is started', async () => {
    const dataDir = join(await freshDataDir(), 'never-created');
    const kafka = await resolveKafkaBrokers(
      { KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092' },
      { projectRoot, dataDir, log: silentLogger },
    );
    assert.deepEqual(kafka.brokers, ['kafka-1:9092', 'kafka-2:9092']);
    assert.equal(kafka.startedHere, false);
    assert.equal(existsSync(dataDir), false);
    assert.equal(configuredKafkaBrokers({ KAFKA_BROKERS: ' ' }), undefined);
  });

  test('options come from the environment, and a bad KAFKA_PORT is refused', () => {
    const options = localKafkaOptionsFromEnv(
      { APPWARDEN_DATA_DIR: '/srv/aw', APPWARDEN_CACHE_DIR: '/var/cache/aw', KAFKA_PORT: '29092' },
      projectRoot,
      silentLogger,
    );
    assert.equal(options.dataDir, '/srv/aw/kafka');
    assert.equal(options.cacheDir, '/var/cache/aw/kafka');
    assert.equal(options.port, 29092);
    assert.throws(
      () => localKafkaOptionsFromEnv({ KAFKA_PORT: 'ninety' }, projectRoot, silentLogger),
      (err) => isAppwardenError(err, 'AW_CONFIG_INVALID') && /KAFKA_PORT/.test(err.message),
    );
  });
});
