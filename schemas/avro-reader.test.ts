import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import avsc from 'avsc';
import { isAppwardenError } from '../core/errors.js';
import { compileAvroReader, type AvroReader } from './avro-reader.js';
import { compileAvroWriter } from './avro-writer.js';
import { compileBodyCheck } from './body-check.js';
import { decode, encode, schemaRegistry } from './registry.js';
import { FULL_RECORDS } from './testdata/sample-records.js';
import type { SchemaName } from './types.js';

const NAMES = Object.keys(FULL_RECORDS) as SchemaName[];
const HEADER_SIZE = 10;

function compiled(schema: unknown, opts?: Partial<avsc.ForSchemaOptions>): { type: avsc.Type; read: AvroReader } {
  const type = avsc.Type.forSchema(schema as avsc.Schema, opts);
  const read = compileAvroReader(type, 'test');
  assert.ok(read, 'the schema is supported');
  return { type, read };
}

/** The AW_DECODE_FAILED reason `fn` throws with (fails the test on any other outcome). */
function reasonOf(fn: () => unknown): string {
  let reason = '';
  assert.throws(fn, (err: unknown) => {
    assert.ok(isAppwardenError(err, 'AW_DECODE_FAILED'), `expected AW_DECODE_FAILED, got ${String(err)}`);
    reason = String(err.details.reason);
    return true;
  });
  return reason;
}

/** avsc's value for a whole body, or its error. */
function avscDecode(type: avsc.Type, buf: Buffer, pos = 0): unknown {
  const { value, offset } = type.decode(buf, pos);
  if (offset !== buf.length) throw new Error(`avsc stopped at ${offset} of ${buf.length}`);
  return value;
}

/** Types of every kind avsc builds: every branch of the generator. */
const ALL_KINDS = {
  type: 'record', name: 'Everything', namespace: 'test',
  fields: [
    { name: 'b', type: 'boolean' }, { name: 'i', type: 'int' }, { name: 'l', type: 'long' },
    { name: 'f', type: 'float' }, { name: 'd', type: 'double' }, { name: 's', type: 'string' },
    { name: 'by', type: 'bytes' }, { name: 'n', type: 'null' },
    { name: 'fx', type: { type: 'fixed', name: 'Hash', size: 4 } },
    { name: 'e', type: { type: 'enum', name: 'Colour', symbols: ['RED', 'GREEN', 'BLUE'] } },
    { name: 'e2', type: 'Colour' },
    { name: 'u', type: ['null', 'string', 'long'] },
    { name: 'opt', type: ['string', 'null'] },
    { name: 'nulls', type: { type: 'array', items: 'null' } },
    { name: 'nested', type: { type: 'array', items: { type: 'map', values: { type: 'array', items: 'int' } } } },
    { name: 'list', type: ['null', { type: 'record', name: 'Node', fields: [{ name: 'v', type: 'int' }, { name: 'next', type: ['null', 'Node'] }] }] },
    { name: 'empty', type: { type: 'record', name: 'Empty', fields: [] } },
    { name: 'empties', type: { type: 'array', items: 'Empty' } },
  ],
};

describe('compiled Avro reader', () => {
  test('every published schema is compiled (none falls back to avsc)', () => {
    for (const info of schemaRegistry().listSchemas()) {
      assert.ok(compileAvroReader(avsc.Type.forSchema(schemaRegistry().schemaJson(info.id) as avsc.Schema), info.id), info.id);
    }
  });

  test('decodes what our writer wrote for a full and a sparse record of every schema exactly as avsc does', () => {
    for (const name of NAMES) {
      const { type, read } = compiled(schemaRegistry().schemaJson(name));
      const full = FULL_RECORDS[name] as unknown as Record<string, unknown>;
      // Top-level arrays empty: the block loop's other way out (random records below cover the union branches).
      const sparse = Object.fromEntries(Object.entries(full).map(([k, v]) => [k, Array.isArray(v) ? [] : v]));
      for (const record of [full, sparse]) {
        const body = Buffer.from(schemaRegistry().encode(name, record as never).subarray(HEADER_SIZE));
        // Same record classes (deepStrictEqual compares prototypes), same values.
        assert.deepStrictEqual(read(body, 0), avscDecode(type, body), name);
      }
    }
  });

  test('decode() returns the records the writer encoded, as avsc record instances', () => {
    for (const name of NAMES) {
      const record = decode(encode(name, FULL_RECORDS[name])).record as { toBuffer?: unknown };
      assert.equal(typeof record.toBuffer, 'function', `${name}: avsc's record class`);
      assert.deepEqual(JSON.parse(JSON.stringify(record)), JSON.parse(JSON.stringify(FULL_RECORDS[name])), name);
    }
  });

  test('random records of every published schema and of every kind of type round-trip as with avsc', () => {
    const schemas: Array<[string, unknown, Partial<avsc.ForSchemaOptions> | undefined]> = [
      ...NAMES.map((name): [string, unknown, undefined] => [name, schemaRegistry().schemaJson(name), undefined]),
      ['all kinds', ALL_KINDS, undefined],
      ['all kinds, wrapped unions', ALL_KINDS, { wrapUnions: true }],
    ];
    for (const [what, schema, opts] of schemas) {
      const { type, read } = compiled(schema, opts);
      const writer = opts ? null : compileAvroWriter(schema);
      for (let i = 0; i < 300; i++) {
        const value = type.random();
        const body = type.toBuffer(value);
        const expected = avscDecode(type, body);
        assert.deepStrictEqual(read(body, 0), expected, `${what} #${i}`);
        if (writer) {
          const out = Buffer.alloc(body.length + 64);
          const end = writer(value, out, 0);
          if (end >= 0) assert.deepStrictEqual(read(out.subarray(0, end), 0), expected, `${what} #${i}, our writer`);
        }
      }
    }
  });

  test('strings of every size and script, invalid UTF-8 and cache slot collisions decode as avsc decodes them', () => {
    const { type, read } = compiled({ type: 'array', items: 'string' });
    const pieces = ['a', 'é', '€', '😀'];
    const strings = pieces.flatMap((piece) => [0, 1, 5, 23, 24, 25, 64, 3000].map((n) => piece.repeat(n)));
    // Same length, first, middle and last byte: the same cache slot, different texts.
    const colliding = Array.from({ length: 40 }, (_, i) => `a${String.fromCharCode(65 + (i % 26))}c${i}`.padEnd(9, 'z').slice(0, 8) + 'b');
    const values = [strings, colliding, [...colliding].reverse(), colliding, strings];
    for (const value of values) {
      const body = type.toBuffer(value);
      assert.deepStrictEqual(read(body, 0), value);
    }
    // Bytes that are not UTF-8 become U+FFFD, as with avsc; cached or not, twice.
    for (const bytes of [[0xff], [0x61, 0xc3], [0xed, 0xa0, 0x80], Array(30).fill(0xfe)]) {
      const body = Buffer.from([0x02, bytes.length * 2, ...bytes, 0x00]);
      for (let i = 0; i < 2; i++) assert.deepStrictEqual(read(body, 0), avscDecode(type, body), JSON.stringify(bytes));
    }
  });

  test('every malformed body the body check rejects is rejected with the same reason', () => {
    const cases: Array<[string, unknown, number[]]> = [
      ['truncated number', 'long', [0x80]],
      ['empty body', 'int', []],
      ['varint of 11 bytes', 'long', [...Array(10).fill(0xff), 0x01]],
      ['string longer than the body', 'string', [0x0a, 0x61]],
      ['negative string length', 'string', [0x01]],
      ['bytes longer than the body', 'bytes', [0x10, 0x01]],
      ['invalid boolean', 'boolean', [0x02]],
      ['truncated boolean', 'boolean', []],
      ['truncated float', 'float', [0, 0, 0]],
      ['truncated double', 'double', [0, 0, 0, 0, 0, 0, 0]],
      ['truncated fixed', { type: 'fixed', name: 'F', size: 4 }, [1, 2]],
      ['enum index out of range', { type: 'enum', name: 'E', symbols: ['A', 'B'] }, [0x04]],
      ['negative enum index', { type: 'enum', name: 'E', symbols: ['A', 'B'] }, [0x01]],
      ['union index out of range', ['null', 'string'], [0x04]],
      ['negative union index', ['null', 'string'], [0x01]],
      ['array count beyond the bytes left', { type: 'array', items: 'long' }, [0xfe, 0xff, 0xff, 0xff, 0x0f, 0x02]],
      ['negative block count beyond the bytes left', { type: 'array', items: 'long' }, [0x7f, 0x02, 0x02]],
      ['map count beyond the bytes left', { type: 'map', values: 'string' }, [0x08, 0x02, 0x61, 0x00]],
      ['a million and one nulls', { type: 'array', items: 'null' }, [...avsc.Type.forSchema('long').toBuffer(1_000_001), 0x00]],
      ['truncated record', { type: 'record', name: 'R', fields: [{ name: 'a', type: 'string' }, { name: 'b', type: 'long' }] }, [0x02, 0x61]],
    ];
    for (const [what, schema, body] of cases) {
      const { read } = compiled(schema);
      const check = compileBodyCheck(schema);
      const buf = Buffer.from(body);
      assert.equal(reasonOf(() => read(buf, 0)), reasonOf(() => check(buf, 0)), what);
    }
  });

  test('rejects bytes after the record, an int outside 32 bits and a long beyond 2^53, naming the reason', () => {
    const record = compiled({ type: 'record', name: 'R', fields: [{ name: 'a', type: 'int' }] });
    assert.equal(reasonOf(() => record.read(Buffer.from([0x02, 0x00, 0x01]), 0)), '2 bytes follow the test record');
    const int = compiled('int');
    assert.match(reasonOf(() => int.read(Buffer.alloc(0), 0)), /truncated number/);
    assert.match(reasonOf(() => int.read(avsc.Type.forSchema('long').toBuffer(2 ** 31), 0)), /int 2147483648 is outside 32 bits/);
    const long = compiled('long');
    assert.match(reasonOf(() => long.read(Buffer.from([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]), 0)), /beyond 2\^53/);
    // At the limits avsc accepts, the same numbers.
    for (const n of [9007199254740990, -9007199254740990, 2 ** 31 - 1, -(2 ** 31)]) {
      const body = long.type.toBuffer(n);
      assert.equal(long.read(body, 0), avscDecode(long.type, body), String(n));
    }
  });

  test('a negative block count (with its byte size) is read as avsc reads it', () => {
    const { type, read } = compiled({ type: 'map', values: 'long' });
    const body = Buffer.from([0x03, 0x0c, 0x02, 0x61, 0x02, 0x02, 0x62, 0x04, 0x00]); // -2 items, 6 bytes: a→1, b→2
    assert.deepStrictEqual(read(body, 0), avscDecode(type, body));
    assert.deepStrictEqual(read(body, 0), { a: 1, b: 2 });
  });

  test('a schema with a logical type avsc converts is left to avsc (no compiled reader)', () => {
    class Millis extends avsc.types.LogicalType {
      override _fromValue(v: number) { return new Date(v); }
      override _toValue(d: Date) { return d.getTime(); }
    }
    const type = avsc.Type.forSchema({ type: 'long', logicalType: 'timestamp-millis' } as avsc.Schema, { logicalTypes: { 'timestamp-millis': Millis } });
    assert.equal(compileAvroReader(type, 'test'), null);
  });

  test('fuzz: truncations, bit flips and inserted bytes only ever give AW_DECODE_FAILED, the values avsc gives, and bounded arrays', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const stricter = /invalid boolean|outside 32 bits|longer than 10 bytes/;
    for (const name of NAMES) {
      const json = schemaRegistry().schemaJson(name);
      const { type, read } = compiled(json);
      const check = compileBodyCheck(json);
      const good = Buffer.from(encode(name, FULL_RECORDS[name]).subarray(HEADER_SIZE));
      for (let i = 0; i < 1500; i++) {
        let body: Buffer;
        switch (i % 3) {
          case 0: body = good.subarray(0, random(good.length)); break;
          case 1: {
            body = Buffer.from(good);
            for (let k = 0, flips = 1 + random(4); k < flips; k++) body[random(body.length)]! ^= 1 << random(8);
            break;
          }
          default: {
            const at = random(good.length);
            body = Buffer.concat([good.subarray(0, at), Buffer.from([random(256), random(256)]), good.subarray(at)]);
          }
        }
        let value: unknown;
        let reason: string | null = null;
        try {
          value = read(body, 0);
        } catch (err) {
          assert.ok(isAppwardenError(err, 'AW_DECODE_FAILED'), `${name} #${i}: ${String(err)}`);
          reason = String(err.details.reason);
        }
        // What the registry did before: the body check, then avsc.
        let before: unknown;
        let beforeOk = true;
        try {
          if (check(body, 0) !== body.length) throw new Error('trailing bytes');
          before = avscDecode(type, body);
        } catch {
          beforeOk = false;
        }
        if (reason === null) {
          assert.ok(beforeOk, `${name} #${i}: accepted what the body check and avsc refuse`);
          assert.deepStrictEqual(value, before, `${name} #${i}`);
          assert.ok(maxArrayLength(value) <= body.length, `${name} #${i}: an array longer than the message`);
        } else if (beforeOk) {
          assert.match(reason, stricter, `${name} #${i}: refused what avsc read (${reason})`);
        }
      }
    }
  });
});

function maxArrayLength(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return Math.max(Array.isArray(value) ? value.length : 0, ...children.map(maxArrayLength));
}
