import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordText, rememberRecordTexts } from './record-text.js';

test('the records of a top-level array keep their exact text', () => {
  const body = '[ {"a": "x}\\"]{", "n": [1, {"b": 2}]},\n  {"c":"\\u00e9"} ]';
  const parsed = JSON.parse(body) as object[];
  rememberRecordTexts(body, parsed);
  assert.equal(recordText(parsed[0]), '{"a": "x}\\"]{", "n": [1, {"b": 2}]}');
  assert.equal(recordText(parsed[1]), '{"c":"\\u00e9"}');
  assert.equal(recordText((parsed[0] as { n: object[] }).n[1]), undefined, 'nested objects are not records');
});

test('the records of arrays under the top-level object keep their text; other values get none', () => {
  const body = '{"@odata.context":"x","value":[{"id":"1"},{"id":"2","k":{"z":[{}]}}],"meta":{"items":[{"q":1}]},"list":[1,2]}';
  const parsed = JSON.parse(body) as { value: object[]; meta: { items: object[] } };
  rememberRecordTexts(body, parsed);
  assert.deepEqual(parsed.value.map(recordText), ['{"id":"1"}', '{"id":"2","k":{"z":[{}]}}']);
  assert.equal(recordText(parsed.meta.items[0]), undefined);
  assert.equal(recordText({ id: '1' }), undefined);
});

test('a string ending in escaped backslashes closes where JSON says it does', () => {
  const body = '[{"path":"C:\\\\","q":"\\\\\\"}{"},{"e":"","f":"\\\\\\\\"}]';
  const parsed = JSON.parse(body) as object[];
  rememberRecordTexts(body, parsed);
  assert.deepEqual(parsed, [{ path: 'C:\\', q: '\\"}{' }, { e: '', f: '\\\\' }]);
  assert.deepEqual(parsed.map(recordText), ['{"path":"C:\\\\","q":"\\\\\\"}{"}', '{"e":"","f":"\\\\\\\\"}']);
});
