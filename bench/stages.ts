/**
 * The per-stage measurements of `npm run bench`, each with where its time goes (per-step timings).
 */
import { openClickHouse } from '../core/clickhouse.js';
import type { KafkaMessage } from '../core/kafka.js';
import type { Logger } from '../core/logger.js';
import { normalizeOktaLogEvent } from '../ingestors/okta/normalize-activity.js';
import { decodeBody } from '../ingestors/runtime/http-wire.js';
import { recordText } from '../ingestors/runtime/record-text.js';
import { ACTIVITIES } from '../processors/sink/catalogue/index.js';
import { ensureTables } from '../processors/sink/tables.js';
import { auditKey } from '../schemas/keys.js';
import { encode } from '../schemas/registry.js';
import type { AuditEvent } from '../schemas/types.js';
import { formatProfile, profiled } from './cpu-profile.js';
import { formatThreadCpu, processCpuMs, threadCpu } from './thread-cpu.js';

export type Out = (line: string) => void;
export const rate = (count: number, ms: number) => `${Math.round((count / ms) * 1000).toLocaleString('en-US')}/s`;
const share = (part: number, whole: number) => `${Math.round((part / whole) * 100)}%`;

/**
 * The pages the connector receives: the simulator's records as JSON bodies of 1000, in bytes, as the
 * HTTP client receives them (outside the JavaScript heap: a connector holds one page at a time, and a
 * heap holding every page's text made the garbage collector a cost no connector pays).
 */
export function pageBodies(raws: readonly unknown[]): Buffer[] {
  const bodies: Buffer[] = [];
  for (let i = 0; i < raws.length; i += 1000) bodies.push(Buffer.from(JSON.stringify(raws.slice(i, i + 1000))));
  return bodies;
}

/** A page's records as the HTTP client hands them out: decoded, parsed, each record's text remembered. */
function parsedPage(body: Buffer): unknown[] {
  const decoded = decodeBody(body, 'application/json', 'auto');
  if (!decoded.ok) throw new Error('bench: a page body is not JSON');
  return decoded.value as unknown[];
}

/** Events stage 1 returns for the insert-format and query stages. */
const KEPT_EVENTS = 50_000;

type Steps = { n: number; parse: number; normalize: number; encode: number; normalizeCpu: number; encodeCpu: number };

/** One pass over the pages as a connector makes it, with the time and CPU time of each step. */
function normalizeRound(bodies: readonly Buffer[]): Steps {
  const s: Steps = { n: 0, parse: 0, normalize: 0, encode: 0, normalizeCpu: 0, encodeCpu: 0 };
  const ingestedAt = Date.now();
  for (const body of bodies) {
    let t = performance.now();
    const page = parsedPage(body);
    s.parse += performance.now() - t;
    let c = processCpuMs();
    t = performance.now();
    const events = page.map((raw) => normalizeOktaLogEvent(raw, { instance: 'bench', ingestedAt, rawText: recordText(raw)! }));
    s.normalize += performance.now() - t;
    s.normalizeCpu += processCpuMs() - c;
    c = processCpuMs();
    t = performance.now();
    const messages = events.map((e) => ({ key: auditKey(e), value: encode('audit-event', e) }));
    s.encode += performance.now() - t;
    s.encodeCpu += processCpuMs() - c;
    s.n += messages.length;
  }
  return s;
}

/**
 * Stage 1: what a connector does with each page: parse the body (the HTTP client; the record texts
 * are found in the same pass), normalize, Avro-encode, key. Page by page, as a connector does: a
 * page's events and messages are dropped after it (holding all of them made the garbage collector
 * the largest cost, which a connector never pays). Best of `rounds`, one core; the profile is taken
 * on one more round of its own (V8's sampling thread costs CPU time, counted by process.cpuUsage, and
 * slowed the timed rounds). Then one untimed pass keeps the messages for the next stages.
 */
export async function normalizeStage(bodies: readonly Buffer[], out: Out, rounds = 3): Promise<{ messages: KafkaMessage[]; events: AuditEvent[] }> {
  let best: Steps | null = null;
  const roundsCpu = threadCpu();
  for (let round = 0; round < rounds; round++) {
    const s = normalizeRound(bodies);
    if (!best || s.normalize + s.encode < best.normalize + best.encode) best = s;
  }
  const timedCpu = roundsCpu();
  const { profile } = await profiled(async () => normalizeRound(bodies));
  const events: AuditEvent[] = [];
  const messages: KafkaMessage[] = [];
  for (const body of bodies) {
    const page = parsedPage(body);
    for (const raw of page) {
      const event = normalizeOktaLogEvent(raw, { instance: 'bench', ingestedAt: Date.now(), rawText: recordText(raw)! });
      // The later stages need a sample of the events; holding all of them taxed every later stage's garbage collection.
      if (events.length < KEPT_EVENTS) events.push(event);
      // A copy: encode() returns a view of a shared slab, and these are kept.
      messages.push({ key: auditKey(event), value: Buffer.from(encode('audit-event', event)) });
    }
  }
  // What normalizing cost before the text was taken from the body: JSON.stringify of every record.
  const sample = parsedPage(bodies[0]!);
  let t = performance.now();
  for (let r = 0; r < 20; r++) for (const raw of sample) normalizeOktaLogEvent(raw, { instance: 'bench', ingestedAt: 0 });
  const before = (performance.now() - t) / (20 * sample.length);
  t = performance.now();
  for (let r = 0; r < 20; r++) for (const raw of sample) normalizeOktaLogEvent(raw, { instance: 'bench', ingestedAt: 0, rawText: '' });
  const after = (performance.now() - t) / (20 * sample.length);
  const s = best!;
  const n = s.n;
  out(`normalize + Avro encode (1 core):  ${rate(n, s.normalize + s.encode)}  (normalize ${rate(n, s.normalize)}, encode + key ${rate(n, s.encode)}; best of ${rounds}; `
    + `${rate(n, s.normalizeCpu + s.encodeCpu)} per second of CPU time: normalize ${rate(n, s.normalizeCpu)}, encode + key ${rate(n, s.encodeCpu)})`);
  out(`  where the time goes: normalize ${share(s.normalize, s.normalize + s.encode)}, Avro encode ${share(s.encode, s.normalize + s.encode)}; `
    + `the HTTP client's JSON.parse + record texts ${rate(n, s.parse)}; normalize with the raw re-serialized per event (before) ${rate(1, before)} against ${rate(1, after)} without`);
  out(`  the ${rounds} timed rounds (parse included): ${formatThreadCpu(timedCpu)}; V8 young generation: ${youngGeneration()}`);
  out(`  profile (one more round, parse included): ${formatProfile(profile)}`);
  return { messages, events };
}

/** The semi-space flags the process runs with (they decide how much of a page is promoted and collected twice). */
function youngGeneration(): string {
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].filter((f) => /^--(min|max)-semi-space-size=/.test(f));
  return flags.length > 0 ? flags.join(' ') : "V8's default semi-spaces (up to 16 MB)";
}

/**
 * The insert formats on the bench's events, straight into chdb (no Kafka): JSONEachRow rows (what the
 * sink wrote before) against RowBinary written by the catalogue and read from a spooled file.
 */
export async function insertFormatStage(events: readonly AuditEvent[], dataDir: string, log: Logger, out: Out): Promise<void> {
  const sample = events.slice(0, Math.min(events.length, 50_000));
  const ch = await openClickHouse({ dataDir, database: `formats_${process.pid}`, log });
  try {
    await ensureTables(ch);
    const parts: string[] = [];
    for (const [name, insert] of [
      ['JSONEachRow', (token: string) => ch.insert(ACTIVITIES.name, sample.map((e) => ACTIVITIES.toJsonRow(e)), { dedupToken: token })],
      ['RowBinary', (token: string) => ch.insertRecords(ACTIVITIES.name, sample, ACTIVITIES, { dedupToken: token })],
    ] as const) {
      let best = Infinity;
      for (let round = 0; round < 2; round++) {
        const t = performance.now();
        await insert(`${name}-${round}`);
        best = Math.min(best, performance.now() - t);
      }
      parts.push(`${name} ${rate(sample.length, best)}`);
    }
    out(`  insert formats into chdb (${sample.length.toLocaleString('en-US')} rows, encoding included, best of 2): ${parts.join('; ')} -> the sink uses RowBinary via a spooled file`);
  } finally {
    await ch.close();
  }
}
