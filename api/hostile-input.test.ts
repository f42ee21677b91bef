import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { openClickHouse, type ClickHouse } from '../core/clickhouse.js';
import { freshName } from '../test/support/fresh.js';
import { testDataDir, testLog } from '../test/support/stack.js';
import { buildApp } from './app.js';
import { OPEN_SECURITY } from '../test/support/auth.js';

let clickhouse: ClickHouse;
let app: FastifyInstance;

before(async () => {
  clickhouse = await openClickHouse({ dataDir: testDataDir(), database: freshName('aw_hostile'), log: testLog });
  app = await buildApp({ security: OPEN_SECURITY, clickhouse, log: testLog, maxPageSize: 50 });
});

after(async () => {
  await app?.close();
  await clickhouse?.close();
});

// Inputs the fuzzer (npm run fuzz) and a new user found; each once answered 500.
describe('POST /v1/policies/validate with hostile text', () => {
  const texts: Record<string, string> = {
    'an alias to no anchor': '*a',
    'an alias to no anchor as a value': 'id: *nothing\nname: x',
    'a merge of a scalar': '<<: 1',
    'a control character': '\u0001',
    'control characters in keys and values': 'id: a\u0000b\n\u0007: x',
    'a byte-order mark alone': '\ufeff',
  };
  for (const [what, text] of Object.entries(texts)) {
    test(`${what}: a clear answer, never a server error`, async () => {
      // text/plain is refused (415) before it is read: a web page may send it cross-site.
      for (const [type, payload] of [['application/json', JSON.stringify(text)], ['application/yaml', text]] as const) {
        const res = await app.inject({ method: 'POST', url: '/v1/policies/validate', headers: { 'content-type': type }, payload });
        assert.ok(res.statusCode === 200 || res.statusCode === 400, `${type}: ${res.statusCode} ${res.body}`);
        if (res.statusCode === 200) assert.equal((res.json() as { valid: boolean }).valid, false);
      }
    });
  }

  test('a raw control character inside a JSON string is a 400 naming the body', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/policies/validate', headers: { 'content-type': 'application/json' }, payload: '"id: a\u0001"' });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal((res.json() as { code: string }).code, 'AW_BAD_REQUEST');
  });
});

describe('path parameters longer than the route takes', () => {
  test('a 400 naming the parameter, not the router\'s 414, on every route with a path parameter', async () => {
    const long = '0'.repeat(1500);
    for (const url of [`/v1/people/${long}@example.com`, `/v1/timelines/users/${long}`, `/v1/timelines/files/${long}`, `/v1/policies/${long}`, `/v1/alerts/${long}`]) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 400, `${url.slice(0, 30)}…: ${res.statusCode} ${res.body.slice(0, 200)}`);
      assert.match((res.json() as { message: string }).message, /params[./]/, 'the answer names the path parameter');
    }
  });
});
