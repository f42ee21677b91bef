import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { isAppwardenError, type ErrorCode } from '../core/errors.js';
import { parsingCanonicalForm } from './canonical-form.js';
import { fingerprintHex, rabinFingerprint } from './fingerprint.js';
import { toJsonView } from './json-view.js';
import {
  decode, decodeAs, encode, listSchemas, SCHEMA_DIR, schemaByFingerprint, SchemaRegistry, schemaRegistry,
} from './registry.js';
import { FULL_RECORDS } from './testdata/sample-records.js';
import type { AuditEvent, SchemaName } from './types.js';

const FIXTURES = fileURLToPath(new URL('./testdata/', import.meta.url));
const NAMES = Object.keys(FULL_RECORDS) as SchemaName[];

function expectCode(fn: () => unknown, code: ErrorCode): Record<string, unknown> {
  let details: Record<string, unknown> = {};
  assert.throws(fn, (err: unknown) => {
    assert.ok(isAppwardenError(err, code), `expected ${code}, got ${String(err)}`);
    details = err.details;
    return true;
  });
  return details;
}

/** The same record with every nullable field null and every collection empty. */
function sparse(record: AuditEvent): AuditEvent {
  return {
    ...record, outcome_reason: null, severity: null, targets: [], session_id: null, request_id: null, attributes: {},
    actor: { id: null, email: null, name: null, type: 'unknown' },
    source: { ip: null, user_agent: null, country: null, city: null },
  };
}

describe('schema registry', () => {
  test('lists the six version-1 schemas with their topics and fingerprints', () => {
    const schemas = listSchemas();
    assert.deepEqual(schemas.map((s) => [s.id, s.topic]).sort(), [
      ['account-event.v1', 'account'], ['alert.v1', 'alert'], ['audit-event.v1', 'audit'], ['file-event.v1', 'file'],
      ['governance-command.v1', 'governance.command'], ['governance-result.v1', 'governance.result'],
    ]);
    for (const s of schemas) {
      assert.match(s.fingerprint, /^[0-9a-f]{16}$/);
      assert.equal(s.fingerprint, fingerprintHex(rabinFingerprint(parsingCanonicalForm(schemaRegistry().schemaJson(s.id)))));
      assert.match(s.fullName, /^dev\.appwarden\.[A-Z]\w+$/);
    }
  });

  for (const name of NAMES) {
    test(`${name}: a full record round-trips`, () => {
      const message = encode(name, FULL_RECORDS[name]);
      const decoded = decode(message);
      assert.equal(decoded.schema.name, name);
      assert.equal(decoded.schema.version, 1);
      assert.deepEqual(toJsonView(decoded.record as never, name), toJsonView(FULL_RECORDS[name], name));
      assert.deepEqual(JSON.parse(JSON.stringify(decoded.record)), JSON.parse(JSON.stringify(FULL_RECORDS[name])));
    });
  }

  test('a record with every optional field empty round-trips', () => {
    const record = sparse(FULL_RECORDS['audit-event']);
    assert.deepEqual(JSON.parse(JSON.stringify(decode(encode('audit-event', record)).record)), record);
  });

  test('a message is C3 01, the little-endian fingerprint, then the Avro body', () => {
    const info = schemaRegistry().info('audit-event');
    const message = encode('audit-event', FULL_RECORDS['audit-event']);
    assert.equal(message[0], 0xc3);
    assert.equal(message[1], 0x01);
    assert.equal(message.readBigUInt64LE(2).toString(16).padStart(16, '0'), info.fingerprint);
    assert.equal(Buffer.from(message.subarray(2, 10)).reverse().toString('hex'), info.fingerprint);
    // The body starts with event_id: a zig-zag length (32 chars → 0x40) and the characters.
    assert.equal(message[10], 0x40);
    assert.equal(message.subarray(11, 43).toString(), FULL_RECORDS['audit-event'].event_id);
  });

  test('encoding is deterministic and does not share memory between messages', () => {
    const a = encode('alert', FULL_RECORDS.alert);
    const b = encode('alert', { ...FULL_RECORDS.alert, title: 'other' });
    assert.deepEqual(encode('alert', FULL_RECORDS.alert), a);
    assert.equal((decode(a).record as { title: string }).title, FULL_RECORDS.alert.title);
    assert.equal((decode(b).record as { title: string }).title, 'other');
  });

  test('a record larger than the scratch buffer encodes', () => {
    const record = { ...FULL_RECORDS['audit-event'], raw: 'x'.repeat(300_000) };
    assert.equal((decode(encode('audit-event', record)).record as AuditEvent).raw.length, 300_000);
  });

  test('a record that does not match its schema fails with AW_ENCODE_FAILED naming the fields', () => {
    const bad = { ...FULL_RECORDS['audit-event'], actor: { id: 7 }, class_uid: 'x' } as unknown as AuditEvent;
    const details = expectCode(() => encode('audit-event', bad), 'AW_ENCODE_FAILED');
    const fields = (details.fields as string[]).join(' ');
    assert.match(fields, /actor\.id/);
    assert.match(fields, /actor\.type/);
    assert.match(fields, /class_uid/);
  });

  test('an unknown schema name fails with AW_SCHEMA_UNKNOWN', () => {
    expectCode(() => schemaRegistry().encode('nope', {}), 'AW_SCHEMA_UNKNOWN');
  });

  test('schemaByFingerprint accepts hex in either byte order and decimal, signed or not', () => {
    const info = schemaRegistry().info('governance-result');
    const value = BigInt(`0x${info.fingerprint}`);
    const littleEndian = Buffer.from(info.fingerprint, 'hex').reverse().toString('hex');
    for (const form of [info.fingerprint, `0x${info.fingerprint.toUpperCase()}`, littleEndian, info.fingerprintDecimal, value.toString(), value]) {
      assert.deepEqual(schemaByFingerprint(form), schemaRegistry().schemaJson('governance-result'), String(form));
      assert.equal(schemaRegistry().infoByFingerprint(form).id, 'governance-result.v1', String(form));
    }
    expectCode(() => schemaByFingerprint('0000000000000000'), 'AW_SCHEMA_UNKNOWN');
    expectCode(() => schemaByFingerprint('not-a-fingerprint'), 'AW_BAD_REQUEST');
    expectCode(() => schemaByFingerprint('123456789012345678901234'), 'AW_BAD_REQUEST');
  });
});

describe('decoding bad messages', () => {
  const good = encode('audit-event', FULL_RECORDS['audit-event']);
  const withBody = (body: number[]) => Buffer.concat([good.subarray(0, 10), Buffer.from(body)]);
  const str = [0x02, 0x61]; // the string "a"
  // event_id, provider, instance, occurred_at, ingested_at, category, action, action_raw, outcome
  const prefix = [...str, ...str, ...str, 0x02, 0x02, ...str, ...str, ...str, ...str];

  test('an unknown fingerprint gives AW_SCHEMA_UNKNOWN with the fingerprint', () => {
    const message = Buffer.from(good);
    message.writeBigUInt64LE(0x0123456789abcdefn, 2);
    const details = expectCode(() => decode(message), 'AW_SCHEMA_UNKNOWN');
    assert.equal(details.fingerprint, '0123456789abcdef');
  });

  test('garbage gives AW_DECODE_FAILED with a reason', () => {
    const cases: Array<[string, Uint8Array]> = [
      ['empty', Buffer.alloc(0)],
      ['shorter than the header', Buffer.from([0xc3, 0x01, 0x00])],
      ['no marker', Buffer.from('{"event_id":"not avro at all"}')],
      ['truncated body', good.subarray(0, good.length - 5)],
      ['trailing bytes', Buffer.concat([good, Buffer.from([0x00, 0x01])])],
      ['a huge array count', withBody([...prefix, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x61, 0xfe, 0xff, 0xff, 0xff, 0x0f])],
      ['a bad union index', withBody([...prefix, 0x04])],
    ];
    for (const [what, message] of cases) {
      const details = expectCode(() => decode(message), 'AW_DECODE_FAILED');
      assert.equal(typeof details.reason, 'string', what);
      assert.ok((details.reason as string).length > 0, what);
    }
  });

  test('random bytes after a valid header never hang or crash the decoder', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed & 0xff;
    };
    for (let i = 0; i < 500; i++) {
      const body = Buffer.from(Array.from({ length: 1 + (i % 200) }, random));
      const message = Buffer.concat([good.subarray(0, 10), body]);
      try {
        decode(message);
      } catch (err) {
        assert.ok(isAppwardenError(err, 'AW_DECODE_FAILED'), String(err));
      }
    }
  });
});

describe('schema evolution', () => {
  const registry = SchemaRegistry.fromDirectories([SCHEMA_DIR, FIXTURES]);
  const v2Record = { ...FULL_RECORDS['audit-event'], device_id: 'device-7' };

  test('a version-1 reader reads a version-2 record that adds an optional field', () => {
    const message = registry.encode('audit-event.v2', v2Record);
    assert.equal(registry.decode(message).schema.id, 'audit-event.v2');
    assert.equal((registry.decode(message).record as { device_id: string }).device_id, 'device-7');

    const asV1 = registry.decodeAs(message, 'audit-event.v1');
    assert.equal(asV1.schema.id, 'audit-event.v2', 'the writer schema is reported');
    assert.equal('device_id' in (asV1.record as object), false);
    assert.deepEqual(JSON.parse(JSON.stringify(asV1.record)), FULL_RECORDS['audit-event']);
  });

  test('a version-2 reader reads a version-1 record, taking the default for the new field', () => {
    const message = registry.encode('audit-event.v1', FULL_RECORDS['audit-event']);
    const asV2 = registry.decodeAs(message, 'audit-event');
    assert.equal((asV2.record as unknown as { device_id: unknown }).device_id, null);
  });

  test('the published registry does not know the version-2 fingerprint', () => {
    const message = registry.encode('audit-event.v2', v2Record);
    expectCode(() => decodeAs(message, 'audit-event'), 'AW_SCHEMA_UNKNOWN');
  });

  test('reading a message as an unrelated schema fails with AW_DECODE_FAILED', () => {
    const message = encode('alert', FULL_RECORDS.alert);
    expectCode(() => decodeAs(message, 'governance-result'), 'AW_DECODE_FAILED');
  });
});
