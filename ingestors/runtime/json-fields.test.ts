import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAppwardenError } from '../../core/errors.js';
import { arr, bool, domainOf, fieldErrors, looksLikeEmail, num, numeric, obj, put, snakeCase, str } from './json-fields.js';

describe('json-fields readers', () => {
  test('read a value of the wanted type and anything else as absent', () => {
    assert.deepEqual(obj({ a: 1 }), { a: 1 });
    assert.equal(obj([1]), null);
    assert.equal(obj(null), null);
    assert.deepEqual(arr('x'), []);
    assert.deepEqual(arr([1, 2]), [1, 2]);
    assert.equal(str(''), null);
    assert.equal(str(3), null);
    assert.equal(str('a'), 'a');
    assert.equal(num('12'), null);
    assert.equal(num(Infinity), null);
    assert.equal(numeric('12'), 12);
    assert.equal(numeric('-1.5'), -1.5);
    assert.equal(numeric('1e3'), null);
    assert.equal(bool('true'), true);
    assert.equal(bool(false), false);
    assert.equal(bool('yes'), null);
  });

  test('put keeps scalars as strings and skips empty strings, objects and null', () => {
    const attrs: Record<string, string> = {};
    for (const [key, value] of Object.entries({ a: 'x', b: '', c: 3, d: true, e: null, f: { x: 1 }, g: NaN })) put(attrs, key, value);
    assert.deepEqual(attrs, { a: 'x', c: '3', d: 'true' });
  });

  test('emails, domains and attribute keys', () => {
    assert.equal(looksLikeEmail('a@b.c'), true);
    assert.equal(looksLikeEmail('a b@c'), false);
    assert.equal(looksLikeEmail('a@b@c'), false);
    assert.equal(looksLikeEmail(null), false);
    assert.equal(domainOf('Ann@Example.COM'), 'example.com');
    assert.equal(domainOf('nobody'), null);
    assert.equal(snakeCase('User-Agent'), 'user_agent');
    assert.equal(snakeCase('SiteUrl'), 'site_url');
  });

  test('the failing readers name the provider and the field', () => {
    const { requireObject, requireString } = fieldErrors('okta');
    assert.throws(() => requireObject([], '(record)'), (err: unknown) =>
      isAppwardenError(err, 'AW_NORMALIZE_FAILED') && err.details.field === '(record)' && err.details.provider === 'okta' && /^okta: /.test(err.message));
    assert.throws(() => requireString({ id: '' }, 'id'), (err: unknown) => isAppwardenError(err) && err.details.field === 'id');
    assert.throws(() => requireString({}, 'id', 'user.id'), (err: unknown) => isAppwardenError(err) && err.details.field === 'user.id');
    assert.equal(requireString({ id: 'x' }, 'id'), 'x');
  });
});
