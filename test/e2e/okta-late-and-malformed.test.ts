import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import type { ConsumedRecord } from '../../core/kafka.js';
import type { DeadLetter } from '../../ingestors/runtime/dead-letter.js';
import { decode } from '../../schemas/registry.js';
import { eventId } from '../../schemas/event-id.js';
import type { AuditEvent } from '../../schemas/types.js';
import { startOktaSimulator, type OktaSimulator } from '../../simulators/okta/index.js';
import { startTestStack, type TestStack } from '../support/appwarden.js';
import { freshName } from '../support/fresh.js';
import { testLog } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import { simulatorInstance } from '../support/simulators.js';

type Raw = Record<string, any>;
const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function setUp(seed: string): Promise<{ sim: OktaSimulator; s: TestStack }> {
  const sim = await startOktaSimulator({ log: testLog, seed, users: 5, eventsPerDay: 200, days: 1 });
  cleanups.push(() => sim.close());
  const s = await startTestStack({ okta: { main: simulatorInstance('okta', sim) } });
  cleanups.push(() => s.stop());
  await waitFor(async () => (await s.countActivities('main')) === sim.eventsFor().length, { what: 'history stored' });
  return { sim, s };
}

/** Every record of a topic so far, read by a fresh consumer group. */
async function readTopic(s: TestStack, topic: string, until: (records: ConsumedRecord[]) => boolean): Promise<ConsumedRecord[]> {
  const records: ConsumedRecord[] = [];
  const consumer = await s.bus.consume({
    groupId: freshName('reader'), topics: [topic], fromBeginning: true,
    eachBatch: async (batch) => { records.push(...batch.records); },
  });
  try {
    await waitFor(() => until(records), { what: `records on ${topic}` });
    return records;
  } finally {
    await consumer.stop();
  }
}

function loginLike(sim: OktaSimulator, published: string): Raw {
  const template = (sim.eventsFor() as Raw[]).find((e) => e.eventType === 'user.session.start')!;
  return { ...structuredClone(template), uuid: randomUUID(), published };
}

describe('Okta: late and malformed records', () => {
  test('an event that becomes visible after its window was first read is still ingested, exactly once', async () => {
    const { sim, s } = await setUp('late');
    const published = new Date(Date.now() - 2 * 60_000).toISOString();
    const addedAt = Date.now();
    const visibleAt = addedAt + 4000;
    const late = sim.addEvent(loginLike(sim, published), { visibleAt }) as Raw;
    const id = eventId('okta', 'main', late.uuid);
    // A complete poll that started after the event was added re-read its window while it was still invisible.
    const poll = await waitFor(async () => {
      const status = (await s.api<{ items: Array<{ streams: Array<{ stream: string; lastRunStartedAt: string | null; lastSuccessAt: string | null }> }> }>('/v1/connectors')).body;
      const stream = status.items[0]!.streams.find((x) => x.stream === 'system_log')!;
      return stream.lastRunStartedAt && stream.lastSuccessAt && Date.parse(stream.lastRunStartedAt) > addedAt
        && Date.parse(stream.lastSuccessAt) >= Date.parse(stream.lastRunStartedAt) ? stream : null;
    }, { what: 'a poll after the late event was added' });
    assert.ok(Date.parse(poll.lastSuccessAt!) < visibleAt, 'the poll ran while the event was invisible');
    assert.equal((await s.clickhouse.query<{ n: number }>('SELECT count() AS n FROM activities FINAL WHERE event_id = {id:String}', { id }))[0]?.n, 0);
    await waitFor(async () => (await s.clickhouse.query<{ n: number }>('SELECT count() AS n FROM activities FINAL WHERE event_id = {id:String}', { id }))[0]?.n === 1,
      { what: 'the late event stored' });
    // Exactly once on the topic too: re-reads of the trailing window are not republished.
    const audit = await readTopic(s, s.bus.topics.audit, (records) => records.length >= sim.eventsFor().length);
    const copies = audit.filter((r) => (decode(r.value!).record as AuditEvent).event_id === id);
    assert.equal(copies.length, 1);
    assert.equal(await s.countActivities('main'), sim.eventsFor().length);
  });

  test('a record the normalizer cannot map goes to the dead-letter topic with the reason, and the records after it are stored', async () => {
    const { sim, s } = await setUp('malformed');
    const before = await s.countActivities('main');
    const broken = { uuid: randomUUID(), eventType: 'user.session.start', published: 'yesterday-ish', actor: { id: 'x' } };
    sim.injectRawEvent(broken);
    const afterIt = sim.addEvent(loginLike(sim, new Date(Date.now() + 1000).toISOString()), { visibleAt: Date.now() + 1000 }) as Raw;
    await waitFor(async () => (await s.clickhouse.query<{ n: number }>('SELECT count() AS n FROM activities FINAL WHERE event_id = {id:String}',
      { id: eventId('okta', 'main', afterIt.uuid) }))[0]?.n === 1, { what: 'the record after the broken one stored' });
    assert.equal(await s.countActivities('main'), before + 1);

    const dead = await readTopic(s, s.bus.topics.deadLetter, (records) => records.length >= 1);
    const letters = dead.map((r) => JSON.parse(r.value!.toString()) as DeadLetter);
    const letter = letters.find((l) => l.raw.includes(broken.uuid));
    assert.ok(letter, 'the broken record is in the dead-letter topic');
    assert.equal(letter.code, 'AW_NORMALIZE_FAILED');
    assert.equal(letter.field, 'published');
    assert.match(letter.reason, /published/);
    assert.deepEqual(JSON.parse(letter.raw), broken);
    assert.equal(letter.provider, 'okta');
    assert.equal(letter.instance, 'main');
    const status = (await s.api<{ items: Array<{ streams: Array<{ stream: string; deadLettered: number }> }> }>('/v1/connectors')).body;
    assert.equal(status.items[0]!.streams.find((x) => x.stream === 'system_log')!.deadLettered, 1);
  });
});
