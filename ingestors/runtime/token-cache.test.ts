import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TokenCache } from './token-cache.js';

test('a token is reused until shortly before it expires, and concurrent callers share one request', async () => {
  let now = 0;
  let issued = 0;
  const cache = new TokenCache(async () => ({ token: `t${++issued}`, expiresInMs: 3_600_000 }), 60_000, () => now);
  assert.deepEqual(await Promise.all([cache.get(), cache.get(), cache.get()]), ['t1', 't1', 't1']);
  now = 3_600_000 - 60_001;
  assert.equal(await cache.get(), 't1');
  now = 3_600_000 - 59_999;
  assert.equal(await cache.get(), 't2', 'renewed inside the margin');
  cache.invalidate();
  assert.equal(await cache.get(), 't3', 'a 401 forces a new token');
  assert.equal(issued, 3);
});

test('a failed token request is not cached: the next call asks again', async () => {
  let calls = 0;
  const cache = new TokenCache(async () => {
    calls++;
    if (calls === 1) throw new Error('token endpoint down');
    return { token: 'ok', expiresInMs: 60_000_000 };
  });
  await assert.rejects(cache.get(), /token endpoint down/);
  assert.equal(await cache.get(), 'ok');
});
