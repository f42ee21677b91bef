import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { startAppwarden } from '../../cli/start.js';
import { loadConfig } from '../../core/config.js';
import { probeKafka } from '../../core/kafka.js';
import { ensureLocalKafka, stopLocalKafka, type KafkaBrokers } from '../../core/local-kafka.js';
import { silentLogger } from '../../core/logger.js';
import { providerDefaults, providerSchemas } from '../../ingestors/registry.js';
import { startOktaSimulator } from '../../simulators/okta/index.js';
import { oktaInstance } from '../support/appwarden.js';
import { freshName } from '../support/fresh.js';
import { testDataDir, testLog } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

// One broker of its own for this file: a SASL/SCRAM listener cannot be shared with the suite's plaintext broker.
let broker: Promise<KafkaBrokers & { dataDir: string }> | undefined;
function scramBroker(): Promise<KafkaBrokers & { dataDir: string }> {
  broker ??= (async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'appwarden-kafka-sasl-'));
    cleanups.push(async () => {
      await stopLocalKafka({ projectRoot, dataDir, log: silentLogger });
      await rm(dataDir, { recursive: true, force: true });
    });
    return { ...(await ensureLocalKafka({ projectRoot, dataDir, log: silentLogger, saslScram: true })), dataDir };
  })();
  return broker;
}

describe('Kafka with SASL/SCRAM', () => {
  test('the local broker requires SCRAM credentials, kept in a private file', async () => {
    const kafka = await scramBroker();
    const sasl = kafka.security?.sasl;
    assert.ok(sasl, 'the broker hands out the credentials clients need');
    assert.equal(sasl.mechanism, 'scram-sha-256');

    await probeKafka(kafka.brokers, { timeoutMs: 5000, security: { sasl } });
    await assert.rejects(probeKafka(kafka.brokers, { timeoutMs: 3000 }), 'a client without credentials is refused');
    await assert.rejects(
      probeKafka(kafka.brokers, { timeoutMs: 3000, security: { sasl: { ...sasl, password: `${sasl.password}x` } } }),
      'a wrong password is refused',
    );

    const { dataDir } = kafka;
    assert.equal(statSync(dataDir).mode & 0o777, 0o700, 'the data folder is private');
    for (const file of ['client-credentials.json', 'server.properties']) {
      assert.equal(statSync(join(dataDir, file)).mode & 0o777, 0o600, `${file} is private`);
    }
  });

  test('the pipeline runs on it: connector → Kafka (SCRAM) → sink → ClickHouse → API', async () => {
    const kafka = await scramBroker();
    const sim = await startOktaSimulator({ log: testLog, seed: 'sasl', users: 4, groups: 2, eventsPerDay: 120, days: 1 });
    cleanups.push(() => sim.close());
    const config = loadConfig({
      env: {},
      providerSchemas: providerSchemas(), providerDefaults: providerDefaults(),
      overrides: {
        kafka: { brokers: kafka.brokers, topicPrefix: freshName('sasl'), partitions: 2, replicationFactor: 1, sasl: kafka.security!.sasl },
        clickhouse: { database: freshName('sasl'), dataDir: testDataDir() },
        sink: { groupId: freshName('sink'), maxBatchRows: 5000, flushIntervalMs: 200 },
        api: { port: 0 },
        simulate: false,
        connectors: { okta: { main: oktaInstance(sim) } },
      },
    });
    const running = await startAppwarden({ config, log: testLog, progressIntervalMs: 60_000 });
    cleanups.push(() => running.stop());
    const expected = sim.eventsFor().length;
    await waitFor(async () => {
      const rows = await running.clickhouse!.query<{ n: number }>('SELECT count() AS n FROM activities FINAL');
      return rows[0]?.n === expected;
    }, { what: `${expected} activities stored through the SCRAM broker` });
  });
});
