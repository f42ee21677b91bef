import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backoffCeiling, equalJitterDelay, fullJitterDelay, parseRetryAfter, systemClock } from './backoff.js';

const settings = { baseDelayMs: 100, maxDelayMs: 5_000 };

describe('backoffCeiling', () => {
  test('doubles with each attempt and stops at the maximum', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7].map((a) => backoffCeiling(a, settings)), [100, 200, 400, 800, 1600, 3200, 5000, 5000]);
  });

  test('stays at the maximum for attempts so large that 2^attempt overflows', () => {
    assert.equal(backoffCeiling(5_000, settings), 5_000);
  });
});

describe('fullJitterDelay', () => {
  test('spans the whole range from 0 to the ceiling', () => {
    assert.equal(fullJitterDelay(3, settings, () => 0), 0);
    assert.equal(fullJitterDelay(3, settings, () => 0.999_999_9), 800);
    assert.equal(fullJitterDelay(3, settings, () => 0.5), 400);
  });

  test('is a whole number within [0, ceiling] for every attempt', () => {
    for (let attempt = 0; attempt < 40; attempt++) {
      for (let i = 0; i < 50; i++) {
        const delay = fullJitterDelay(attempt, settings);
        assert.ok(Number.isInteger(delay) && delay >= 0 && delay <= backoffCeiling(attempt, settings), `attempt ${attempt}: ${delay}`);
      }
    }
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');

  test('reads delay-seconds', () => {
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
  });

  test('reads an HTTP-date as the time left until then', () => {
    assert.equal(parseRetryAfter('Wed, 01 May 2024 12:00:41 GMT', now), 41_000);
  });

  test('an HTTP-date in the past means no wait', () => {
    assert.equal(parseRetryAfter('Wed, 01 May 2024 11:00:00 GMT', now), 0);
  });

  test('absent or unreadable values give undefined', () => {
    assert.equal(parseRetryAfter(null, now), undefined);
    assert.equal(parseRetryAfter('', now), undefined);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter('-5', now), undefined);
  });
});

describe('systemClock.sleep', () => {
  test('rejects with the abort reason as soon as the signal aborts', async () => {
    const controller = new AbortController();
    const sleeping = systemClock.sleep(60_000, controller.signal);
    const reason = new Error('connector stopped');
    controller.abort(reason);
    await assert.rejects(sleeping, (err) => err === reason);
  });

  test('rejects at once when the signal is already aborted', async () => {
    await assert.rejects(systemClock.sleep(60_000, AbortSignal.abort()), { name: 'AbortError' });
  });
});

describe('equalJitterDelay', () => {
  test('stays within [ceiling/2, ceiling], so a throttle answer without a wait is never retried at once', () => {
    const settings = { baseDelayMs: 100, maxDelayMs: 10_000 };
    assert.equal(equalJitterDelay(0, settings, () => 0), 50);
    assert.equal(equalJitterDelay(0, settings, () => 0.999999), 100);
    assert.equal(equalJitterDelay(3, settings, () => 0), 400);
    for (let i = 0; i < 200; i++) {
      const d = equalJitterDelay(2, settings);
      assert.ok(d >= 200 && d <= 400, String(d));
    }
  });
});
