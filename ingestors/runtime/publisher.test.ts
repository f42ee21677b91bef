import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createKafkaBus, type KafkaBus } from '../../core/kafka.js';
import { silentLogger } from '../../core/logger.js';
import { eventId } from '../../schemas/event-id.js';
import { decode } from '../../schemas/registry.js';
import type { AuditEvent } from '../../schemas/types.js';
import { freshName, testBrokers } from '../../test/support/fresh.js';
import type { NormalizeContext } from '../contract.js';
import type { DeadLetter } from './dead-letter.js';
import { EventPublisher } from './publisher.js';

const buses: KafkaBus[] = [];
after(async () => {
  for (const bus of buses) {
    await bus.deleteTopics().catch(() => undefined);
    await bus.disconnect();
  }
});

interface Rec { id: string; pad?: string }

function normalize(raw: unknown, ctx: NormalizeContext): AuditEvent {
  const r = raw as Rec;
  return {
    event_id: eventId('okta', ctx.instance, r.id), provider: 'okta', instance: ctx.instance, occurred_at: Date.now(), ingested_at: ctx.ingestedAt,
    category: 'logon', action: 'login', action_raw: 'test', outcome: 'unknown', outcome_reason: null, severity: null,
    actor: { id: null, email: null, name: null, type: 'unknown' }, targets: [], source: { ip: null, user_agent: null, country: null, city: null },
    session_id: null, request_id: null, class_uid: 3002, activity_id: 1, attributes: {}, raw: JSON.stringify(r),
  };
}

test('a record larger than the Kafka message limit is dead-lettered (raw cut, size and hash kept); the rest of its page is published', async () => {
  // The brokers' own limit (message.max.bytes, 1 MB by default): a 1.5 MB event would have them refuse the whole batch.
  const bus = createKafkaBus({ brokers: testBrokers(), clientId: 'publisher-test', prefix: freshName('pub'), partitions: 1, replicationFactor: 1, log: silentLogger });
  buses.push(bus);
  await bus.ensureTopics();
  const big: Rec = { id: 'big', pad: 'x'.repeat(1_500_000) };
  const page: Rec[] = [{ id: 'a' }, big, { id: 'b' }];
  const outcome = await new EventPublisher(bus).publishActivities({ provider: 'okta', instance: 'main', stream: 's' }, page, normalize);
  assert.deepEqual(outcome.published.map((e) => JSON.parse(e.raw).id), ['a', 'b']);
  assert.equal(outcome.deadLettered.length, 1);

  const stored = (await bus.readCompactedTopic(bus.topics.audit)).map((r) => (decode(r.value!).record as AuditEvent).event_id);
  assert.deepEqual(stored, ['a', 'b'].map((id) => eventId('okta', 'main', id)));
  const letters = (await bus.readCompactedTopic(bus.topics.deadLetter)).map((r) => ({ size: r.value!.length, letter: JSON.parse(r.value!.toString()) as DeadLetter }));
  assert.equal(letters.length, 1);
  const { size, letter } = letters[0]!;
  assert.ok(size <= bus.maxMessageBytes, `the dead letter itself fits (${size} bytes)`);
  assert.equal(letter.code, 'AW_RECORD_TOO_LARGE');
  assert.match(letter.reason, /over the Kafka message limit of 1000000/);
  assert.equal(letter.stage, 'encode');
  assert.equal(letter.rawTruncated?.length, JSON.stringify(big).length);
  assert.ok(JSON.stringify(big).startsWith(letter.raw) && letter.raw.startsWith('{"id":"big"'), 'the raw text kept is the start of the record');
});
