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
import { createKafkaBus } from '../core/kafka.js';
import { localKafkaOptionsFromEnv, resolveKafkaBrokers } from '../core/local-kafka.js';
import { createLogger } from '../core/logger.js';
import { openClickHouse } from '../core/clickhouse.js';
import { providerDefaults, providerSchemas } from '../ingestors/registry.js';
import { ClickHouseSink } from '../processors/sink/sink.js';
import { runPolicyBench } from './policy.bench.js';
import { formatProfile, profiled } from './cpu-profile.js';
import { engineCostStage } from './engine-cost.js';
import { queryStage } from './queries.js';
import { scaleOutStage } from './scale-out.js';
import { benchOktaTenant, startBenchOktaSimulator } from './okta-tenant.js';
import { startOktaSimulatorProcess } from './simulator-process.js';
import { formatThreadCpu, threadCpu } from './thread-cpu.js';
import { produceStage } from './produce.js';
import { insertFormatStage, normalizeStage, pageBodies, rate } from './stages.js';

const BENCH_ADMIN_KEY = `bench-admin-${randomBytes(24).toString('hex')}`;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.env.BENCH_EVENTS ?? 200_000);
const QUERY_ROWS = Number(process.env.BENCH_QUERY_ROWS ?? 1_000_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200);
const log = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });
const out = (line: string) => process.stdout.write(`${line}\n`);
const fresh = (p: string) => `${p}_${randomBytes(4).toString('hex')}`;

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main(): Promise<void> {
  out(`Appwarden ingest benchmark: N = ${N.toLocaleString('en-US')} simulated Okta events`);
  // 1. normalize + Avro encode, one core (the bodies as the HTTP client receives them), before the broker
  //    starts: a JVM starting on the other core slowed this stage by a quarter. The tenant is
  //    generated in this process for this stage only, then dropped: the end-to-end stage reads the same
  //    tenant from a simulator in its own process.
  const tenant = await (async () => {
    const sim = await startBenchOktaSimulator(log, N);
    try {
      const raws = sim.eventsFor();
      out(`  simulated tenant: ${sim.state.users.length} users, ${raws.length.toLocaleString('en-US')} events`);
      return { bodies: pageBodies(raws), users: sim.state.users.map((u) => u.profile.login) };
    } finally {
      await sim.close();
    }
  })();
  // The simulator and its records are gone: the stage's heap holds what a connector's does.
  const { users } = tenant;
  const { messages, events } = await normalizeStage(tenant.bodies, out);
  tenant.bodies = [];

  const kafka = await resolveKafkaBrokers(process.env, localKafkaOptionsFromEnv(process.env, ROOT, log));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'appwarden-bench-'));
  try {
    // 2. produce to Kafka (idempotent, acks=all), settings compared on a sample
    const produceConfig = await produceStage(messages, {
      brokers: kafka.brokers, clientId: 'bench', prefix: fresh('bench'), partitions: 6, replicationFactor: 1, log,
    }, out);
    const bus = createKafkaBus(produceConfig);
    if (process.env.BENCH_STOP_AFTER === 'produce') {
      await bus.deleteTopics().catch(() => undefined);
      await bus.disconnect();
      return;
    }

    // 3. insert formats, then the sink: Kafka -> ClickHouse
    await insertFormatStage(events, dataDir, log, out);
    await engineCostStage(events, log, out);
    const clickhouse = await openClickHouse({ dataDir, database: fresh('bench_sink'), log });
    const sink = new ClickHouseSink({ bus, clickhouse, log, groupId: fresh('bench-sink'), maxBatchRows: 50_000, flushIntervalMs: 1000, governanceSigningKey: randomBytes(32) });
    const sinkCpu = threadCpu();
    let t0 = performance.now();
    const { profile: sinkProfile } = await profiled(async () => {
      await sink.start();
      await waitUntil(async () => (sink.getStats().rowsInserted.activities ?? 0) >= messages.length, 600_000, 'the sink');
    });
    const sinkMs = performance.now() - t0;
    const sinkUsed = sinkCpu();
    const stats = sink.getStats();
    out(`sink inserts into ClickHouse:      ${rate(messages.length, sinkMs)} rows  (${Math.round(sinkMs)} ms, ${stats.inserts} inserts, ${clickhouse.kind}, RowBinary; `
      + `${rate(messages.length, sinkUsed.totalMs)} of this process's CPU time)`);
    out(`  where the time goes (busy time of each step; the engine's write overlaps the next block's decoding): Avro decode + RowBinary encode ${Math.round(stats.decodeMs)} ms, `
      + `engine insert ${Math.round(stats.insertMs)} ms, of ${Math.round(sinkMs)} ms`);
    out(`  ${formatThreadCpu(sinkUsed)}; profile of the JavaScript thread: ${formatProfile(sinkProfile)}`);
    await sink.stop();
    await bus.disconnect();
    await clickhouse.close();

    // 4. end to end: simulator (its own process) -> connector -> Kafka -> sink -> ClickHouse
    const sim = await startOktaSimulatorProcess(benchOktaTenant(N));
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
    const e2eCpu = threadCpu();
    t0 = performance.now();
    const running = await startAppwarden({ config, log, progressIntervalMs: 60_000 });
    const ch = running.clickhouse!;
    const stored = async () => (await ch.query<{ n: number }>('SELECT count() AS n FROM activities'))[0]?.n ?? 0;
    const published = async () => (await running.bus.fetchLag(config.sink.groupId, [running.bus.topics.audit])).reduce((n, p) => n + p.highWatermark, 0);
    let allPublishedAt: number | undefined;
    const { profile: e2eProfile } = await profiled(() => waitUntil(async () => {
      if (allPublishedAt === undefined && (await published()) >= sim.events) allPublishedAt = performance.now();
      return (await stored()) >= sim.events;
    }, 900_000, 'the end-to-end pipeline'));
    const e2eMs = performance.now() - t0;
    const e2eUsed = e2eCpu();
    const drainMs = performance.now() - (allPublishedAt ?? performance.now());
    out(`end to end (API -> ClickHouse):    ${rate(sim.events, e2eMs)}  (${Math.round(e2eMs)} ms; stored ${Math.round(drainMs)} ms after the last publication; `
      + `${rate(sim.events, e2eUsed.totalMs)} of this process's CPU time; the simulator runs in its own process)`);
    out(`  ${formatThreadCpu(e2eUsed)}; profile of the JavaScript thread: ${formatProfile(e2eProfile)}`);
    await running.runtime?.stop();
    await sim.close();

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
    await queryStage({
      app: running.app!, ch, authorization: `Bearer ${BENCH_ADMIN_KEY}`, events, users,
      days: copies, queries: QUERIES, out,
    });
    await running.stop();

    // 5b. end to end with the roles in their own processes: one of each, then two connector workers and two sinks
    if (process.env.BENCH_SCALE_OUT !== '0') await scaleOutStage({ brokers: kafka.brokers, events: Number(process.env.BENCH_SCALE_EVENTS ?? N / 2), dataDir, log, out });

    // 6. policies: evaluation throughput with every built-in, and event into Kafka -> alert latency
    if (process.env.BENCH_POLICY !== '0') await runPolicyBench({
      brokers: kafka.brokers, log, out, events: Number(process.env.BENCH_POLICY_EVENTS ?? 300_000), alerts: Number(process.env.BENCH_ALERTS ?? 400),
    });
  } finally {
    await kafka.stop();
  }
}

main().then(() => process.exit(0), (err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
