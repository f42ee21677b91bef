import { badRequest } from './errors.js';

export const DAY_MS = 86_400_000;

/** Where a request carries its times, for messages that name the parameter (`querystring.from`). */
export type TimeSource = 'querystring' | 'body';

/** An ISO 8601 date-time of a request as epoch millis; 400 naming the parameter otherwise. */
export function parseTime(value: string, source: TimeSource, field: string): number {
  const t = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || !Number.isFinite(t)) {
    throw badRequest(`${source}.${field} must be an ISO 8601 date-time, e.g. 2026-11-30T00:00:00Z`, field);
  }
  return t;
}

/**
 * Checks that `from` is before `to` and that the range covers at most `maxDays` (`setting` names the
 * configuration that sets it); 400 naming `from` otherwise.
 */
export function checkTimeRange(from: number, to: number, maxDays: number, source: TimeSource, setting: string): void {
  if (from >= to) throw badRequest(`${source}.from must be before ${source}.to`, 'from');
  if (to - from > maxDays * DAY_MS) {
    const days = Math.ceil((to - from) / DAY_MS);
    throw badRequest(`${source}.from: the time range from ${source}.from to ${source}.to covers ${days} days; at most ${maxDays} are allowed (${setting})`, 'from');
  }
}
