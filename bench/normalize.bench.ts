/**
 * `npm run bench:normalize`: only the first stage of `npm run bench` (normalize + Avro encode of the
 * simulator's Okta events, one core), with the same figures and profile. Quick to run while working on
 * a normalizer or the encoder. BENCH_EVENTS sets N (default 100,000); BENCH_ROUNDS the rounds (best of).
 */
import { createLogger } from '../core/logger.js';
import { startBenchOktaSimulator } from './okta-tenant.js';
import { normalizeStage, pageBodies } from './stages.js';

const N = Number(process.env.BENCH_EVENTS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const log = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });
const out = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const sim = await startBenchOktaSimulator(log, N);
  let bodies: Buffer[];
  try {
    const raws = sim.eventsFor();
    out(`Appwarden normalize benchmark: ${raws.length.toLocaleString('en-US')} simulated Okta events`);
    bodies = pageBodies(raws);
  } finally {
    await sim.close();
  }
  await normalizeStage(bodies, out, ROUNDS);
}

main().then(() => process.exit(0), (err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
