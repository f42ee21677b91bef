import { AppwardenError } from '../core/errors.js';

/**
 * Checks an Avro binary body against its writer schema without building values: every length,
 * block count and union index must fit in the bytes that are left. The decoder trusts counts (a
 * corrupt array count would make it allocate and loop for billions of items), so a message is
 * checked first and rejected with a reason instead.
 */
export type BodyCheck = (buf: Uint8Array, pos: number) => number;

interface Step {
  /** Returns the position after the value. */
  run(buf: Uint8Array, pos: number): number;
  /** The fewest bytes a value of this type takes. */
  minSize: number;
}

const PRIMITIVE_SIZES: Record<string, number> = { null: 0, boolean: 1, int: 1, long: 1, float: 4, double: 8, bytes: 1, string: 1 };
// Counts of zero-byte items (arrays of null) cannot be bounded by the bytes left.
const MAX_EMPTY_ITEMS = 1_000_000;

/** Compiles the check for one schema (its JSON); the result returns the end position of the body. */
export function compileBodyCheck(schema: unknown): BodyCheck {
  const named = new Map<string, Step>();
  const root = compile(schema, '', named);
  return (buf, pos) => root.run(buf, pos);
}

/** The AW_DECODE_FAILED error of a body that is not valid Avro (shared with `avro-reader.ts`). */
export function invalidBody(reason: string): never {
  throw new AppwardenError('AW_DECODE_FAILED', `the message body is not valid Avro: ${reason}`, { details: { reason } });
}

/** Reads a zig-zag varint; returns [value, next position]. Precision beyond 2^53 does not matter for bounds. */
function readLong(buf: Uint8Array, pos: number): [number, number] {
  let result = 0;
  let shift = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) invalidBody('truncated number');
    const b = buf[pos++]!;
    result += (b & 0x7f) * shift;
    if ((b & 0x80) === 0) return [result % 2 === 0 ? result / 2 : -(result + 1) / 2, pos];
    shift *= 128;
  }
  return invalidBody('number longer than 10 bytes');
}

function primitive(type: string): Step {
  const minSize = PRIMITIVE_SIZES[type]!;
  switch (type) {
    case 'null':
      return { minSize, run: (_buf, pos) => pos };
    case 'boolean':
      return { minSize, run: (buf, pos) => (pos < buf.length && buf[pos]! <= 1 ? pos + 1 : invalidBody('invalid boolean')) };
    case 'int':
    case 'long':
      return { minSize, run: (buf, pos) => readLong(buf, pos)[1] };
    case 'float':
    case 'double':
      return { minSize, run: (buf, pos) => (pos + minSize <= buf.length ? pos + minSize : invalidBody(`truncated ${type}`)) };
    default: // string, bytes
      return {
        minSize,
        run: (buf, pos) => {
          const [len, next] = readLong(buf, pos);
          if (len < 0 || next + len > buf.length) invalidBody(`${type} length ${len} exceeds the ${buf.length - next} bytes left`);
          return next + len;
        },
      };
  }
}

function blocks(itemMin: number, item: (buf: Uint8Array, pos: number) => number, what: string): Step {
  return {
    minSize: 1,
    run: (buf, start) => {
      let pos = start;
      for (;;) {
        let n: number;
        [n, pos] = readLong(buf, pos);
        if (n === 0) return pos;
        if (n < 0) {
          n = -n;
          pos = readLong(buf, pos)[1]; // block size in bytes, unused
        }
        const limit = itemMin === 0 ? MAX_EMPTY_ITEMS : (buf.length - pos) / itemMin;
        if (n > limit) invalidBody(`${what} count ${n} exceeds the bytes left`);
        for (let i = 0; i < n; i++) pos = item(buf, pos);
      }
    },
  };
}

function fullName(name: string, namespace: string): string {
  return name.includes('.') || namespace === '' ? name : `${namespace}.${name}`;
}

function compile(schema: unknown, namespace: string, named: Map<string, Step>): Step {
  if (typeof schema === 'string') {
    if (schema in PRIMITIVE_SIZES) return primitive(schema);
    const name = fullName(schema, namespace);
    const known = named.get(name);
    if (known) return known;
    // A reference that is not defined yet (a recursive type): look the step up when it runs.
    return { minSize: 0, run: (buf, pos) => (named.get(name) ?? invalidBody(`unknown type ${name}`)).run(buf, pos) };
  }
  if (Array.isArray(schema)) {
    const branches = schema.map((branch) => compile(branch, namespace, named));
    return {
      minSize: 1,
      run: (buf, pos) => {
        const [index, next] = readLong(buf, pos);
        const branch = branches[index];
        if (branch === undefined) invalidBody(`union index ${index} out of range`);
        return branch.run(buf, next);
      },
    };
  }
  const s = schema as Record<string, unknown>;
  const type = s.type;
  if (typeof type !== 'string') return compile(type, namespace, named);
  if (type in PRIMITIVE_SIZES) return primitive(type);
  switch (type) {
    case 'record':
    case 'error': {
      const name = fullName(String(s.name), typeof s.namespace === 'string' ? s.namespace : namespace);
      const inner = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : '';
      const step: Step = { minSize: 0, run: () => 0 };
      named.set(name, step);
      const fields = (s.fields as Array<{ type: unknown }>).map((field) => compile(field.type, inner, named));
      step.minSize = fields.reduce((sum, f) => sum + f.minSize, 0);
      step.run = (buf, pos) => {
        let p = pos;
        for (const field of fields) p = field.run(buf, p);
        return p;
      };
      return step;
    }
    case 'enum': {
      const count = (s.symbols as unknown[]).length;
      const step: Step = {
        minSize: 1,
        run: (buf, pos) => {
          const [index, next] = readLong(buf, pos);
          if (index < 0 || index >= count) invalidBody(`enum index ${index} out of range`);
          return next;
        },
      };
      named.set(fullName(String(s.name), typeof s.namespace === 'string' ? s.namespace : namespace), step);
      return step;
    }
    case 'fixed': {
      const size = Number(s.size);
      const step: Step = { minSize: size, run: (buf, pos) => (pos + size <= buf.length ? pos + size : invalidBody('truncated fixed')) };
      named.set(fullName(String(s.name), typeof s.namespace === 'string' ? s.namespace : namespace), step);
      return step;
    }
    case 'array': {
      const items = compile(s.items, namespace, named);
      return blocks(items.minSize, (buf, pos) => items.run(buf, pos), 'array');
    }
    case 'map': {
      const values = compile(s.values, namespace, named);
      const key = primitive('string');
      return blocks(1 + values.minSize, (buf, pos) => values.run(buf, key.run(buf, pos)), 'map');
    }
    default:
      return compile(type, namespace, named);
  }
}
