import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AnchoredHistory } from './anchored-history.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 1, 10, 17, 3);

function history(seed = 's', perDay = 480) {
  return new AnchoredHistory(seed, perDay, (prng, atMs) => ({ id: prng.uuid(), atMs }));
}

describe('AnchoredHistory', () => {
  test('a history started later (a restart) has the same records, ids and times wherever the two overlap', () => {
    const first = history().between(T0 - 2 * DAY, T0);
    // Restarted 5 h 23 min later, from another generator object with the same seed.
    const later = T0 + 5 * HOUR + 23 * 60_000;
    const second = history().between(later - 2 * DAY, later);
    const overlap = (r: { atMs: number }) => r.atMs >= later - 2 * DAY && r.atMs < T0;
    assert.deepEqual(second.filter(overlap), first.filter(overlap));
    assert.ok(first.filter(overlap).length > 500);
  });

  test('live reads in small steps give what one read of the whole range gives', () => {
    const h = history();
    const whole = history().between(T0, T0 + 3 * HOUR);
    const steps: Array<{ id: string; atMs: number }> = [];
    for (let t = T0; t < T0 + 3 * HOUR; t += 7 * 60_000) steps.push(...h.between(t, Math.min(t + 7 * 60_000, T0 + 3 * HOUR)));
    assert.deepEqual(steps, whole);
  });

  test('records are spread at the asked rate, oldest first, and another seed gives others', () => {
    const day = history().between(T0, T0 + DAY);
    assert.ok(Math.abs(day.length - 480) <= 24, `${day.length} records in a day`);
    assert.deepEqual(day.map((r) => r.atMs), [...day.map((r) => r.atMs)].sort((a, b) => a - b));
    assert.ok(day.every((r) => r.atMs >= T0 && r.atMs < T0 + DAY));
    assert.notDeepEqual(history('other').between(T0, T0 + DAY).map((r) => r.id).slice(0, 5), day.map((r) => r.id).slice(0, 5));
    assert.equal(new Set(day.map((r) => r.id)).size, day.length);
  });

  test('a window starts at the start of its slot, so it does not move with the start time', () => {
    const h = history();
    assert.equal(h.anchor(T0), Date.UTC(2026, 0, 1, 10));
    assert.deepEqual(history(undefined, 0).between(T0 - DAY, T0), []);
  });
});
