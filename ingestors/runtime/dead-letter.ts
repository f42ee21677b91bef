import { createHash } from 'node:crypto';
import { isAppwardenError } from '../../core/errors.js';
import { messageSize, type KafkaMessage } from '../../core/kafka.js';

/**
 * What the dead-letter topic carries: JSON (not Avro), because the raw record is whatever the
 * provider sent. The `reason` names the field at fault where the normalizer knows it.
 */
export interface DeadLetter {
  at: string;
  stage: 'normalize' | 'encode' | 'decode';
  code: string;
  reason: string;
  field: string | null;
  provider: string | null;
  instance: string | null;
  stream: string | null;
  /** The zone its stream's times are written in (`StreamRef.timeZone`), so that a replay normalizes it alike. */
  timeZone?: string;
  /** The raw record as text (JSON for provider records, base64 for undecodable Kafka messages). */
  raw: string;
  /** Where a message that failed to decode came from. */
  origin?: { topic: string; partition: number; offset: string };
  /** Set when `raw` was cut to fit the Kafka message limit: the whole raw text's length (UTF-16 units) and SHA-256. */
  rawTruncated?: { length: number; sha256: string };
}

/**
 * The dead letter as a Kafka message, under `maxBytes`: a raw text too large for one message (the very
 * reason some records are dead letters) is cut, and the letter says so with the whole text's size and hash.
 */
export function deadLetterMessage(letter: DeadLetter, key: string | null, maxBytes: number): KafkaMessage {
  const headers = { 'aw-code': letter.code, 'aw-stage': letter.stage };
  const message = (d: DeadLetter): KafkaMessage => ({ key, value: Buffer.from(JSON.stringify(d)), headers });
  const whole = message(letter);
  if (messageSize(whole) <= maxBytes) return whole;
  const rawTruncated = { length: letter.raw.length, sha256: createHash('sha256').update(letter.raw).digest('hex') };
  // JSON escapes can grow a character to 6 bytes: keep a sixth of what the rest of the letter leaves free.
  const room = Math.max(0, Math.floor((maxBytes - messageSize(message({ ...letter, raw: '', rawTruncated })) - 64) / 6));
  return message({ ...letter, raw: letter.raw.slice(0, room), rawTruncated });
}

export function deadLetterFrom(
  err: unknown,
  where: Pick<DeadLetter, 'stage' | 'provider' | 'instance' | 'stream' | 'raw' | 'timeZone'> & { origin?: DeadLetter['origin'] },
  now = Date.now(),
): DeadLetter {
  const code = isAppwardenError(err) ? err.code : 'AW_NORMALIZE_FAILED';
  const field = isAppwardenError(err) && typeof err.details.field === 'string' ? err.details.field : null;
  return {
    at: new Date(now).toISOString(),
    code,
    reason: err instanceof Error ? err.message : String(err),
    field,
    ...where,
  };
}

export function rawText(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  try {
    return JSON.stringify(raw) ?? String(raw);
  } catch {
    return String(raw);
  }
}
