import { AppwardenError } from '../../core/errors.js';
import type { Provider } from '../../schemas/vocabulary.js';

/**
 * Readers of untyped provider JSON for normalizers: they never throw on odd input (a wrong type
 * reads as absent); the `require*` readers of `fieldErrors` throw AW_NORMALIZE_FAILED naming the field.
 */
export type Json = Record<string, unknown>;

/** A JSON object (not an array), else null. */
export function obj(value: unknown): Json | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : null;
}

/** An array, else an empty one. */
export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A non-empty string, else null. */
export function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** A finite JSON number, else null. */
export function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A finite number or a decimal string (int64 values that providers write as strings), else null. */
export function numeric(value: unknown): number | null {
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return num(value);
}

/** A JSON boolean, or the strings `true`/`false` (ServiceNow, Salesforce), else null. */
export function bool(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return null;
}

/** Sets `attrs[key]` to the value as a string when it is a non-empty string, a finite number or a boolean. */
export function put(attrs: Record<string, string>, key: string, value: unknown): void {
  const text = attributeText(value);
  if (text !== undefined) attrs[key] = text;
}

/**
 * What `put` stores: the value as a string when it is a non-empty string, a finite number or a
 * boolean, else undefined. For a hot normalizer that stores by name (`attrs.isp = text`): a store
 * with a fixed key is cheaper than `put`'s store with a key it is passed.
 */
export function attributeText(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') return String(value);
  return undefined;
}

/** An email-shaped string: one `@` with text on both sides and no spaces. */
export function looksLikeEmail(s: string | null): s is string {
  if (s === null) return false;
  const at = s.indexOf('@');
  return at > 0 && at < s.length - 1 && s.indexOf('@', at + 1) === -1 && !/\s/.test(s);
}

/** The lower-cased domain of an email address, or null. */
export function domainOf(email: string): string | null {
  const at = email.lastIndexOf('@');
  return at > 0 && at < email.length - 1 ? email.slice(at + 1).toLowerCase() : null;
}

/** `SiteUrl`, `User-Agent`, `Additional Detail Name` → `site_url`, `user_agent`, `additional_detail_name` (attribute keys). */
export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '').toLowerCase();
}

export interface FieldErrors {
  /** An AW_NORMALIZE_FAILED naming the field at fault (the dead letter's reason). */
  failure(field: string, reason: string): AppwardenError;
  requireObject(value: unknown, field: string): Json;
  /** `o[key]` as a non-empty string; `field` names it in the error (default `key`). */
  requireString(o: Json, key: string, field?: string): string;
}

/** The failing readers of one provider's normalizers; their messages start with the provider id. */
export function fieldErrors(provider: Provider): FieldErrors {
  const failure = (field: string, reason: string) =>
    new AppwardenError('AW_NORMALIZE_FAILED', `${provider}: ${reason}`, { details: { provider, field } });
  return {
    failure,
    requireObject(value, field) {
      const o = obj(value);
      if (o === null) throw failure(field, `${field} is not a JSON object`);
      return o;
    },
    requireString(o, key, field = key) {
      const value = o[key];
      if (typeof value !== 'string' || value === '') throw failure(field, `${field} is missing or not a string`);
      return value;
    },
  };
}
