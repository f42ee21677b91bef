import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import avsc from 'avsc';
import { isAppwardenError } from '../core/errors.js';
import { compileAvroWriter, type AvroWriter } from './avro-writer.js';
import { schemaRegistry } from './registry.js';
import { FULL_RECORDS } from './testdata/sample-records.js';
import type { SchemaName } from './types.js';

function writeAll(writer: AvroWriter, value: unknown): Buffer {
  const buf = Buffer.alloc(1 << 20);
  const end = writer(value, buf, 0);
  assert.ok(end >= 0, 'fits in 1 MiB');
  return buf.subarray(0, end);
}

function both(schema: unknown): { writer: AvroWriter; type: avsc.Type } {
  const writer = compileAvroWriter(schema);
  assert.ok(writer, 'the schema is supported');
  return { writer, type: avsc.Type.forSchema(schema as avsc.Schema) };
}

// Strings around every length-prefix boundary, in ASCII, 2-, 3- and 4-byte UTF-8.
const PIECES = ['a', 'é', '€', '😀'];
const LENGTHS = [0, 1, 20, 21, 22, 63, 64, 65, 100, 2730, 2731, 4000, 8191, 8192, 70000];
const STRINGS = PIECES.flatMap((piece) => LENGTHS.map((n) => piece.repeat(n)))
  .concat(['mixed ascii then é at the end'.repeat(3), `${'x'.repeat(62)}é`, `${'€'.repeat(30)}abc`]);

describe('compiled Avro writer', () => {
  test('writes the same bytes as avsc for a full record of every schema', () => {
    for (const name of Object.keys(FULL_RECORDS) as SchemaName[]) {
      const { writer, type } = both(schemaRegistry().schemaJson(name));
      assert.deepEqual(writeAll(writer, FULL_RECORDS[name]), type.toBuffer(FULL_RECORDS[name]), name);
    }
  });

  test('writes the same bytes as avsc for strings of every size class', () => {
    const { writer, type } = both('string');
    for (const s of STRINGS) assert.deepEqual(writeAll(writer, s), type.toBuffer(s), `${s.length} units of ${JSON.stringify(s.slice(0, 3))}`);
  });

  test('a lone surrogate is written as U+FFFD, so the bytes stay valid UTF-8 (avsc writes it raw)', () => {
    const { writer } = both('string');
    for (const s of ['\ud83d', `${'a'.repeat(70)}\ud83d`]) {
      const bytes = writeAll(writer, s);
      const text = avsc.Type.forSchema('string').fromBuffer(bytes) as string;
      assert.equal(text, s.replace('\ud83d', '\ufffd'));
    }
  });

  test('writes the same bytes as avsc for numbers at their limits', () => {
    const long = both('long');
    for (const n of [0, 1, -1, 63, 64, -64, -65, 2 ** 31, -(2 ** 31), 1_700_000_000_000, -1_700_000_000_000, 2 ** 52, -(2 ** 52)]) {
      assert.deepEqual(writeAll(long.writer, n), long.type.toBuffer(n), `long ${n}`);
    }
    const int = both('int');
    for (const n of [0, -1, 2 ** 31 - 1, -(2 ** 31), 3001]) assert.deepEqual(writeAll(int.writer, n), int.type.toBuffer(n), `int ${n}`);
  });

  test('missing fields take their defaults, as with avsc', () => {
    const schema = {
      type: 'record', name: 'R', fields: [
        { name: 'a', type: ['null', 'string'], default: null },
        { name: 'b', type: { type: 'map', values: 'string' }, default: {} },
        { name: 'c', type: { type: 'array', items: 'string' }, default: [] },
        { name: 'd', type: 'boolean', default: false },
        { name: 'e', type: 'string' },
      ],
    };
    const { writer, type } = both(schema);
    assert.deepEqual(writeAll(writer, { e: 'x' }), type.toBuffer({ e: 'x' }));
  });

  test('values that do not match the schema fail with AW_ENCODE_FAILED', () => {
    const { writer } = both(schemaRegistry().schemaJson('audit-event'));
    const record = FULL_RECORDS['audit-event'];
    const bad: unknown[] = [
      null, 'text', { ...record, event_id: 1 }, { ...record, occurred_at: 1.5 }, { ...record, occurred_at: '2024' },
      { ...record, class_uid: 2 ** 31 }, { ...record, targets: {} }, { ...record, attributes: { a: 1 } },
      { ...record, actor: { ...record.actor, type: undefined } }, { ...record, raw: undefined },
    ];
    for (const value of bad) {
      assert.throws(() => writeAll(writer, value), (err: unknown) => isAppwardenError(err, 'AW_ENCODE_FAILED'), JSON.stringify(value)?.slice(0, 80));
    }
  });

  test('a buffer that is too small gives -1, never a partial success', () => {
    const { writer, type } = both(schemaRegistry().schemaJson('audit-event'));
    const record = { ...FULL_RECORDS['audit-event'], raw: '€'.repeat(300) };
    const expected = type.toBuffer(record);
    for (let size = 0; size < expected.length + 1000; size += 7) {
      const buf = Buffer.alloc(size);
      const end = writer(record, buf, 0);
      if (end >= 0) assert.deepEqual(buf.subarray(0, end), expected, `size ${size}`);
      else assert.equal(end, -1);
    }
    assert.ok(writer(record, Buffer.alloc(expected.length + 1000), 0) >= 0, 'enough room is enough');
  });

  test('schemas with types it does not handle are left to avsc', () => {
    assert.equal(compileAvroWriter({ type: 'enum', name: 'E', symbols: ['A'] }), null);
    assert.equal(compileAvroWriter(['null', 'string', 'long']), null);
    assert.equal(compileAvroWriter('bytes'), null);
  });
});
