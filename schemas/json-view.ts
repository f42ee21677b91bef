import { AppwardenError } from '../core/errors.js';
import { schemaRegistry } from './registry.js';
import type { AnyRecord, SchemaName } from './types.js';

type Convert = (value: any) => unknown;

const compiled = new Map<string, Convert>();

/**
 * The JSON view of a record, as the CLI prints it and the API answers: the Avro field names in
 * schema order, timestamps (`timestamp-millis`) as ISO 8601 UTC strings, everything else as is.
 * The schema is inferred from the record's fields unless given.
 */
export function toJsonView(record: AnyRecord, schema?: SchemaName): Record<string, unknown> {
  const name = schema ?? schemaOf(record);
  let convert = compiled.get(name);
  if (!convert) {
    convert = compile(schemaRegistry().schemaJson(name), '', new Map()) ?? ((v) => v);
    compiled.set(name, convert);
  }
  return convert(record) as Record<string, unknown>;
}

/** Which schema a record follows, told by the fields only that schema has. */
export function schemaOf(record: object): SchemaName {
  if ('event_id' in record) return 'audit-event';
  if ('kind' in record && 'subject' in record) return 'account-event';
  if ('change' in record && 'file' in record) return 'file-event';
  if ('dedup_key' in record) return 'alert';
  if ('requires_approval' in record) return 'governance-command';
  if ('command_id' in record && 'attempt' in record) return 'governance-result';
  throw new AppwardenError('AW_SCHEMA_UNKNOWN', 'cannot tell which schema the record follows', { details: { fields: Object.keys(record) } });
}

function fullName(name: string, namespace: string): string {
  return name.includes('.') || namespace === '' ? name : `${namespace}.${name}`;
}

function iso(value: number): string {
  return new Date(value).toISOString();
}

/** A converter for values of a schema; null when values need no change. Records are always copied. */
function compile(schema: unknown, namespace: string, named: Map<string, Convert>): Convert | null {
  if (typeof schema === 'string') return named.get(fullName(schema, namespace)) ?? null;
  if (Array.isArray(schema)) {
    const branches = schema.filter((b) => b !== 'null').map((b) => compile(b, namespace, named));
    const only = branches.length === 1 ? branches[0] : null;
    return only ? (v) => (v === null ? null : only(v)) : null;
  }
  const s = schema as Record<string, unknown>;
  if (s.logicalType === 'timestamp-millis' && s.type === 'long') return iso;
  switch (s.type) {
    case 'record': {
      const name = fullName(String(s.name), typeof s.namespace === 'string' ? s.namespace : namespace);
      const inner = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : '';
      const fields: Array<[string, Convert | null]> = [];
      const convert: Convert = (v) => {
        const out: Record<string, unknown> = {};
        for (const [field, fieldConvert] of fields) out[field] = fieldConvert ? fieldConvert(v[field]) : v[field];
        return out;
      };
      named.set(name, convert);
      for (const field of s.fields as Array<{ name: string; type: unknown }>) fields.push([field.name, compile(field.type, inner, named)]);
      return convert;
    }
    case 'array': {
      const items = compile(s.items, namespace, named);
      return items ? (v: unknown[]) => v.map(items) : null;
    }
    case 'map': {
      const values = compile(s.values, namespace, named);
      return values ? (v: Record<string, unknown>) => Object.fromEntries(Object.entries(v).map(([k, x]) => [k, values(x)])) : null;
    }
    default:
      return s.type === undefined ? null : compile(s.type, namespace, named);
  }
}
