/**
 * `npm run bench`: prints throughput and latency figures of the Okta pipeline. Not a test: it asserts
 * nothing and is run on demand. BENCH_EVENTS sets N (default 200,000); BENCH_QUERY_ROWS the rows the
 * query latency is measured over (default 1,000,000); KAFKA_BROKERS a broker (else the local one).
 * Ends with the policy figures of `bench/policy.bench.ts` (BENCH_POLICY_EVENTS, BENCH_ALERTS).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAppwarden } from '../cli/start.js';
import { loadConfig } from '../core/config.js';
import { createKafkaBus, type KafkaMessage } from '../core/kafka.js';
import { localKafkaOptionsFromEnv, resolveKafkaBrokers } from '../core/local-kafka.js';
import { createLogger } from '../core/logger.js';
import { openClickHouse } from '../core/clickhouse.js';
import { normalizeOktaLogEvent } from '../ingestors/okta/normalize.js';
import { providerDefaults, providerSchemas } from '../ingestors/registry.js';
import { ClickHouseSink } from '../processors/sink/sink.js';
import { auditKey } from '../schemas/keys.js';
import { encode } from '../schemas/registry.js';
import { startOktaSimulator } from '../simulators/okta/index.js';
import { runPolicyBench } from './policy.bench.js';

const BENCH_ADMIN_KEY = `bench-admin-${randomBytes(24).toString('hex')}`;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.env.BENCH_EVENTS ?? 200_000);
const QUERY_ROWS = Number(process.env.BENCH_QUERY_ROWS ?? 1_000_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200);
const log = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });
const out = (line: string) => process.stdout.write(`${line}\n`);
const rate = (count: number, ms: number) => `${Math.round((count / ms) * 1000).toLocaleString('en-US')}/s`;
const fresh = (p: string) => `${p}_${randomBytes(4).toString('hex')}`;

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  out(`Appwarden ingest benchmark: N = ${N.toLocaleString('en-US')} simulated Okta events`);
  const kafka = await resolveKafkaBrokers(process.env, localKafkaOptionsFromEnv(process.env, ROOT, log));
  const sim = await startOktaSimulator({
    log, seed: 'bench', users: 2000, groups: 20, eventsPerDay: N, days: 1, rateLimit: { limit: 100_000, windowMs: 60_000 },
  });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'appwarden-bench-'));
  try {
    const raws = sim.eventsFor();
    out(`  simulated tenant: ${sim.state.users.length} users, ${raws.length.toLocaleString('en-US')} events`);

    // 1. normalize + Avro encode, one core
    let t0 = performance.now();
    const messages: KafkaMessage[] = new Array(raws.length);
    const ingestedAt = Date.now();
    for (let i = 0; i < raws.length; i++) {
      const event = normalizeOktaLogEvent(raws[i], { instance: 'bench', ingestedAt });
      messages[i] = { key: auditKey(event), value: encode('audit-event', event) };
    }
    const normalizeMs = performance.now() - t0;
    out(`normalize + Avro encode (1 core):  ${rate(raws.length, normalizeMs)}  (${Math.round(normalizeMs)} ms)`);

    // 2. produce to Kafka (idempotent, acks=all)
    const produceConfig = { brokers: kafka.brokers, clientId: 'bench', prefix: fresh('bench'), partitions: 6, replicationFactor: 1, log };
    const bus = createKafkaBus(produceConfig);
    await bus.ensureTopics();
    t0 = performance.now();
    for (let i = 0; i < messages.length; i += 10_000) await bus.send(bus.topics.audit, messages.slice(i, i + 10_000));
    const produceMs = performance.now() - t0;
    out(`produce to Kafka (acks=all):       ${rate(messages.length, produceMs)}  (${Math.round(produceMs)} ms)`);

    // 3. sink: Kafka -> ClickHouse
    const clickhouse = await openClickHouse({ dataDir, database: fresh('bench_sink'), log });
    const sink = new ClickHouseSink({ bus, clickhouse, log, groupId: fresh('bench-sink'), maxBatchRows: 50_000, flushIntervalMs: 1000, governanceSigningKey: randomBytes(32) });
    t0 = performance.now();
    await sink.start();
    await waitUntil(async () => (sink.getStats().rowsInserted.activities ?? 0) >= messages.length, 600_000, 'the sink');
    const sinkMs = performance.now() - t0;
    out(`sink inserts into ClickHouse:      ${rate(messages.length, sinkMs)} rows  (${Math.round(sinkMs)} ms, ${sink.getStats().inserts} inserts, ${clickhouse.kind})`);
    await sink.stop();
    await bus.disconnect();
    await clickhouse.close();

    // 4. end to end: simulator -> connector -> Kafka -> sink -> ClickHouse
    const config = loadConfig({
      env: {},
      providerSchemas: providerSchemas(), providerDefaults: providerDefaults(),
      overrides: {
        kafka: { brokers: kafka.brokers, topicPrefix: fresh('bench'), partitions: 6 },
        clickhouse: { dataDir, database: fresh('bench_e2e') },
        sink: { groupId: fresh('bench-e2e'), maxBatchRows: 50_000, flushIntervalMs: 1000 },
        simulate: false,
        api: { adminKey: BENCH_ADMIN_KEY },
        connectors: { okta: { bench: { orgUrl: sim.url, token: sim.token, activities: { initialLookbackMs: 2 * 86_400_000 } } } },
      },
    });
    t0 = performance.now();
    const running = await startAppwarden({ config, log, progressIntervalMs: 60_000 });
    const ch = running.clickhouse!;
    const stored = async () => (await ch.query<{ n: number }>('SELECT count() AS n FROM activities'))[0]?.n ?? 0;
    await waitUntil(async () => (await stored()) >= raws.length, 900_000, 'the end-to-end pipeline');
    const e2eMs = performance.now() - t0;
    const lag = (await running.bus.fetchLag(config.sink.groupId, [running.bus.topics.audit])).reduce((n, p) => n + p.lag, 0);
    out(`end to end (API -> ClickHouse):    ${rate(raws.length, e2eMs)}  (${Math.round(e2eMs)} ms; sink lag at the end: ${lag} messages)`);
    await running.runtime?.stop();

    // 5. /v1/activities latency, user + 24 h, over >= QUERY_ROWS stored rows: the stored day is copied
    //    back in time inside the engine, so every user gets weeks of history.
    const have = await stored();
    const copies = Math.max(0, Math.ceil(QUERY_ROWS / have) - 1);
    if (copies > 0) {
      const columns = (await ch.query<{ name: string }>(
        "SELECT name FROM system.columns WHERE database = currentDatabase() AND table = 'activities' AND default_kind NOT IN ('MATERIALIZED', 'ALIAS') ORDER BY position",
      )).map((c) => c.name);
      const select = columns.map((c) => c === 'event_id' ? "concat(event_id, '-', toString(number)) AS event_id"
        : c === 'occurred_at' ? 'occurred_at - toIntervalDay(number + 1) AS occurred_at' : c);
      t0 = performance.now();
      await ch.exec(`INSERT INTO activities (${columns.join(', ')}) SELECT ${select.join(', ')} FROM activities CROSS JOIN numbers(${copies}) AS copy`);
      out(`  history for the query test: ${(await stored()).toLocaleString('en-US')} rows (copied in ${Math.round(performance.now() - t0)} ms)`);
    }
    const users = sim.state.users.map((u) => u.profile.login);
    const latencies: number[] = [];
    let returned = 0;
    const now = Date.now();
    for (let i = 0; i < QUERIES; i++) {
      const user = users[(i * 7919) % users.length]!;
      const to = now - ((i * 104_729_000) % (Math.max(1, copies) * 86_400_000)); // within the stored history
      const from = to - 86_400_000;
      const q0 = performance.now();
      const res = await running.app!.inject({
        headers: { authorization: `Bearer ${BENCH_ADMIN_KEY}` },
        url: `/v1/activities?user=${encodeURIComponent(user)}&from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}&limit=100`,
      });
      latencies.push(performance.now() - q0);
      if (res.statusCode !== 200) throw new Error(`query failed: ${res.body}`);
      returned += (res.json() as { items: unknown[] }).items.length;
    }
    latencies.sort((a, b) => a - b);
    out(`/v1/activities user + 24 h over ${(await stored()).toLocaleString('en-US')} rows: p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms  (${QUERIES} queries, ${Math.round(returned / QUERIES)} rows each on average)`);
    await running.stop();

    // 6. policies: evaluation throughput with every built-in, and event into Kafka -> alert latency
    await runPolicyBench({
      brokers: kafka.brokers, log, out, events: Number(process.env.BENCH_POLICY_EVENTS ?? 300_000), alerts: Number(process.env.BENCH_ALERTS ?? 400),
    });
  } finally {
    await sim.close();
    await kafka.stop();
  }
}

main().then(() => process.exit(0), (err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
