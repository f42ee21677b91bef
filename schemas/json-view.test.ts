import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAppwardenError } from '../core/errors.js';
import { schemaOf, toJsonView } from './json-view.js';
import { decode, encode, schemaRegistry } from './registry.js';
import { FULL_RECORDS } from './testdata/sample-records.js';
import type { SchemaName } from './types.js';

describe('toJsonView', () => {
  test('timestamps become ISO 8601 UTC strings, at any depth, and nulls stay null', () => {
    const audit = toJsonView(FULL_RECORDS['audit-event']);
    assert.equal(audit.occurred_at, '2024-03-01T10:20:30.400Z');
    assert.equal(audit.ingested_at, '2024-03-01T10:21:00.000Z');
    assert.deepEqual(audit.actor, FULL_RECORDS['audit-event'].actor);

    const file = toJsonView(FULL_RECORDS['file-event']) as { file: Record<string, unknown> };
    assert.equal(file.file.created_at, '2023-01-01T00:00:00.000Z');
    assert.equal(file.file.modified_at, '2024-03-03T11:59:00.000Z');
    assert.equal(file.file.size, 5_497_558_138_880, 'a long that is not a timestamp stays a number');

    const account = toJsonView({ ...FULL_RECORDS['account-event'], last_login_at: null });
    assert.equal(account.created_at, '2020-01-01T00:00:00.000Z');
    assert.equal(account.last_login_at, null);

    const alert = toJsonView(FULL_RECORDS.alert);
    assert.deepEqual([alert.created_at, alert.first_seen, alert.last_seen], ['2024-03-01T10:25:00.000Z', '2024-03-01T10:20:30.400Z', '2024-03-01T10:24:59.999Z']);
    assert.equal(toJsonView(FULL_RECORDS['governance-result']).at, '2024-03-01T10:25:05.000Z');
  });

  test('fields come in schema order, as plain objects, also for decoded records', () => {
    for (const name of Object.keys(FULL_RECORDS) as SchemaName[]) {
      const fields = (schemaRegistry().schemaJson(name) as { fields: Array<{ name: string }> }).fields.map((f) => f.name);
      const view = toJsonView(decode(encode(name, FULL_RECORDS[name])).record as never);
      assert.deepEqual(Object.keys(view), fields, name);
      assert.equal(Object.getPrototypeOf(view), Object.prototype, name);
    }
  });

  test('the schema is told from the record, and an unknown shape is refused', () => {
    for (const name of Object.keys(FULL_RECORDS) as SchemaName[]) assert.equal(schemaOf(FULL_RECORDS[name]), name);
    assert.throws(() => schemaOf({ hello: 'world' }), (err: unknown) => isAppwardenError(err, 'AW_SCHEMA_UNKNOWN'));
  });
});
