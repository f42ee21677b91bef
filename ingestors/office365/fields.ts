import { AppwardenError } from '../../core/errors.js';

/** Small readers shared by the Office 365 normalizers: they never throw on odd input. */
export type Json = Record<string, unknown>;

export function failure(field: string, reason: string): AppwardenError {
  return new AppwardenError('AW_NORMALIZE_FAILED', `office365: ${reason}`, { details: { provider: 'office365', field } });
}

export function requireObject(value: unknown, field: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw failure(field, `${field} is not a JSON object`);
  return value as Json;
}

export function requireString(o: Json, key: string, field = key): string {
  const value = o[key];
  if (typeof value !== 'string' || value === '') throw failure(field, `${field} is missing or not a string`);
  return value;
}

export function obj(value: unknown): Json | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : null;
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A non-empty string, else null. Office 365 writes missing values as "" and sometimes as "<null>". */
export function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' && value !== '<null>' ? value : null;
}

export function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** An email-shaped string: one `@` with text on both sides and no spaces. */
export function looksLikeEmail(s: string | null): s is string {
  if (s === null) return false;
  const at = s.indexOf('@');
  return at > 0 && at < s.length - 1 && s.indexOf('@', at + 1) === -1 && !/\s/.test(s);
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(s: string | null): s is string {
  return s !== null && GUID.test(s);
}

// Management Activity API times are UTC without a zone (`2024-07-10T14:31:24`); Graph's carry `Z` or an offset,
// with up to 7 fractional digits.
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/** Epoch ms of an ISO 8601 date-time; one without an offset is UTC. Null when it is not one. */
export function parseUtc(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const match = ISO_TIME.exec(value.trim());
  if (!match) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = match;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  const millis = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  let ms = Date.UTC(Number(y), month - 1, day, hour, minute, second, millis);
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
  }
  // Date.UTC rolls 31 February over into March; refuse what does not round-trip.
  return new Date(Date.UTC(Number(y), month - 1, day)).getUTCDate() === day ? ms : null;
}

/** Sets a string attribute from a scalar; skips null, empty strings and objects. */
export function put(attrs: Record<string, string>, key: string, value: unknown): void {
  if (typeof value === 'string') {
    if (value !== '' && value !== '<null>') attrs[key] = value;
  } else if (typeof value === 'number' || typeof value === 'boolean') {
    attrs[key] = String(value);
  }
}

/** `[{Name, Value}]` (Management API ExtendedProperties, Parameters, DeviceProperties) as a lookup. */
export function nameValues(list: unknown): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of arr(list)) {
    const e = obj(entry);
    const name = str(e?.Name);
    if (name === null) continue;
    const value = e?.Value;
    out.set(name, typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value));
  }
  return out;
}

/** An IP address without the `:port` the Management API sometimes appends (`1.2.3.4:8085`, `[2001:db8::1]:443`). */
export function stripPort(value: string | null): string | null {
  if (value === null) return null;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed) return bracketed[1]!;
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(value);
  return v4 ? v4[1]! : value;
}

/** `SiteUrl`, `User-Agent`, `Additional Detail Name` → `site_url`, `user_agent`, `additional_detail_name` (attribute keys). */
export function snake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '').toLowerCase();
}
