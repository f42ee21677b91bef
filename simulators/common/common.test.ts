import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { isAppwardenError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import { createClock } from './clock.js';
import { createHttpApp, startHttpServer } from './http-server.js';
import { parseTimestamp } from './json.js';
import { OptionChecks } from './option-checks.js';
import { createPrng } from './prng.js';
import { createRateLimiter } from './rate-limiter.js';

describe('prng', () => {
  test('the same seed gives the same sequence, whatever its type', () => {
    const a = createPrng(42);
    const b = createPrng('42');
    assert.deepEqual([a.next(), a.int(0, 1000), a.uuid(), a.hex(8)], [b.next(), b.int(0, 1000), b.uuid(), b.hex(8)]);
    assert.notEqual(createPrng(1).uuid(), createPrng(2).uuid());
  });

  test('uuids have the version 4 layout and values stay in range', () => {
    const prng = createPrng('layout');
    for (let i = 0; i < 500; i++) {
      assert.match(prng.uuid(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const n = prng.int(3, 7);
      assert.ok(n >= 3 && n < 7);
    }
  });

  test('weighted picks never choose a zero weight', () => {
    const prng = createPrng('weights');
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) seen.add(prng.weighted([['a', 1], ['never', 0], ['b', 3]] as const));
    assert.deepEqual([...seen].sort(), ['a', 'b']);
  });
});

describe('rate limiter', () => {
  test('counts down per key, refuses over budget until the window resets', () => {
    const clock = createClock();
    clock.set(1_000_000_020_000); // the start of a 60 s window (a multiple of 60 000)
    const limiter = createRateLimiter({ limit: 2, windowMs: 60_000, clock });
    assert.deepEqual(limiter.take('logs'), { allowed: true, limit: 2, remaining: 1, resetAtMs: 1_000_000_080_000 });
    assert.equal(limiter.take('logs').remaining, 0);
    const refused = limiter.take('logs');
    assert.equal(refused.allowed, false);
    assert.equal(refused.remaining, 0);
    assert.equal(limiter.take('users').allowed, true, 'another key has its own budget');
    clock.set(refused.resetAtMs);
    assert.equal(limiter.take('logs').allowed, true);
  });

  test('throttleNext refuses the next requests without spending the budget', () => {
    const clock = createClock();
    const limiter = createRateLimiter({ limit: 5, windowMs: 60_000, clock });
    limiter.throttleNext(2, { resetInMs: 10_000 });
    const first = limiter.take('a');
    assert.equal(first.allowed, false);
    assert.ok(first.resetAtMs >= clock.now() + 9_000);
    assert.equal(limiter.take('b').allowed, false);
    assert.equal(limiter.take('a').remaining, 4);
    assert.equal(limiter.peek('a').remaining, 4, 'peek does not count');
  });
});

describe('clock', () => {
  test('advance and set move an adjustable clock', () => {
    const clock = createClock();
    const before = clock.now();
    clock.advance(3_600_000);
    assert.ok(clock.now() >= before + 3_600_000);
    clock.set(0);
    assert.ok(clock.now() < 60_000);
  });
});

describe('json', () => {
  test('parseTimestamp reads ISO-8601 and refuses other text', () => {
    assert.equal(parseTimestamp('2024-05-01T10:20:22.243Z'), Date.UTC(2024, 4, 1, 10, 20, 22, 243));
    assert.equal(parseTimestamp('2024-05-01T10:20:22'), Date.UTC(2024, 4, 1, 10, 20, 22), 'no offset reads as UTC');
    assert.equal(parseTimestamp('2024-05-01T12:20:22+02:00'), Date.UTC(2024, 4, 1, 10, 20, 22));
    assert.equal(parseTimestamp('2024-05-01'), Date.UTC(2024, 4, 1));
    for (const bad of ['not a date', '01-01-2017', '', '2024-13-45T00:00:00Z']) assert.equal(parseTimestamp(bad), undefined, bad);
  });
});

describe('option checks', () => {
  test('reports every problem at once with its path', () => {
    const check = new OptionChecks('demo');
    check.number('users', 0, 1, { min: 1 });
    check.number('rate.limit', 'x', 1);
    check.string('domain', 'bad domain', 'example.com', /^\S+$/);
    assert.throws(() => check.throwIfAny(), (err: unknown) => {
      assert.ok(isAppwardenError(err, 'AW_CONFIG_INVALID'));
      assert.deepEqual(err.details.problems, ['users: must be >= 1', 'rate.limit: must be a number', 'domain: must match /^\\S+$/']);
      return true;
    });
  });
});

describe('http server', () => {
  test('listens on a free loopback port, accepts empty JSON bodies, logs requests at debug', async () => {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const app = createHttpApp(createLogger({ level: 'debug', destination }));
    app.post('/echo', async (request) => ({ body: request.body ?? null }));
    const server = await startHttpServer(app);
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const empty = await fetch(`${server.url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' } });
      assert.equal(empty.status, 200);
      assert.deepEqual(await empty.json(), { body: null });
      const full = await fetch(`${server.url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
      assert.deepEqual(await full.json(), { body: { a: 1 } });
      const broken = await fetch(`${server.url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
      assert.equal(broken.status, 400);
    } finally {
      await server.close();
      await server.close();
    }
    const served = lines.filter((l) => l.msg === 'request served');
    assert.ok(served.length >= 2);
    assert.equal(served[0]!.level, 20, 'debug level');
    assert.equal(served[0]!.url, '/echo');
    assert.equal(served[0]!.statusCode, 200);
  });
});
