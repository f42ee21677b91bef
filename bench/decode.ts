/**
 * `node --import tsx bench/decode.ts`: Avro decoding of the bench's Okta audit events, as every consumer
 * (sink, policy processor, governance) does it per message: body check + avsc (before) against the
 * compiled reader (`schemas/avro-reader.ts`, what `decode()` uses). Prints decodes per second of this
 * process's CPU time (the machine is shared: wall-clock rates move with the load), best of the rounds,
 * the two alternated so that the load hits both alike. BENCH_EVENTS (default 20,000), BENCH_ROUNDS (default 7).
 */
import assert from 'node:assert/strict';
import avsc from 'avsc';
import { createLogger } from '../core/logger.js';
import { normalizeOktaLogEvent } from '../ingestors/okta/normalize-activity.js';
import { recordText, rememberRecordTexts } from '../ingestors/runtime/record-text.js';
import { compileBodyCheck } from '../schemas/body-check.js';
import { schemaRegistry } from '../schemas/registry.js';
import { startBenchOktaSimulator } from './okta-tenant.js';
import { pageBodies } from './stages.js';
import { processCpuMs } from './thread-cpu.js';

const N = Number(process.env.BENCH_EVENTS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const HEADER_SIZE = 10;
const out = (line: string) => process.stdout.write(`${line}\n`);

/** The encoded messages of N simulated Okta events, made as the connector makes them (normalizeStage). */
async function oktaMessages(): Promise<Buffer[]> {
  const log = createLogger({ level: 'warn' });
  const sim = await startBenchOktaSimulator(log, N);
  try {
    const messages: Buffer[] = [];
    for (const body of pageBodies(sim.eventsFor())) {
      const text = body.toString('utf8');
      const page = JSON.parse(text) as unknown[];
      rememberRecordTexts(text, page);
      for (const raw of page) {
        const event = normalizeOktaLogEvent(raw, { instance: 'bench', ingestedAt: Date.now(), rawText: recordText(raw)! });
        messages.push(Buffer.from(schemaRegistry().encode('audit-event', event)));
      }
    }
    return messages;
  } finally {
    await sim.close();
  }
}

/** Decodes every message; returns the CPU milliseconds taken. Keeps one value live so nothing is optimized away. */
function run(messages: readonly Buffer[], decodeOne: (m: Buffer) => unknown): number {
  let sink: unknown;
  const start = processCpuMs();
  for (const m of messages) sink = decodeOne(m);
  const ms = processCpuMs() - start;
  assert.ok(sink);
  return ms;
}

async function main(): Promise<void> {
  const messages = await oktaMessages();
  const bytes = messages.reduce((sum, m) => sum + m.length, 0);
  out(`Avro decode of ${messages.length.toLocaleString('en-US')} Okta audit events (${Math.round(bytes / messages.length).toLocaleString('en-US')} bytes each on average)`);

  const registry = schemaRegistry();
  const json = registry.schemaJson('audit-event');
  // What SchemaRegistry.decode did before the compiled reader: the body check, then avsc.
  const type = avsc.Type.forSchema(json as avsc.Schema);
  const check = compileBodyCheck(json);
  const before = (m: Buffer) => {
    if (check(m, HEADER_SIZE) !== m.length) throw new Error('trailing bytes');
    return type.decode(m, HEADER_SIZE).value;
  };
  const after = (m: Buffer) => registry.decode(m).record;
  // Its own avsc type, so its own record classes: compare the values, not the prototypes.
  assert.deepEqual(JSON.parse(JSON.stringify(after(messages[0]!))), JSON.parse(JSON.stringify(before(messages[0]!))));

  const best = { before: Infinity, after: Infinity, check: Infinity };
  for (let round = 0; round < ROUNDS; round++) {
    best.before = Math.min(best.before, run(messages, before));
    best.after = Math.min(best.after, run(messages, after));
    best.check = Math.min(best.check, run(messages, (m) => check(m, HEADER_SIZE)));
  }
  const perCpuSecond = (ms: number) => Math.round((messages.length / ms) * 1000).toLocaleString('en-US');
  out(`  body check + avsc (before): ${perCpuSecond(best.before)} decodes per CPU second (of which the body check alone: ${perCpuSecond(best.check)}/s)`);
  out(`  compiled reader (decode()): ${perCpuSecond(best.after)} decodes per CPU second, ${(best.before / best.after).toFixed(2)}x; best of ${ROUNDS} rounds each`);
}

await main();
