import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import avsc from 'avsc';
import { parsingCanonicalForm } from './canonical-form.js';
import { fingerprintBytesLE, fingerprintHex, fingerprintSigned, rabinFingerprint } from './fingerprint.js';
import { SCHEMA_DIR } from './registry.js';

// The Avro project's cross-language test vectors (share/test/data/schema-tests.txt): input schema,
// its Parsing Canonical Form, and the CRC-64-AVRO fingerprint as Java's signed long where given.
const VECTORS: Array<[input: string, canonical: string, fingerprint?: string]> = [
  ['"null"', '"null"', '7195948357588979594'],
  ['{"type":"null"}', '"null"'],
  ['"boolean"', '"boolean"', '-6970731678124411036'],
  ['{"type":"boolean"}', '"boolean"'],
  ['"int"', '"int"', '8247732601305521295'],
  ['{"type":"int"}', '"int"'],
  ['"long"', '"long"', '-3434872931120570953'],
  ['{"type":"long"}', '"long"'],
  ['"float"', '"float"', '5583340709985441680'],
  ['{"type":"float"}', '"float"'],
  ['"double"', '"double"', '-8181574048448539266'],
  ['{"type":"double"}', '"double"'],
  ['"bytes"', '"bytes"', '5746618253357095269'],
  ['{"type":"bytes"}', '"bytes"'],
  ['"string"', '"string"', '-8142146995180207161'],
  ['{"type":"string"}', '"string"'],
  ['[  ]', '[]', '-1241056759729112623'],
  ['[ "int"  ]', '["int"]', '-5232228896498058493'],
  ['[ "int" , {"type":"boolean"} ]', '["int","boolean"]', '5392556393470105090'],
  ['{"fields":[], "type":"record", "name":"foo"}', '{"name":"foo","type":"record","fields":[]}', '-4824392279771201922'],
  ['{"fields":[], "type":"record", "name":"foo", "namespace":"x.y"}', '{"name":"x.y.foo","type":"record","fields":[]}', '5916914534497305771'],
  ['{"fields":[], "type":"record", "name":"a.b.foo", "namespace":"x.y"}', '{"name":"a.b.foo","type":"record","fields":[]}', '-4616218487480524110'],
  ['{"fields":[], "type":"record", "name":"foo", "doc":"Useful info"}', '{"name":"foo","type":"record","fields":[]}', '-4824392279771201922'],
  ['{"fields":[], "type":"record", "name":"foo", "aliases":["foo","bar"]}', '{"name":"foo","type":"record","fields":[]}', '-4824392279771201922'],
  ['{"fields":[], "type":"record", "name":"foo", "doc":"foo", "aliases":["foo","bar"]}', '{"name":"foo","type":"record","fields":[]}', '-4824392279771201922'],
  ['{"fields":[{"type":{"type":"boolean"}, "name":"f1"}], "type":"record", "name":"foo"}', '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"}]}', '7843277075252814651'],
  [
    '{ "fields":[{"type":"boolean", "aliases":[], "name":"f1", "default":"true"}, {"order":"descending","name":"f2","doc":"Hello","type":"int"}], "type":"record", "name":"foo" }',
    '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"},{"name":"f2","type":"int"}]}',
    '-4860222112080293046',
  ],
  ['{"type":"enum", "name":"foo", "symbols":["A1"]}', '{"name":"foo","type":"enum","symbols":["A1"]}', '-6342190197741309591'],
  ['{"namespace":"x.y.z", "type":"enum", "name":"foo", "doc":"foo bar", "symbols":["A1", "A2"]}', '{"name":"x.y.z.foo","type":"enum","symbols":["A1","A2"]}', '-4448647247586288245'],
  ['{"name":"foo","type":"fixed","size":15}', '{"name":"foo","type":"fixed","size":15}', '1756455273707447556'],
  ['{"namespace":"x.y.z", "type":"fixed", "name":"foo", "doc":"foo bar", "size":32}', '{"name":"x.y.z.foo","type":"fixed","size":32}', '-3064184465700546786'],
  ['{ "items":{"type":"null"}, "type":"array"}', '{"type":"array","items":"null"}', '-589620603366471059'],
  ['{ "values":"string", "type":"map"}', '{"type":"map","values":"string"}', '-8732877298790414990'],
  [
    '{"name":"PigValue","type":"record", "fields":[{"name":"value", "type":["null", "int", "long", "PigValue"]}]}',
    '{"name":"PigValue","type":"record","fields":[{"name":"value","type":["null","int","long","PigValue"]}]}',
    '-1759257747318642341',
  ],
];

describe('Parsing Canonical Form and CRC-64-AVRO', () => {
  test('the Avro project test vectors: canonical forms and fingerprints', () => {
    for (const [input, canonical, fingerprint] of VECTORS) {
      assert.equal(parsingCanonicalForm(JSON.parse(input)), canonical, input);
      if (fingerprint !== undefined) assert.equal(fingerprintSigned(rabinFingerprint(canonical)).toString(), fingerprint, input);
    }
  });

  test('the fingerprint of "int" as hex and as single-object header bytes', () => {
    // Known value from the Avro Ruby tests: 0x7275d51a3f395c8f, header C3 01 8F 5C 39 3F 1A D5 75 72.
    const fp = rabinFingerprint('"int"');
    assert.equal(fingerprintHex(fp), '7275d51a3f395c8f');
    assert.equal(fingerprintBytesLE(fp).toString('hex'), '8f5c393f1ad57572');
  });

  test('logical types and custom attributes do not change the canonical form', () => {
    assert.equal(parsingCanonicalForm({ type: 'long', logicalType: 'timestamp-millis' }), '"long"');
    assert.equal(
      parsingCanonicalForm({ type: 'record', name: 'R', namespace: 'a', doc: 'x', fields: [{ name: 'f', type: { type: 'array', items: 'S' }, default: [] }] }),
      '{"name":"a.R","type":"record","fields":[{"name":"f","type":{"type":"array","items":"a.S"}}]}',
    );
  });

  test('our canonical form agrees with avsc on every published schema', () => {
    for (const file of readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.avsc'))) {
      const json = JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8'));
      assert.equal(parsingCanonicalForm(json), JSON.stringify(avsc.Type.forSchema(json).schema()), file);
    }
  });
});
