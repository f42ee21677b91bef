import { AppwardenError } from '../core/errors.js';

/**
 * A compiled Avro binary writer for one schema: writes `value` into `buf` from `pos` and returns
 * the end position, or -1 when `buf` is too small (the caller grows it and writes again).
 * Throws AW_ENCODE_FAILED when the value does not match the schema.
 *
 * Why not avsc's own writer: it measures every string with `Buffer.byteLength` before writing it,
 * which made encoding twice as slow as normalizing. Here a string is written in one pass and its
 * length prefix is sized from its UTF-16 length. `avro-writer.test.ts` checks the bytes against
 * avsc's on every schema.
 */
export type AvroWriter = (value: unknown, buf: Buffer, pos: number) => number;

/** Thrown (as a shared sentinel, cheaply) when the buffer runs out; caught by the entry point. */
const OVERFLOW = { overflow: true };

/** Compiles a writer, or returns null when the schema uses something this writer does not support. */
export function compileAvroWriter(schema: unknown): AvroWriter | null {
  let root: (buf: Buffer, pos: number, value: unknown) => number;
  try {
    root = compile(schema);
  } catch (err) {
    if (err instanceof Unsupported) return null;
    throw err;
  }
  return (value, buf, pos) => {
    try {
      return root(buf, pos, value);
    } catch (err) {
      if (err === OVERFLOW) return -1;
      throw err;
    }
  };
}

class Unsupported extends Error {}

function invalid(type: string, value: unknown): never {
  throw new AppwardenError('AW_ENCODE_FAILED', `invalid ${type}: ${String(value)}`);
}

function writeLong(buf: Buffer, pos: number, n: number): number {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  if (pos + 10 > buf.length) throw OVERFLOW;
  while (z >= 0x80) {
    buf[pos++] = (z % 0x80) | 0x80;
    z = Math.floor(z / 0x80);
  }
  buf[pos++] = z;
  return pos;
}

// Buffer#utf8Write skips the argument handling of Buffer#write; avsc relies on it too. Fall back if absent.
const nativeUtf8Write = (Buffer.prototype as unknown as { utf8Write?: (s: string, offset: number) => number }).utf8Write;
const utf8Write: (buf: Buffer, s: string, offset: number) => number = nativeUtf8Write
  ? (buf, s, offset) => nativeUtf8Write.call(buf, s, offset)
  : (buf, s, offset) => buf.write(s, offset);

/** Bytes of the zig-zag varint of a non-negative length. */
function varintSize(len: number): number {
  let z = len * 2;
  let size = 1;
  while (z >= 0x80) {
    z = Math.floor(z / 0x80);
    size++;
  }
  return size;
}

function writeString(buf: Buffer, pos: number, s: unknown): number {
  if (typeof s !== 'string') invalid('string', s);
  const chars = s.length;
  // One UTF-16 unit takes at most 3 UTF-8 bytes: reserve room for the worst case, write once.
  if (pos + 10 + chars * 3 > buf.length) throw OVERFLOW;
  if (chars < 64) {
    // Short ASCII text (ids, names, enums): copy the bytes, the length fits one byte.
    let p = pos + 1;
    for (let i = 0; i < chars; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) return writeText(buf, pos, s, 1);
      buf[p++] = c;
    }
    buf[pos] = chars * 2;
    return p;
  }
  return writeText(buf, pos, s, varintSize(chars));
}

/** Writes the text after a `reserved`-byte length prefix, moving it when the prefix needs more bytes. */
function writeText(buf: Buffer, pos: number, s: string, reserved: number): number {
  const bytes = utf8Write(buf, s, pos + reserved);
  const header = varintSize(bytes);
  if (header !== reserved) buf.copyWithin(pos + header, pos + reserved, pos + reserved + bytes);
  writeLength(buf, pos, bytes, header);
  return pos + header + bytes;
}

/** Writes a length as a zig-zag varint of exactly `size` bytes (the value fits by construction). */
function writeLength(buf: Buffer, pos: number, len: number, size: number): void {
  let z = len * 2;
  for (let i = 0; i < size - 1; i++) {
    buf[pos++] = (z % 0x80) | 0x80;
    z = Math.floor(z / 0x80);
  }
  buf[pos] = z;
}

function writeFloat(buf: Buffer, pos: number, v: unknown): number {
  if (typeof v !== 'number') invalid('float', v);
  if (pos + 4 > buf.length) throw OVERFLOW;
  return buf.writeFloatLE(v, pos);
}

function writeDouble(buf: Buffer, pos: number, v: unknown): number {
  if (typeof v !== 'number') invalid('double', v);
  if (pos + 8 > buf.length) throw OVERFLOW;
  return buf.writeDoubleLE(v, pos);
}

function fullName(name: string, namespace: string): string {
  return name.includes('.') || namespace === '' ? name : `${namespace}.${name}`;
}

/**
 * Generates JavaScript source for the schema: one function per record with its fields read by
 * name (`v.event_id`), so property loads stay monomorphic; unions, arrays and maps inline.
 */
class Generator {
  private counter = 0;
  readonly records: string[] = [];
  readonly recordNames = new Map<string, string>();
  readonly defaults: unknown[] = [];

  /** Statements that write the value in variable `v` and advance `p`. */
  value(schema: unknown, v: string, ns: string): string {
    if (typeof schema === 'string') return this.named(schema, v, ns);
    if (Array.isArray(schema)) return this.union(schema, v, ns);
    const s = schema as Record<string, unknown>;
    if (typeof s.type !== 'string') return this.value(s.type, v, ns);
    switch (s.type) {
      case 'record': return `p = ${this.record(s, ns)}(buf, p, ${v});`;
      case 'array': return this.array(s.items, v, ns);
      case 'map': return this.map(s.values, v, ns);
      default: return this.named(s.type, v, ns);
    }
  }

  private named(type: string, v: string, ns: string): string {
    switch (type) {
      case 'null': return `if (${v} !== null) invalid('null', ${v});`;
      case 'boolean': return `if (typeof ${v} !== 'boolean') invalid('boolean', ${v}); if (p + 1 > buf.length) throw OVERFLOW; buf[p++] = ${v} ? 1 : 0;`;
      case 'int': return `if (!Number.isInteger(${v}) || ${v} < -2147483648 || ${v} > 2147483647) invalid('int', ${v}); p = writeLong(buf, p, ${v});`;
      case 'long': return `if (!Number.isSafeInteger(${v})) invalid('long', ${v}); p = writeLong(buf, p, ${v});`;
      case 'float': return `p = writeFloat(buf, p, ${v});`;
      case 'double': return `p = writeDouble(buf, p, ${v});`;
      case 'string': return `p = writeString(buf, p, ${v});`;
      default: {
        const fn = this.recordNames.get(fullName(type, ns));
        if (!fn) throw new Unsupported(type); // enum, fixed, bytes: left to avsc
        return `p = ${fn}(buf, p, ${v});`;
      }
    }
  }

  private record(s: Record<string, unknown>, ns: string): string {
    const name = fullName(String(s.name), typeof s.namespace === 'string' ? s.namespace : ns);
    const inner = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : '';
    const fn = `record${this.recordNames.size}`;
    this.recordNames.set(name, fn);
    const body = (s.fields as Array<{ name: string; type: unknown; default?: unknown }>).map((field) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(field.name)) throw new Unsupported(`field name ${field.name}`);
      const x = this.temp();
      const read = 'default' in field
        ? `const ${x} = v.${field.name} === undefined ? defaults[${this.defaults.push(defaultValue(field.type, field.default)) - 1}] : v.${field.name};`
        : `const ${x} = v.${field.name};`;
      return `  { ${read} ${this.value(field.type, x, inner)} }`;
    });
    this.records.push(`function ${fn}(buf, p, v) {
  if (v === null || typeof v !== 'object') invalid(${JSON.stringify(name)}, v);
${body.join('\n')}
  return p;
}`);
    return fn;
  }

  private union(branches: unknown[], v: string, ns: string): string {
    // Only nullable unions (`["null", T]` or `[T, "null"]`): the branch is told by `value === null`.
    const nullIndex = branches.indexOf('null');
    if (branches.length !== 2 || nullIndex === -1) throw new Unsupported('union');
    const other = this.value(branches[1 - nullIndex], v, ns);
    return `if (p + 1 > buf.length) throw OVERFLOW; if (${v} === null) { buf[p++] = ${nullIndex * 2}; } else { buf[p++] = ${(1 - nullIndex) * 2}; ${other} }`;
  }

  private array(items: unknown, v: string, ns: string): string {
    const i = this.temp();
    const item = this.temp();
    return `if (!Array.isArray(${v})) invalid('array', ${v});
    if (${v}.length > 0) { p = writeLong(buf, p, ${v}.length); for (let ${i} = 0; ${i} < ${v}.length; ${i}++) { const ${item} = ${v}[${i}]; ${this.value(items, item, ns)} } }
    if (p + 1 > buf.length) throw OVERFLOW; buf[p++] = 0;`;
  }

  private map(values: unknown, v: string, ns: string): string {
    const keys = this.temp();
    const i = this.temp();
    const value = this.temp();
    return `if (${v} === null || typeof ${v} !== 'object' || Array.isArray(${v})) invalid('map', ${v});
    const ${keys} = Object.keys(${v});
    if (${keys}.length > 0) { p = writeLong(buf, p, ${keys}.length); for (let ${i} = 0; ${i} < ${keys}.length; ${i}++) { p = writeString(buf, p, ${keys}[${i}]); const ${value} = ${v}[${keys}[${i}]]; ${this.value(values, value, ns)} } }
    if (p + 1 > buf.length) throw OVERFLOW; buf[p++] = 0;`;
  }

  private temp(): string {
    return `t${this.counter++}`;
  }
}

function compile(schema: unknown): (buf: Buffer, pos: number, value: unknown) => number {
  const gen = new Generator();
  const root = gen.value(schema, 'value', '');
  const source = `${gen.records.join('\n')}
return function write(buf, p, value) {
  ${root}
  return p;
};`;
  // The source is generated from our schema files, never from input data.
  const factory = new Function('writeString', 'writeLong', 'writeFloat', 'writeDouble', 'invalid', 'OVERFLOW', 'defaults', source);
  return factory(writeString, writeLong, writeFloat, writeDouble, invalid, OVERFLOW, gen.defaults);
}

/** The value a missing field takes: its JSON default, which for these types is the value itself. */
function defaultValue(type: unknown, value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value) && value.length === 0) return [];
  if (!Array.isArray(value) && Object.keys(value).length === 0) return {};
  throw new Unsupported(`default of ${JSON.stringify(type)}`);
}
