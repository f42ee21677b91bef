import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { eventId, recordId, stableId } from './event-id.js';
import { auditKey, stateKey } from './keys.js';

describe('deterministic ids', () => {
  test('eventId is the first 32 hex digits of SHA-256 over the parts joined by U+001F', () => {
    const expected = createHash('sha256').update('okta\u001fdefault\u001f5d730bf4-8b95-11ea-8cbe-bf2eaab2e9ef').digest('hex').slice(0, 32);
    assert.equal(eventId('okta', 'default', '5d730bf4-8b95-11ea-8cbe-bf2eaab2e9ef'), expected);
    assert.match(expected, /^[0-9a-f]{32}$/);
  });

  test('ids differ by instance and by how the parts split', () => {
    assert.notEqual(eventId('okta', 'a', 'x'), eventId('okta', 'b', 'x'));
    assert.notEqual(stableId('ab', 'c'), stableId('a', 'bc'));
    assert.notEqual(recordId('okta', 'default', 'membership', 'g1', 'u1'), recordId('okta', 'default', 'membership', 'u1', 'g1'));
  });
});

describe('Kafka keys', () => {
  const event = { event_id: 'e1', actor: { id: '00u1', email: 'Ana.Lima@Example.COM', name: null, type: 'user' as const } };

  test('auditKey: the lower-cased email, else the actor id, else the event id', () => {
    assert.equal(auditKey(event), 'ana.lima@example.com');
    assert.equal(auditKey({ ...event, actor: { ...event.actor, email: null } }), '00u1');
    assert.equal(auditKey({ ...event, actor: { ...event.actor, email: null, id: null } }), 'e1');
  });

  test('stateKey: the record id', () => {
    assert.equal(stateKey({ record_id: 'r1' }), 'r1');
  });
});
