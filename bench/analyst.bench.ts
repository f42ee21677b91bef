/**
 * `npm run bench:analyst [-- options]`: p50/p95/p99 of the analyst queries, the console's first view and
 * the export rows/s, through the real API over stored activities in embedded ClickHouse. Not a test:
 * it asserts nothing (test/bench/analyst-bench.test.ts runs the same code over a few rows).
 *
 *   --rows N        activities stored (default 10,000,000; 1e6, 10M and 10_000_000 are understood)
 *   --reps N        timed runs of each query (default 20), after one untimed
 *   --days N        days of history they span, ending now (default 90)
 *   --users N       people (default 5,000)        --files N   files (default 200,000)
 *   --export-days N days each export streams (default 7)
 *   --data-dir DIR  keep the data there, and reuse it on the next run (default: a temporary folder, removed)
 *   --explain       also print the granules each index kept, per query (EXPLAIN indexes = 1 of the API's statements)
 *   --queries-only  time the queries only (no console first view, no exports)
 *   --only TEXT     time only the queries whose name contains TEXT (e.g. "user, last 24 h")
 *   --warm          read the data folder once before timing: every query reads from the OS page cache, as a
 *                   live server's recent data does (default: the cache as found, first reads may hit the disk)
 *
 * KAFKA_BROKERS names a broker for the API key store (else the local one is started); LOG_LEVEL the log level.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { localKafkaOptionsFromEnv, resolveKafkaBrokers } from '../core/local-kafka.js';
import { createLogger } from '../core/logger.js';
import { runAnalystBench } from './analyst-run.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A count: 10000000, 10_000_000, 1e7, 10M or 20k. */
function count(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const m = /^([\d_.]+(?:e\d+)?)([kKmM]?)$/.exec(text.trim());
  const value = m ? Number(m[1]!.replace(/_/g, '')) * ({ k: 1e3, m: 1e6 }[m[2]!.toLowerCase()] ?? 1) : NaN;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive whole number, not ${text}`);
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string' }, reps: { type: 'string' }, days: { type: 'string' }, users: { type: 'string' },
      files: { type: 'string' }, 'export-days': { type: 'string' }, 'data-dir': { type: 'string' }, explain: { type: 'boolean' }, 'queries-only': { type: 'boolean' }, warm: { type: 'boolean' }, only: { type: 'string' },
    },
  });
  const log = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const kafka = await resolveKafkaBrokers(process.env, localKafkaOptionsFromEnv(process.env, ROOT, log));
  try {
    const days = count('days', values.days, 90);
    await runAnalystBench({
      rows: count('rows', values.rows, 10_000_000), reps: count('reps', values.reps, 20), days,
      users: count('users', values.users, 5000), files: count('files', values.files, 200_000),
      exportDays: Math.min(days, count('export-days', values['export-days'], 7)),
      ...(values['data-dir'] ? { dataDir: path.resolve(values['data-dir']) } : {}),
      explain: values.explain ?? false, queriesOnly: values['queries-only'] ?? false, warm: values.warm ?? false, ...(values.only ? { only: values.only } : {}),
      brokers: kafka.brokers, log, out,
    });
  } finally {
    await kafka.stop();
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`analyst bench failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
