import type avsc from 'avsc';
import { invalidBody } from './body-check.js';

/**
 * A compiled Avro binary reader for one writer schema: decodes the body from `pos` to the end of
 * `buf` in one pass and returns the value avsc's `type.decode` returns for it (the same record
 * classes, unions wrapped or not as the type was built, maps as plain objects, bytes as Buffers).
 *
 * Every length, count, union or enum index and number is checked against the bytes left as it is
 * read, with the reasons of `body-check.ts` (AW_DECODE_FAILED), so a corrupt count fails instead of
 * allocating; bytes after the record fail too. Stricter than avsc in three ways, all of which our
 * writer never produces: a boolean byte other than 0 or 1, an `int` outside 32 bits, a varint
 * longer than 10 bytes. `avro-reader.test.ts` checks the values against avsc's on every schema.
 */
export type AvroReader = (buf: Buffer, pos: number) => unknown;

// Counts of zero-byte items (arrays of null, empty records) cannot be bounded by the bytes left.
const MAX_EMPTY_ITEMS = 1_000_000;
// avsc's LongType refuses a long outside this range ("potential precision loss").
const SAFE_LONG = 9007199254740990;

// Strings up to this many bytes go through a cache of the last string decoded per slot (2^(32 - shift) slots):
// a hit costs a compare of the bytes, a fraction of Buffer#utf8Slice's cost for a short string (~100 ns),
// and allocates nothing. Measured on the bench's Okta events: 24 bytes a little faster than 16 or 32.
const CACHED_LENGTH = 24;
const CACHE_SHIFT = 20;

class Unsupported extends Error {}

/** Compiles the reader of an avsc type; null when it holds a type this reader does not build (logical types). */
export function compileAvroReader(type: avsc.Type, label: string): AvroReader | null {
  const gen = new Generator();
  let root: string;
  try {
    root = gen.expression(type as unknown as AnyType);
  } catch (err) {
    if (err instanceof Unsupported) return null;
    throw err;
  }
  const source = `
let buf = EMPTY, p = 0, end = 0;
const cache = new Array(1 << (32 - CACHE_SHIFT)).fill('');
const cacheLengths = new Uint8Array(cache.length);
const cacheUsed = new Uint8Array(cache.length);
const cacheBytes = new Uint8Array(cache.length * CACHED_LENGTH);
${HELPERS}
${gen.functions.join('\n')}
return function read(input, pos) {
  buf = input; p = pos; end = input.length;
  try {
    const value = ${root};
    if (p !== end) fail((end - p) + ' bytes follow the ' + LABEL + ' record');
    return value;
  } finally {
    buf = EMPTY;
  }
};`;
  // The source is generated from our schema files, never from message data.
  const factory = new Function('EMPTY', 'fail', 'LABEL', 'SAFE_LONG', 'MAX_EMPTY_ITEMS', 'CACHED_LENGTH', 'CACHE_SHIFT', 'refs', source);
  return factory(Buffer.alloc(0), invalidBody, label, SAFE_LONG, MAX_EMPTY_ITEMS, CACHED_LENGTH, CACHE_SHIFT, gen.refs) as AvroReader;
}

/** Reads of the primitives over the closure's `buf`, `p` and `end`. */
const HELPERS = `
function long() {
  if (p >= end) fail('truncated number');
  let b = buf[p++];
  if (b < 0x80) return (b >>> 1) ^ -(b & 1);
  let n = b & 0x7f;
  let m = 128;
  for (let i = 1; i < 10; i++) {
    if (p >= end) fail('truncated number');
    b = buf[p++];
    n += (b & 0x7f) * m;
    if (b < 0x80) return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
    m *= 128;
  }
  return fail('number longer than 10 bytes');
}
function int() {
  const n = long();
  if (n < -2147483648 || n > 2147483647) fail('int ' + n + ' is outside 32 bits');
  return n;
}
function safeLong() {
  const n = long();
  if (n < -SAFE_LONG || n > SAFE_LONG) fail('long ' + n + ' is beyond 2^53 (precision loss)');
  return n;
}
function bool() {
  if (p >= end || buf[p] > 1) fail('invalid boolean');
  return buf[p++] === 1;
}
function length(type) {
  const len = long();
  if (len < 0 || len > end - p) fail(type + ' length ' + len + ' exceeds the ' + (end - p) + ' bytes left');
  return len;
}
function str() {
  const len = length('string');
  const start = p;
  p += len;
  if (len > CACHED_LENGTH || len === 0) return buf.utf8Slice(start, p);
  // Short texts repeat (vocabulary, map keys, names): reuse the string decoded last from the same bytes in its slot.
  const slot = Math.imul(len ^ (buf[start] << 8) ^ (buf[p - 1] << 16) ^ (buf[start + (len >> 1)] << 4), 0x9e3779b1) >>> CACHE_SHIFT;
  const base = slot * CACHED_LENGTH;
  if (cacheLengths[slot] === len) {
    let i = 0;
    while (i < len && cacheBytes[base + i] === buf[start + i]) i++;
    if (i === len) {
      cacheUsed[slot] = 1;
      return cache[slot];
    }
  }
  const text = buf.utf8Slice(start, p);
  // An entry hit since it came in gets a second chance: a one-off text (an id) does not evict a frequent one.
  if (cacheUsed[slot] === 1) {
    cacheUsed[slot] = 0;
  } else {
    for (let i = 0; i < len; i++) cacheBytes[base + i] = buf[start + i];
    cacheLengths[slot] = len;
    cache[slot] = text;
  }
  return text;
}
function fixed(len) {
  if (len > end - p) fail('truncated fixed');
  const out = Buffer.allocUnsafe(len);
  buf.copy(out, 0, p, p + len);
  p += len;
  return out;
}
function bytes() {
  return fixed(length('bytes'));
}
function float() {
  if (p + 4 > end) fail('truncated float');
  const v = buf.readFloatLE(p);
  p += 4;
  return v;
}
function double() {
  if (p + 8 > end) fail('truncated double');
  const v = buf.readDoubleLE(p);
  p += 8;
  return v;
}
function index(count, what) {
  const i = long();
  if (i < 0 || i >= count) fail(what + ' index ' + i + ' out of range');
  return i;
}
/** A block count (the byte size of a negative one skipped), bounded by the bytes left. */
function count(itemMin, what, sofar) {
  let n = long();
  if (n < 0) {
    n = -n;
    long();
  }
  if (n > (itemMin === 0 ? MAX_EMPTY_ITEMS - sofar : (end - p) / itemMin)) fail(what + ' count ' + n + ' exceeds the bytes left');
  return n;
}`;

/** The parts of avsc's type objects the generator reads. */
interface AnyType {
  typeName: string;
  fields?: Array<{ name: string; type: AnyType }>;
  recordConstructor?: unknown;
  itemsType?: AnyType;
  valuesType?: AnyType;
  types?: AnyType[];
  symbols?: string[];
  size?: number;
  _branchConstructor?: unknown;
}

/**
 * Generates one function per record (fields read in order as the constructor's arguments), array,
 * map, union and enum; primitives are calls of the helpers. Named types are generated once, so
 * recursive schemas work.
 */
class Generator {
  readonly functions: string[] = [];
  /** Record constructors, enum symbols and union branch constructors, as `refs[i]` in the source. */
  readonly refs: unknown[] = [];
  private readonly done = new Map<AnyType, string>();
  private readonly minSizes = new Map<AnyType, number>();

  /** A JavaScript expression that reads a value of the type and advances `p`. */
  expression(type: AnyType): string {
    switch (type.typeName) {
      case 'null': return 'null';
      case 'boolean': return 'bool()';
      case 'int': return 'int()';
      case 'long': return 'safeLong()';
      case 'float': return 'float()';
      case 'double': return 'double()';
      case 'string': return 'str()';
      case 'bytes': return 'bytes()';
      case 'fixed': return `fixed(${type.size})`;
      case 'record':
      case 'error':
      case 'array':
      case 'map':
      case 'enum':
      case 'union:unwrapped':
      case 'union:wrapped':
        return `${this.function(type)}()`;
      default:
        throw new Unsupported(type.typeName); // logical and abstract types: left to avsc
    }
  }

  private function(type: AnyType): string {
    const known = this.done.get(type);
    if (known) return known;
    const name = `${type.typeName.replace(':', '_')}${this.done.size}`;
    this.done.set(type, name);
    this.functions.push(`function ${name}() {\n${this.body(type)}\n}`);
    return name;
  }

  private ref(value: unknown): string {
    return `refs[${this.refs.push(value) - 1}]`;
  }

  private body(type: AnyType): string {
    switch (type.typeName) {
      case 'record':
      case 'error': {
        const args = type.fields!.map((field) => `    ${this.expression(field.type)}`);
        return `  return new ${this.ref(type.recordConstructor)}(\n${args.join(',\n')}\n  );`;
      }
      case 'enum':
        return `  return ${this.ref(type.symbols)}[index(${type.symbols!.length}, 'enum')];`;
      case 'union:unwrapped': {
        const branches = type.types!;
        const nullIndex = branches.findIndex((b) => b.typeName === 'null');
        if (branches.length === 2 && nullIndex !== -1) {
          return `  return index(2, 'union') === ${nullIndex} ? null : ${this.expression(branches[1 - nullIndex]!)};`;
        }
        const cases = branches.map((b, i) => `    case ${i}: return ${this.expression(b)};`);
        return `  switch (index(${branches.length}, 'union')) {\n${cases.join('\n')}\n  }`;
      }
      case 'union:wrapped': {
        const cases = type.types!.map((b, i) => {
          const read = this.expression(b);
          return b._branchConstructor === null
            ? `    case ${i}: return ${read};`
            : `    case ${i}: return new ${this.ref(b._branchConstructor)}(${read});`;
        });
        return `  switch (index(${type.types!.length}, 'union')) {\n${cases.join('\n')}\n  }`;
      }
      case 'array':
        return `  let items = null;
  let i = 0;
  for (let n = count(${this.minSize(type.itemsType!)}, 'array', 0); n !== 0; n = count(${this.minSize(type.itemsType!)}, 'array', i)) {
    if (items === null) items = new Array(n);
    for (; n > 0; n--) items[i++] = ${this.expression(type.itemsType!)};
  }
  return items === null ? [] : items;`;
      case 'map':
        return `  const map = {};
  let i = 0;
  for (let n = count(${1 + this.minSize(type.valuesType!)}, 'map', 0); n !== 0; n = count(${1 + this.minSize(type.valuesType!)}, 'map', i)) {
    for (; n > 0; n--, i++) {
      const key = str();
      map[key] = ${this.expression(type.valuesType!)};
    }
  }
  return map;`;
      default:
        throw new Unsupported(type.typeName);
    }
  }

  /** The fewest bytes a value of the type takes (0 for a record still being sized: a recursive one). */
  private minSize(type: AnyType): number {
    const known = this.minSizes.get(type);
    if (known !== undefined) return known;
    this.minSizes.set(type, 0);
    let size: number;
    switch (type.typeName) {
      case 'null': size = 0; break;
      case 'float': size = 4; break;
      case 'double': size = 8; break;
      case 'fixed': size = type.size!; break;
      case 'record':
      case 'error': size = type.fields!.reduce((sum, f) => sum + this.minSize(f.type), 0); break;
      default: size = 1; // a varint, a length, a block count, an index
    }
    this.minSizes.set(type, size);
    return size;
  }
}
