import Type, { type TSchema } from 'typebox';
import { formatDateTime64 } from '../../../core/clickhouse.js';
import { AppwardenError } from '../../../core/errors.js';

/**
 * The ClickHouse column types the catalogue uses, parsed once from their DDL spelling. Each one knows
 * how its value is written (RowBinary bytes, or a JSONEachRow value), read back (a record keeps epoch
 * millis, the API keeps the ISO text the engine answers) and described in the API's schema.
 * `LowCardinality(T)` is `T` on the wire in every format used here.
 */
export type ChType =
  | { kind: 'string' }
  | { kind: 'uint'; bytes: 1 | 2 | 4 | 8 }
  | { kind: 'bool' }
  | { kind: 'datetime64' }
  | { kind: 'nullable'; of: ChType }
  | { kind: 'array'; of: ChType }
  | { kind: 'map'; key: ChType; value: ChType }
  /** A type only computed by the engine (MATERIALIZED), never written or read by the catalogue. */
  | { kind: 'engine'; name: string };

export function parseChType(text: string): ChType {
  const t = text.trim();
  const inner = (prefix: string) => t.slice(prefix.length + 1, -1);
  if (t === 'String') return { kind: 'string' };
  if (t === 'Bool') return { kind: 'bool' };
  if (t === 'UInt8') return { kind: 'uint', bytes: 1 };
  if (t === 'UInt16') return { kind: 'uint', bytes: 2 };
  if (t === 'UInt32') return { kind: 'uint', bytes: 4 };
  if (t === 'UInt64') return { kind: 'uint', bytes: 8 };
  if (t === "DateTime64(3, 'UTC')") return { kind: 'datetime64' };
  if (t.startsWith('LowCardinality(')) return parseChType(inner('LowCardinality'));
  if (t.startsWith('Nullable(')) return { kind: 'nullable', of: parseChType(inner('Nullable')) };
  if (t.startsWith('Array(')) return { kind: 'array', of: parseChType(inner('Array')) };
  if (t.startsWith('Map(')) {
    const [key, value] = splitTopLevel(inner('Map'));
    return { kind: 'map', key: parseChType(key!), value: parseChType(value!) };
  }
  return { kind: 'engine', name: t };
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function unsupported(type: ChType, what: string): never {
  throw new AppwardenError('AW_CONFIG_INVALID', `the catalogue cannot ${what} a ${type.kind === 'engine' ? type.name : type.kind} column`);
}

/** The value in a JSONEachRow row: date-times as `'YYYY-MM-DD hh:mm:ss.sss'`, the rest as is. */
export function jsonValue(type: ChType): ((v: unknown) => unknown) | null {
  switch (type.kind) {
    case 'datetime64': return (v) => formatDateTime64(v as number);
    case 'nullable': {
      const of = jsonValue(type.of);
      return of && ((v) => (v === null || v === undefined ? null : of(v)));
    }
    case 'array': {
      const of = jsonValue(type.of);
      return of && ((v) => (v as unknown[]).map(of));
    }
    default: return null; // written as JSON as it is
  }
}

/** A value as the engine answers it (JSONEachRow, ISO date-times) into the record's shape. */
export function recordValue(type: ChType): ((v: unknown) => unknown) | null {
  switch (type.kind) {
    case 'datetime64': return (v) => Date.parse(v as string);
    case 'bool': return (v) => Boolean(v);
    case 'nullable': {
      const of = recordValue(type.of);
      return of && ((v) => (v === null || v === undefined ? null : of(v)));
    }
    case 'array': {
      const of = recordValue(type.of);
      return of && ((v) => (v as unknown[]).map(of));
    }
    default: return null;
  }
}

/** A value as the engine answers it into the API's shape (ISO date-times stay text). */
export function apiValue(type: ChType): ((v: unknown) => unknown) | null {
  if (type.kind === 'bool') return (v) => Boolean(v);
  if (type.kind === 'nullable' && type.of.kind === 'bool') return (v) => (v === null ? null : Boolean(v));
  return null;
}

/** The API's JSON schema of a value of this type. */
export function apiSchema(type: ChType): TSchema {
  switch (type.kind) {
    case 'string': return Type.String();
    case 'datetime64': return Type.String();
    case 'uint': return Type.Integer();
    case 'bool': return Type.Boolean();
    case 'nullable': return Type.Union([apiSchema(type.of), Type.Null()]);
    case 'array': return Type.Array(apiSchema(type.of));
    case 'map': return Type.Record(Type.String(), apiSchema(type.value));
    default: return unsupported(type, 'describe');
  }
}
