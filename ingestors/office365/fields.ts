import { arr, fieldErrors, obj, put as sharedPut, str as sharedStr } from '../runtime/json-fields.js';

/** Office 365's quirks on top of the shared JSON readers (`runtime/json-fields.ts`). */
export const { failure, requireObject, requireString } = fieldErrors('office365');

/** A non-empty string, else null. Office 365 writes missing values as "" and sometimes as "<null>". */
export function str(value: unknown): string | null {
  const s = sharedStr(value);
  return s === '<null>' ? null : s;
}

/** Sets a string attribute from a scalar; skips null, empty strings, "<null>" and objects. */
export function put(attrs: Record<string, string>, key: string, value: unknown): void {
  if (value !== '<null>') sharedPut(attrs, key, value);
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

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(s: string | null): s is string {
  return s !== null && GUID.test(s);
}
