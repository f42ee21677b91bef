import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AuditEvent } from '../../schemas/types.js';
import { UnknownEventTypes } from './unknown-event-types.js';

describe('UnknownEventTypes', () => {
  test('counts each unknown type, most recently seen first', () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const seen = new UnknownEventTypes(10, () => now);
    seen.record('a'); now += 1000; seen.record('b'); now += 1000; seen.record('a');
    assert.deepEqual(seen.list(), [
      { type: 'a', count: 2, firstSeenAt: '2026-01-01T00:00:00.000Z', lastSeenAt: '2026-01-01T00:00:02.000Z' },
      { type: 'b', count: 1, firstSeenAt: '2026-01-01T00:00:01.000Z', lastSeenAt: '2026-01-01T00:00:01.000Z' },
    ]);
  });

  test('memory is bounded: the least recently seen type is dropped', () => {
    const seen = new UnknownEventTypes(3);
    for (const type of ['a', 'b', 'c', 'a', 'd']) seen.record(type);
    assert.deepEqual(seen.list().map((t) => t.type), ['d', 'a', 'c']);
  });

  test('wraps a normalizer: only events the provider calls unknown are counted, every event is returned', () => {
    const seen = new UnknownEventTypes();
    const event = (action_raw: string) => ({ action_raw }) as AuditEvent;
    const normalize = seen.counting({
      normalizeActivity: (raw) => (raw as string[]).map(event),
      unknownEventType: (e) => (e.action_raw.startsWith('new.') ? e.action_raw : null),
    });
    const out = normalize(['known.type', 'new.type', 'new.type'], {} as never);
    assert.equal((out as AuditEvent[]).length, 3);
    assert.deepEqual(seen.list().map((t) => [t.type, t.count]), [['new.type', 2]]);
  });
});
