/**
 * Reading ServiceNow Table API rows. Every value is a string; with `sysparm_display_value=all` a
 * field is `{ display_value, value }` (a reference adds `link`), and without it a reference is
 * `{ link, value }`. Times have no zone: they are written in the instance's time zone.
 */
import { fieldErrors, obj, str, type Json } from '../runtime/json-fields.js';
import { isoTime, zoneOffsetMs } from '../runtime/provider-time.js';

export const { failure, requireObject } = fieldErrors('servicenow');

/** The stored value of a field (a sys_id for a reference), or null when empty. */
export function value(row: Json, key: string): string | null {
  const field = row[key];
  const pair = obj(field);
  return pair ? str(pair.value) : str(field);
}

/** The display value of a field (a reference's name), falling back to its value. */
export function display(row: Json, key: string): string | null {
  const pair = obj(row[key]);
  return (pair ? str(pair.display_value) : null) ?? value(row, key);
}

/** A field that must be present: its value, or AW_NORMALIZE_FAILED naming it. */
export function requireValue(row: Json, key: string, field = key): string {
  const v = value(row, key);
  if (v === null) throw failure(field, `${field} is missing or empty`);
  return v;
}

/** `"true"`/`"false"` (or a pair of them) as a boolean, else null. */
export function flag(row: Json, key: string): boolean | null {
  const v = value(row, key);
  return v === 'true' ? true : v === 'false' ? false : null;
}

/** A time field (`YYYY-MM-DD HH:MM:SS` in the instance's zone) as epoch ms, or null when empty or not a time. */
export function time(row: Json, key: string, zone: string): number | null {
  return isoTime(value(row, key), { zone });
}

/** A time field that must be valid: epoch ms, or AW_NORMALIZE_FAILED naming it. */
export function requireTime(row: Json, key: string, zone: string): number {
  const raw = value(row, key);
  const t = isoTime(raw, { zone });
  if (t === null) throw failure(key, `${key} ${JSON.stringify(row[key]) ?? 'undefined'} is not a ServiceNow date-time`);
  return t;
}

/** Epoch ms as ServiceNow writes a time in `zone`: `YYYY-MM-DD HH:MM:SS` (seconds floored). */
export function formatTime(ms: number, zone: string): string {
  const seconds = Math.floor(ms / 1000) * 1000;
  const wall = seconds + (zone === 'UTC' ? 0 : zoneOffsetMs(seconds, zone));
  return new Date(wall).toISOString().slice(0, 19).replace('T', ' ');
}
