import { isAppwardenError } from '../../core/errors.js';

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
