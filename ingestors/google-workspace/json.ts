import { AppwardenError } from '../../core/errors.js';

export type Json = Record<string, unknown>;

/** An AW_NORMALIZE_FAILED naming the field at fault. */
export function failure(field: string, reason: string): AppwardenError {
  return new AppwardenError('AW_NORMALIZE_FAILED', `google_workspace: ${reason}`, { details: { provider: 'google_workspace', field } });
}

export function requireObject(value: unknown, field: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw failure(field, `${field} is not a JSON object`);
  return value as Json;
}

export function requireString(o: Json, key: string, field: string): string {
  const value = o[key];
  if (typeof value !== 'string' || value === '') throw failure(field, `${field} is missing or not a string`);
  return value;
}

export function obj(value: unknown): Json | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : null;
}

export function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** A JSON number or a numeric string (Google writes int64 values as strings), else null. */
export function num(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return null;
}

/** An RFC 3339 time as epoch ms; Google's "never" (the epoch itself) and anything else unreadable are null. */
export function time(value: unknown): number | null {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && ms > 0 ? ms : null;
}

/** Sets `attrs[key]` to the value as a string when it is a non-empty string, a number or a boolean. */
export function put(attrs: Record<string, string>, key: string, value: unknown): void {
  if (typeof value === 'string' && value !== '') attrs[key] = value;
  else if (typeof value === 'number' && Number.isFinite(value)) attrs[key] = String(value);
  else if (typeof value === 'boolean') attrs[key] = String(value);
}

/** An email-shaped string: one `@` with text on both sides and no spaces. */
export function looksLikeEmail(s: string): boolean {
  const at = s.indexOf('@');
  return at > 0 && at < s.length - 1 && s.indexOf('@', at + 1) === -1 && !/\s/.test(s);
}

export function domainOf(email: string): string | null {
  const at = email.lastIndexOf('@');
  return at > 0 && at < email.length - 1 ? email.slice(at + 1).toLowerCase() : null;
}
