import { readFileSync } from 'node:fs';

/** Reads a JSON Lines file (one JSON value a line; blank lines skipped). */
export function readJsonLines(path: string | URL): unknown[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as unknown;
      } catch (err) {
        throw new SyntaxError(`${String(path)} line ${i + 1} is not JSON`, { cause: err });
      }
    });
}

/** A deep copy of a JSON-safe value, so callers cannot change a simulator's state through it. */
export function cloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** ISO-8601 with milliseconds and `Z`, the format providers use for timestamps. */
export function isoString(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Parses an ISO-8601 date or date-time into epoch ms, or `undefined` when it is not one. A date-time
 * without an offset is read as UTC (not as the machine's local time).
 */
export function parseTimestamp(value: string): number | undefined {
  const match = ISO_8601.exec(value.trim());
  if (!match) return undefined;
  const hasTime = value.length > 10;
  const text = hasTime && match[1] === undefined ? `${value.trim()}Z` : value.trim();
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The first value of a query parameter that may have been repeated. */
export function queryValue(value: unknown): string | undefined {
  if (Array.isArray(value)) return queryValue(value[0]);
  return typeof value === 'string' ? value : undefined;
}
