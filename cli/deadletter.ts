import { parseArgs } from 'node:util';
import { AppwardenError } from '../core/errors.js';
import type { KafkaBus } from '../core/kafka.js';
import type { Logger } from '../core/logger.js';
import type { NormalizeContext } from '../ingestors/contract.js';
import type { DeadLetter } from '../ingestors/runtime/dead-letter.js';
import { EventPublisher } from '../ingestors/runtime/publisher.js';
import type { AuditEvent } from '../schemas/types.js';

export const DEADLETTER_USAGE = `usage: appwarden deadletter replay --since TIME --provider P [--instance I] [--dry-run]
  reads the dead-letter topic and normalizes each activity record again (after a fix of the connector);
  the events go to the audit topic (each once: the same record gives the same event id), records that
  still fail are counted and left where they are. TIME: ISO-8601, or a duration back from now (90m, 2h, 7d).
`;

export interface DeadLetterIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

type Normalizers = Record<string, (raw: unknown, ctx: NormalizeContext) => AuditEvent | AuditEvent[]>;

export interface ReplaySummary {
  read: number;
  matched: number;
  replayed: number;
  events: number;
  stillFailing: number;
  /** Dead letters of snapshot streams (accounts, files): the next scan reads those records again. */
  notActivities: number;
}

/** `appwarden deadletter replay ...`; returns the exit code. */
export async function runDeadLetterCommand(
  args: string[], io: DeadLetterIo, connect: () => Promise<{ bus: KafkaBus; close(): Promise<void> }>, normalizers: Normalizers, log: Logger,
): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'replay') {
    io.stderr.write(DEADLETTER_USAGE);
    return 2;
  }
  const { values } = parseArgs({ args: rest, options: { since: { type: 'string' }, provider: { type: 'string' }, instance: { type: 'string' }, 'dry-run': { type: 'boolean' } } });
  if (!values.since || !values.provider) {
    io.stderr.write(DEADLETTER_USAGE);
    return 2;
  }
  if (!normalizers[values.provider]) throw new AppwardenError('AW_CONFIG_INVALID', `--provider: no connector is registered for ${values.provider}`);
  const since = parseSince(values.since, Date.now());
  const { bus, close } = await connect();
  try {
    const summary = await replayDeadLetters(bus, normalizers, { since, provider: values.provider, instance: values.instance, dryRun: values['dry-run'] ?? false }, log);
    io.stdout.write(`${JSON.stringify(summary)}\n`);
    return 0;
  } finally {
    await close();
  }
}

/** Replays the activity dead letters of a provider since a time; each event published once. */
export async function replayDeadLetters(
  bus: KafkaBus, normalizers: Normalizers, filter: { since: number; provider: string; instance?: string | undefined; dryRun: boolean }, log: Logger,
): Promise<ReplaySummary> {
  const records = await bus.readCompactedTopic(bus.topics.deadLetter, { timeoutMs: 120_000 });
  const summary: ReplaySummary = { read: records.length, matched: 0, replayed: 0, events: 0, stillFailing: 0, notActivities: 0 };
  const publisher = new EventPublisher(bus);
  const normalize = normalizers[filter.provider]!;
  const sent = new Set<string>();
  const repeats = { isRepeatEvent: (id: string) => sent.has(id), isRepeatDeadLetter: () => true };
  for (const record of records) {
    let letter: DeadLetter;
    try {
      letter = JSON.parse(record.value?.toString('utf8') ?? '') as DeadLetter;
    } catch {
      continue;
    }
    if (letter.provider !== filter.provider || (filter.instance && letter.instance !== filter.instance)) continue;
    if (!(Date.parse(letter.at) >= filter.since) || !letter.instance || !letter.stream) continue;
    summary.matched++;
    let raw: unknown;
    let events: AuditEvent[];
    try {
      raw = JSON.parse(letter.raw);
      const normalized = normalize(raw, { instance: letter.instance, ingestedAt: Date.now(), stream: letter.stream, ...(letter.timeZone ? { timeZone: letter.timeZone } : {}) });
      events = Array.isArray(normalized) ? normalized : [normalized];
    } catch {
      // A snapshot record (account, file) is not an activity: the next scan reads it again.
      if (letter.stream.startsWith('accounts') || letter.stream.startsWith('files')) summary.notActivities++;
      else summary.stillFailing++;
      continue;
    }
    const fresh = events.filter((e) => !sent.has(e.event_id));
    if (fresh.length === 0) continue;
    if (!filter.dryRun) {
      const outcome = await publisher.publishActivities({ provider: filter.provider, instance: letter.instance, stream: letter.stream, ...(letter.timeZone ? { timeZone: letter.timeZone } : {}) }, [raw], normalize, repeats);
      summary.events += outcome.published.length;
    } else summary.events += fresh.length;
    for (const e of fresh) sent.add(e.event_id);
    summary.replayed++;
  }
  log.info({ ...summary, provider: filter.provider }, 'dead letters replayed');
  return summary;
}

/** ISO-8601, or `<n>m|h|d` back from `now`. */
export function parseSince(text: string, now: number): number {
  const ago = /^(\d+)([mhd])$/.exec(text.trim());
  if (ago) return now - Number(ago[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[ago[2] as 'm' | 'h' | 'd'];
  const at = Date.parse(text);
  if (Number.isNaN(at)) throw new AppwardenError('AW_CONFIG_INVALID', `--since: an ISO-8601 time or a duration like 2h, not ${JSON.stringify(text)}`);
  return at;
}
