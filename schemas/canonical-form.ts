import { AppwardenError } from '../core/errors.js';

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

/**
 * The Parsing Canonical Form of an Avro schema (Avro specification, "Parsing Canonical Form for
 * Schemas"): primitives in simple form, full names, only the attributes that matter for parsing
 * (name, type, fields, symbols, items, values, size) in that order, no whitespace.
 * Works on the schema JSON itself, so it is independent of any Avro library.
 */
export function parsingCanonicalForm(schema: unknown): string {
  return write(schema, '');
}

function write(schema: unknown, namespace: string): string {
  if (typeof schema === 'string') return JSON.stringify(PRIMITIVES.has(schema) ? schema : fullName(schema, namespace));
  if (Array.isArray(schema)) return `[${schema.map((branch) => write(branch, namespace)).join(',')}]`;
  if (schema === null || typeof schema !== 'object') throw invalid(`not a schema: ${JSON.stringify(schema)}`);

  const s = schema as Record<string, unknown>;
  const type = s.type;
  if (typeof type !== 'string') return write(type, namespace);
  if (PRIMITIVES.has(type)) return JSON.stringify(type);
  switch (type) {
    case 'record':
    case 'error': {
      const name = namedFullName(s, namespace);
      const inner = namespaceOf(name);
      if (!Array.isArray(s.fields)) throw invalid(`record ${name} has no fields array`);
      const fields = s.fields.map((field: Record<string, unknown>) =>
        `{"name":${JSON.stringify(field.name)},"type":${write(field.type, inner)}}`);
      return `{"name":${JSON.stringify(name)},"type":${JSON.stringify(type)},"fields":[${fields.join(',')}]}`;
    }
    case 'enum':
      return `{"name":${JSON.stringify(namedFullName(s, namespace))},"type":"enum","symbols":${JSON.stringify(s.symbols)}}`;
    case 'fixed':
      return `{"name":${JSON.stringify(namedFullName(s, namespace))},"type":"fixed","size":${JSON.stringify(s.size)}}`;
    case 'array':
      return `{"type":"array","items":${write(s.items, namespace)}}`;
    case 'map':
      return `{"type":"map","values":${write(s.values, namespace)}}`;
    default:
      // `{"type": "some.Name"}` refers to a named type defined earlier.
      return JSON.stringify(fullName(type, namespace));
  }
}

function namedFullName(s: Record<string, unknown>, enclosing: string): string {
  if (typeof s.name !== 'string') throw invalid(`a ${String(s.type)} has no name`);
  const ns = typeof s.namespace === 'string' ? s.namespace : enclosing;
  return fullName(s.name, ns);
}

function fullName(name: string, namespace: string): string {
  return name.includes('.') || namespace === '' ? name : `${namespace}.${name}`;
}

function namespaceOf(fullNameValue: string): string {
  const dot = fullNameValue.lastIndexOf('.');
  return dot === -1 ? '' : fullNameValue.slice(0, dot);
}

function invalid(reason: string): AppwardenError {
  return new AppwardenError('AW_CONFIG_INVALID', `invalid Avro schema: ${reason}`, { details: { reason } });
}
