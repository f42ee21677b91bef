/**
 * End to end with the roles in their own processes, as a scaled-out deployment runs them: one process
 * of each role, then two connector workers and two sinks, printed side by side. Two Okta instances
 * (in partitions of the owners topic that two workers split) read one simulated org. The sink + API
 * process is this one (embedded ClickHouse binds one folder per process: a second sink writes its own
 * folder), so the publication → queryable latency is sampled on the rows this process stores.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAppwarden } from '../cli/start.js';
import { loadConfig } from '../core/config.js';
import { partitionOfKey } from '../core/kafka.js';
import type { Logger } from '../core/logger.js';
import { providerDefaults, providerSchemas } from '../ingestors/registry.js';
import { benchOktaTenant } from './okta-tenant.js';
import { killedWithBench, startOktaSimulatorProcess, type SimulatorProcess } from './simulator-process.js';
import { rate } from './stages.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PARTITIONS = 6;
const POLL_MS = 250;

export interface ScaleOutOptions {
  brokers: string[];
  /** Events in all: each of the two instances reads half. */
  events: number;
  /** The embedded ClickHouse folder of this process (chdb binds one per process). */
  dataDir: string;
  log: Logger;
  out: (line: string) => void;
}

interface Layout { name: string; connectors: number; sinks: number }
interface Result { layout: Layout; events: number; ms: number; p50: number | null; p99: number | null; sampled: number }

const LAYOUTS: Layout[] = [
  { name: 'one process per role', connectors: 1, sinks: 1 },
  { name: '2 connector + 2 sink processes', connectors: 2, sinks: 2 },
];

export async function scaleOutStage(o: ScaleOutOptions): Promise<void> {
  const sim = await startOktaSimulatorProcess(benchOktaTenant(Math.round(o.events / 2), 'bench-scale'));
  try {
    // Partitions 0 and 1: the range of two workers' round-robin shares, one instance each.
    const instances = [0, 1].map((p) => { for (let i = 0; ; i++) if (partitionOfKey(`okta/b${i}`, PARTITIONS) === p) return `b${i}`; });
    const results: Result[] = [];
    for (const layout of LAYOUTS) results.push(await runLayout(o, layout, sim, instances));
    o.out('end to end, roles in their own processes (simulator in its own process; policy processor running):');
    for (const r of results) {
      o.out(`  ${r.layout.name.padEnd(32)} ${rate(r.events, r.ms)}  (${Math.round(r.ms)} ms from the first publication to sink lag 0)`
        + `; publication -> queryable p50 ${fmt(r.p50)}, p99 ${fmt(r.p99)} (${r.sampled.toLocaleString('en-US')} rows sampled)`);
    }
  } finally {
    await sim.close();
  }
}

function fmt(ms: number | null): string {
  return ms === null ? '-' : `${Math.round(ms)} ms`;
}

async function runLayout(o: ScaleOutOptions, layout: Layout, sim: SimulatorProcess, instances: string[]): Promise<Result> {
  const prefix = `benchscale${randomBytes(3).toString('hex')}`;
  const root = mkdtempSync(path.join(tmpdir(), 'appwarden-bench-scale-'));
  const settings = {
    kafka: { brokers: o.brokers, topicPrefix: prefix, partitions: PARTITIONS, replicationFactor: 1 },
    clickhouse: { database: prefix },
    sink: { groupId: `${prefix}-sink`, maxBatchRows: 50_000, flushIntervalMs: 1000 },
    governance: { signingKey: randomBytes(32).toString('base64url') },
    api: { adminKey: `bench-admin-${randomBytes(24).toString('hex')}`, port: 0 },
    simulate: false,
    connectors: { okta: Object.fromEntries(instances.map((id) => [id, { orgUrl: sim.url, token: sim.token, activities: { initialLookbackMs: 2 * 86_400_000 } }])) },
  };
  const configFile = path.join(root, 'appwarden.json');
  writeFileSync(configFile, JSON.stringify(settings), { mode: 0o600 });
  const config = loadConfig({ env: {}, providerSchemas: providerSchemas(), providerDefaults: providerDefaults(), overrides: { ...settings, clickhouse: { ...settings.clickhouse, dataDir: o.dataDir } } });
  const store = await startAppwarden({ config, log: o.log, roles: ['sink', 'api'], progressIntervalMs: 60_000 });
  const children: ChildProcess[] = [];
  const role = (roles: string, extraEnv: Record<string, string> = {}) => {
    const child = spawn(path.join(ROOT, 'bin/appwarden.mjs'), ['start', '--roles', roles], {
      cwd: ROOT, stdio: 'ignore', env: { ...process.env, APPWARDEN_CONFIG: configFile, LOG_LEVEL: 'warn', APPWARDEN_DATA_DIR: mkdtempSync(path.join(root, 'data-')), ...extraEnv },
    });
    killedWithBench(child);
    children.push(child);
  };
  try {
    role('policy');
    for (let i = 1; i < layout.sinks; i++) role('sink', { CLICKHOUSE_DATA_DIR: mkdtempSync(path.join(root, 'chdb-')) });
    for (let i = 0; i < layout.connectors; i++) role('connectors');
    const total = sim.events * instances.length;
    const ch = store.clickhouse!;
    // Rows this process stored, by 100 ms of ingested_at (when the connector made the event, just before publishing it).
    const buckets = async () => new Map((await ch.query<{ b: number; n: number }>('SELECT intDiv(toUnixTimestamp64Milli(ingested_at), 100) AS b, count() AS n FROM activities GROUP BY b'))
      .map((r) => [Number(r.b), Number(r.n)]));
    const latencies: Array<[number, number]> = [];
    let seen = new Map<number, number>();
    let first: number | null = null;
    for (const deadline = Date.now() + 1_800_000; ;) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      const now = Date.now();
      const now2 = await buckets();
      for (const [b, n] of now2) {
        const added = n - (seen.get(b) ?? 0);
        if (added > 0) latencies.push([Math.max(0, now - (b * 100 + 50)), added]);
      }
      seen = now2;
      const lags = await store.bus.fetchLag(config.sink.groupId, [store.bus.topics.audit]);
      const published = lags.reduce((n, l) => n + l.highWatermark, 0);
      if (first === null && published > 0) first = now;
      if (published >= total && lags.every((l) => l.committed === l.highWatermark)) {
        return { layout, events: total, ms: now - (first ?? now), ...percentiles(latencies), sampled: latencies.reduce((n, [, c]) => n + c, 0) };
      }
      if (Date.now() > deadline) throw new Error(`bench: ${layout.name} did not finish within 30 min`);
    }
  } finally {
    await Promise.all(children.map((c) => new Promise<void>((resolve) => {
      if (c.exitCode !== null) return resolve();
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    })));
    await store.stop();
  }
}

/** p50 and p99 of weighted samples [latency, count]. */
function percentiles(samples: Array<[number, number]>): { p50: number | null; p99: number | null } {
  const sorted = [...samples].sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((n, [, c]) => n + c, 0);
  const at = (q: number) => {
    let acc = 0;
    for (const [ms, c] of sorted) if ((acc += c) >= q * total) return ms;
    return null;
  };
  return total === 0 ? { p50: null, p99: null } : { p50: at(0.5), p99: at(0.99) };
}
