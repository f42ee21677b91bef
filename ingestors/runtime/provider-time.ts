/**
 * Provider times as epoch milliseconds. Every reader returns null for what is not a valid time of
 * its form (a normalizer then names the field); none uses `Date.parse`, whose reading of a time
 * without a zone depends on the machine's time zone.
 */

// `2024-07-10T14:31:24`, `2024-07-10 14:31:24` (ServiceNow), with up to 9 fractional digits and `Z` or an offset.
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

export interface IsoTimeOptions {
  /**
   * The IANA time zone of a time written without a zone: `UTC` (the default; Office 365's
   * Management API) or the instance's zone for providers that send local times (ServiceNow).
   */
  zone?: string;
}

/** Epoch ms of an ISO 8601 date-time, with or without a zone; null when it is not one. */
export function isoTime(value: unknown, options: IsoTimeOptions = {}): number | null {
  if (typeof value !== 'string') return null;
  if (value.length === 24) {
    const fast = utcMillisTime(value);
    if (fast !== null) return fast;
  }
  const match = ISO_TIME.exec(value.trim());
  if (!match) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = match;
  const fields = { year: Number(y), month: Number(mo), day: Number(d), hour: Number(h), minute: Number(mi), second: Number(s) };
  const { year, month, day, hour, minute, second } = fields;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  // Date.UTC rolls 31 February over into March; refuse what does not round-trip.
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return null;
  const millis = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  if (zone === 'Z') return wall;
  if (zone !== undefined) {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    return wall - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
  }
  return options.zone === undefined || options.zone === 'UTC' ? wall : wallTimeIn(wall, options.zone);
}

/**
 * `2024-07-10T14:31:24.123Z`, the form most providers send, read without the regular expression
 * (it was the largest step of normalizing an Okta event) and without `Date.UTC` (a call into the
 * runtime per event); null for anything else, which the general reader then takes.
 */
function utcMillisTime(v: string): number | null {
  if (v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45 || v.charCodeAt(10) !== 84 || v.charCodeAt(13) !== 58
    || v.charCodeAt(16) !== 58 || v.charCodeAt(19) !== 46 || v.charCodeAt(23) !== 90) return null;
  const year = twoDigits(v, 0) * 100 + twoDigits(v, 2);
  const month = twoDigits(v, 5);
  const day = twoDigits(v, 8);
  const hour = twoDigits(v, 11);
  const minute = twoDigits(v, 14);
  const second = twoDigits(v, 17);
  const millis = twoDigits(v, 20) * 10 + digitAt(v, 22);
  // A non-digit makes its field negative. Years before 100 are left to the general reader (Date.UTC reads them as 19xx).
  if (year < 100 || millis < 0 || millis > 999 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)
    || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return null;
  return ((daysFromEpoch(year, month, day) * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis;
}

// Top-level functions, not closures in utcMillisTime: tsx compiles with keepNames, which renames
// (Object.defineProperty) every closure each time it is created, a tenth of normalizing an event.
function digitAt(v: string, i: number): number {
  const d = v.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : -100_000;
}

function twoDigits(v: string, i: number): number {
  return digitAt(v, i) * 10 + digitAt(v, i + 1);
}

/** Days from 1970-01-01 to a valid proleptic Gregorian date (the civil-calendar count, March-based years). */
function daysFromEpoch(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Epoch ms of a count of seconds since the epoch (a number or a decimal string); null otherwise. */
export function epochSeconds(value: unknown): number | null {
  const n = decimal(value);
  return n === null ? null : Math.round(n * 1000);
}

/** Epoch ms given as a number or a decimal string; null otherwise. */
export function epochMillis(value: unknown): number | null {
  const n = decimal(value);
  return n === null ? null : Math.round(n);
}

/** The zone's offset from UTC (ms) at the instant `utcMs`. */
export function zoneOffsetMs(utcMs: number, zone: string): number {
  const parts = zoneFormat(zone).formatToParts(new Date(utcMs));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/** Checks an IANA zone name (for config validation); throws RangeError for an unknown one. */
export function assertTimeZone(zone: string): void {
  zoneFormat(zone);
}

/**
 * The instant whose wall-clock time in `zone` is `wall` (a wall time written as if UTC). A time
 * skipped by a DST change reads as the instant after the gap; a repeated one as its first instant.
 */
function wallTimeIn(wall: number, zone: string): number {
  const before = wall - zoneOffsetMs(wall - 86_400_000, zone);
  const after = wall - zoneOffsetMs(wall + 86_400_000, zone);
  const valid = [before, after].filter((t) => t + zoneOffsetMs(t, zone) === wall);
  // In a gap no instant has this wall time: read it with the offset before the change (it lands after the gap).
  return valid.length > 0 ? Math.min(...valid) : before;
}

const formats = new Map<string, Intl.DateTimeFormat>();
function zoneFormat(zone: string): Intl.DateTimeFormat {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formats.set(zone, format);
  }
  return format;
}

function decimal(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value.trim());
  return null;
}

/** An ISO 8601 time where the epoch itself means "never" (Google's `lastLoginTime`): null for it. */
export function isoTimeOrNever(value: unknown, options: IsoTimeOptions = {}): number | null {
  const t = isoTime(value, options);
  return t !== null && t > 0 ? t : null;
}
