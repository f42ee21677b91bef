/**
 * `node --import tsx bench/scale-out.bench.ts`: the end-to-end figure with one process of each role and
 * with two connector and two sink processes (`scale-out.ts`); `npm run bench` prints it too.
 * BENCH_SCALE_EVENTS sets the events (default 100,000); KAFKA_BROKERS a broker (else the local one).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { localKafkaOptionsFromEnv, resolveKafkaBrokers } from '../core/local-kafka.js';
import { createLogger } from '../core/logger.js';
import { scaleOutStage } from './scale-out.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const log = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });
const out = (line: string) => process.stdout.write(`${line}\n`);

const kafka = await resolveKafkaBrokers(process.env, localKafkaOptionsFromEnv(process.env, ROOT, log));
try {
  await scaleOutStage({ brokers: kafka.brokers, events: Number(process.env.BENCH_SCALE_EVENTS ?? 100_000), dataDir: mkdtempSync(path.join(tmpdir(), 'appwarden-bench-')), log, out });
} finally {
  await kafka.stop();
}
process.exit(0);
