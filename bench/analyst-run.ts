/**
 * The analyst benchmark (`npm run bench:analyst`, see bench/analyst.bench.ts): stored activities in
 * embedded ClickHouse, the real API listening with a real admin key, and the figures of the queries
 * analysts run all day. `runAnalystBench` is also what the smoke test runs, with a small row count.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { apiLimits, buildApp } from '../api/app.js';
import { allowedHostNames } from '../api/auth/guard.js';
import { KeyStore } from '../api/auth/key-store.js';
import { openClickHouse, type ClickHouse } from '../core/clickhouse.js';
import { createKafkaBus } from '../core/kafka.js';
import type { Logger } from '../core/logger.js';
import { ensureTables, TABLES } from '../processors/sink/tables.js';
import { loadActivities, type DataShape } from './analyst-data.js';
import { explainIndexes, recording, type Statement } from './analyst-explain.js';
import { warmPageCache } from './page-cache.js';
import { analystQueries, answerRows, consoleFirstView, exportRun, get, sampleParameters, type Client } from './analyst-queries.js';

export interface AnalystBenchOptions {
  rows: number;
  /** Timed repetitions of each query (after one untimed). */
  reps: number;
  days: number;
  users: number;
  files: number;
  /** Days of activities each export streams. */
  exportDays: number;
  /** A folder to keep the data in (and reuse when it already holds `rows` rows); unset: a fresh temporary one, removed after. */
  dataDir?: string;
  /** Database in the data folder. */
  database?: string;
  /** Also print, per query, the granules each index kept (EXPLAIN indexes = 1 of the API's statements). */
  explain?: boolean;
  /** Time the queries only: no console first view, no exports. */
  queriesOnly?: boolean;
  /**
   * Read the data folder once before timing, so that every query reads from the OS page cache, as
   * a live server's recent data is. Unset: the cache as found, so a sample's first read may come from disk.
   */
  warm?: boolean;
  /** Time only the queries whose name contains this text (case-insensitive). */
  only?: string;
  brokers: string[];
  log: Logger;
  out: (line: string) => void;
}

export interface Timing {
  name: string;
  /** Why the query's runs stopped (the API's answer), when one failed: the figures are those before. */
  failed?: string;
  p50: number;
  p95: number;
  p99: number;
  /** Rows per answer, on average. */
  rows: number;
}

export interface AnalystBenchResult {
  stored: number;
  loadMs: number | null;
  queries: Timing[];
  /** null with `queriesOnly`. */
  firstView: { total: Timing; data: Timing } | null;
  exports: Array<{ format: string; rows: number; bytes: number; ms: number; peakRssMb: number; expected: number; cutShort: string | null }>;
}

const DAY = 86_400_000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function timing(name: string, ms: number[], rows: number[]): Timing {
  const sorted = [...ms].sort((a, b) => a - b);
  return { name, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), rows: rows.reduce((a, b) => a + b, 0) / rows.length };
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');

/** Stores the activities (unless the folder holds them already), starts the API and measures. */
export async function runAnalystBench(o: AnalystBenchOptions): Promise<AnalystBenchResult> {
  const { out, log } = o;
  const dataDir = o.dataDir ?? mkdtempSync(path.join(tmpdir(), 'appwarden-analyst-bench-'));
  const reuse = o.dataDir !== undefined && existsSync(o.dataDir);
  const ch = await openClickHouse({ dataDir, database: o.database ?? 'analyst_bench', log });
  const bus = createKafkaBus({ brokers: o.brokers, clientId: 'analyst-bench', prefix: `analyst_bench_${randomBytes(4).toString('hex')}`, partitions: 1, replicationFactor: 1, log });
  let keys: KeyStore | null = null;
  let app: Awaited<ReturnType<typeof buildApp>> | null = null;
  try {
    await ensureTables(ch);
    let stored = await count(ch);
    let loadMs: number | null = null;
    if (stored === 0) {
      const shape: DataShape = { rows: o.rows, days: o.days, users: o.users, files: o.files, end: Date.now() };
      out(`loading ${n(o.rows)} activities (${o.days} days, ${n(o.users)} people, ${n(o.files)} files) into ${dataDir}`);
      const load = await loadActivities(ch, shape, (rows, ms) => out(`  ${n(rows)} rows, ${n(ms / 1000)} s, ${n((rows / ms) * 1000)} rows/s`));
      loadMs = load.ms;
      stored = await count(ch);
      out(`loaded ${n(stored)} rows from ${load.templates} golden events of ${load.providers} providers in ${n(load.ms / 1000)} s: ${n((stored / load.ms) * 1000)} rows/s (INSERT … SELECT over numbers(), 1M rows a statement)`);
    } else if (reuse && stored !== o.rows) {
      throw new Error(`analyst bench: ${dataDir} holds ${n(stored)} activities, not ${n(o.rows)}; give an empty folder or --rows ${stored}`);
    } else {
      out(`reusing the ${n(stored)} activities in ${dataDir}`);
    }
    out(await storage(ch));
    if (o.warm) {
      const t0 = performance.now();
      const bytes = warmPageCache(dataDir);
      out(`page cache: warmed, ${(bytes / 1e9).toFixed(2)} GB read in ${((performance.now() - t0) / 1000).toFixed(1)} s before timing`);
    } else {
      out('page cache: as found (a sample\'s first read may come from disk; --warm reads the folder first)');
    }
    // The data ends at its newest event: "now" for every relative range.
    const end = (await ch.query<{ t: number }>(`SELECT toUnixTimestamp64Milli(max(occurred_at)) + 1 AS t FROM ${TABLES.activities}`))[0]!.t;

    // The API as `appwarden start` builds it (default limits), a real admin key from the key store.
    await bus.ensureTopics();
    keys = new KeyStore({ bus, log });
    await keys.start();
    const { key } = await keys.create({ name: 'analyst bench', role: 'admin' });
    const statements: Statement[] = [];
    app = await buildApp({
      clickhouse: recording(ch, statements), log, maxPageSize: apiLimits().maxPageSize,
      security: { authentication: true, keys, allowedHosts: allowedHostNames('127.0.0.1', []), corsOrigins: [], rawAccessRoles: ['admin'] },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const client: Client = { base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, key };

    const samples = await sampleParameters(ch, end, Math.max(o.reps, 1));
    const queries: Timing[] = [];
    const explained: string[] = [];
    const only = o.only?.toLowerCase();
    for (const query of analystQueries(samples, end).filter((q) => only === undefined || q.name.toLowerCase().includes(only))) {
      statements.length = 0;
      const ms: number[] = [];
      const rows: number[] = [];
      let failed: string | undefined;
      let untimedStatements = 0;
      for (let i = -1; i < o.reps && failed === undefined; i++) {
        if (i === 0) untimedStatements = statements.length;
        const t0 = performance.now();
        try {
          const body = await (await get(client, query.url(Math.max(i, 0)))).json();
          if (i >= 0) {
            ms.push(performance.now() - t0);
            rows.push(answerRows(body));
          }
        } catch (err) {
          // A query past the API's limits is a figure too: said, and the bench goes on.
          failed = `after ${Math.round(performance.now() - t0)} ms: ${(err as Error).message.slice(0, 200)}`;
        }
      }
      queries.push(ms.length > 0 ? { ...timing(query.name, ms, rows), ...(failed ? { failed } : {}) } : { name: query.name, p50: NaN, p95: NaN, p99: NaN, rows: 0, failed });
      log.info({ query: queries.at(-1) }, 'analyst bench: query timed');
      // The statements of the untimed run (the first request); a page may take a step more or less on another run.
      const first = statements.slice(0, untimedStatements || statements.length);
      if (o.explain) explained.push(`${query.name}:`, ...(await explainIndexes(ch, first)).map((l) => `  ${l}`));
    }

    if (o.queriesOnly) {
      const result: AnalystBenchResult = { stored, loadMs, queries, firstView: null, exports: [] };
      printResult(result, o, out);
      if (o.explain) printExplained(explained, out);
      return result;
    }
    await consoleFirstView(client, end); // builds the console bundle once, as the first visitor after a start does
    const views = [];
    for (let i = 0; i < o.reps; i++) views.push(await consoleFirstView(client, end));
    const firstView = {
      total: timing('console first view: page, assets, API doc, me, data', views.map((v) => v.total), views.map((v) => v.rows)),
      data: timing('console first view: activities + histogram (24 h)', views.map((v) => v.data), views.map((v) => v.rows)),
    };

    const expected = (await ch.query<{ c: number }>(
      `SELECT count() AS c FROM ${TABLES.activities} FINAL WHERE occurred_at >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND occurred_at < fromUnixTimestamp64Milli({to:Int64}, 'UTC')`,
      { from: end - o.exportDays * DAY, to: end },
    ))[0]!.c;
    const exports = [];
    for (const format of ['csv', 'ndjson'] as const) exports.push({ format, expected, ...(await exportRun(client, format, end, o.exportDays * DAY)) });

    const result: AnalystBenchResult = { stored, loadMs, queries, firstView, exports };
    printResult(result, o, out);
    if (o.explain) printExplained(explained, out);
    return result;
  } finally {
    await app?.close();
    await keys?.stop();
    await bus.disconnect();
    await ch.close();
    if (o.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
  }
}

async function count(ch: ClickHouse): Promise<number> {
  return (await ch.query<{ c: number }>(`SELECT count() AS c FROM ${TABLES.activities}`))[0]!.c;
}

/** Parts and bytes of the activities table, as stored. */
async function storage(ch: ClickHouse): Promise<string> {
  const [s] = await ch.query<{ parts: number; partitions: number; disk: number; raw: number }>(
    `SELECT count() AS parts, uniq(partition) AS partitions, sum(data_compressed_bytes) AS disk, sum(data_uncompressed_bytes) AS raw
     FROM system.parts WHERE database = currentDatabase() AND table = {table:String} AND active`, { table: TABLES.activities });
  const gb = (b: number) => (b / 1e9).toFixed(2);
  return `stored: ${s!.parts} parts in ${s!.partitions} monthly partitions, ${gb(s!.disk)} GB on disk (${gb(s!.raw)} GB uncompressed)`;
}

function printExplained(explained: string[], out: (line: string) => void): void {
  out('');
  out('Granules kept by each index, of those in the partitions read (EXPLAIN indexes = 1 of each statement the API ran):');
  for (const line of explained) out(`  ${line}`);
}

function printResult(r: AnalystBenchResult, o: AnalystBenchOptions, out: (line: string) => void): void {
  const ms = (x: number) => x.toFixed(1).padStart(9);
  out('');
  out(`Analyst queries through the API (HTTP, admin key) over ${n(r.stored)} stored activities, ${o.reps} timed runs each after one untimed:`);
  out(`${'query'.padEnd(50)}${'p50 ms'.padStart(9)}${'p95 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'rows'.padStart(8)}`);
  for (const t of [...r.queries, ...(r.firstView ? [r.firstView.data, r.firstView.total] : [])]) {
    out(`${t.name.padEnd(50)}${ms(t.p50)}${ms(t.p95)}${ms(t.p99)}${t.rows.toFixed(0).padStart(8)}${t.failed ? `  FAILED ${t.failed}` : ''}`);
  }
  if (!r.firstView) return;
  out('');
  out(`Exports (streamed, ${o.exportDays} days):`);
  for (const e of r.exports) {
    out(`  ${e.format.padEnd(7)} ${n(e.rows)} rows (${n(e.expected)} stored) in ${(e.ms / 1000).toFixed(1)} s: ${n((e.rows / e.ms) * 1000)} rows/s, ${((e.bytes / e.ms) * 1000 / 1e6).toFixed(1)} MB/s; process RSS at most ${e.peakRssMb} MB${e.cutShort ? `; CUT SHORT: ${e.cutShort}` : ''}`);
  }
}
