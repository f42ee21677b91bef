import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import avro from 'avsc';
import type { ConsumedRecord } from '../../core/kafka.js';
import { eventId } from '../../schemas/event-id.js';
import { startOktaSimulator } from '../../simulators/okta/index.js';
import { startTestStack } from '../support/appwarden.js';
import { freshName } from '../support/fresh.js';
import { testLog } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import { simulatorInstance } from '../support/simulators.js';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

test('a SIEM consumer reads the audit topic with a general Avro library, the published .avsc and the schema API alone', async () => {
  const sim = await startOktaSimulator({ log: testLog, seed: 'siem', users: 5, eventsPerDay: 150, days: 1 });
  cleanups.push(() => sim.close());
  const stack = await startTestStack({ okta: { main: simulatorInstance('okta', sim) } });
  cleanups.push(() => stack.stop());
  const expected = sim.eventsFor().length;

  const records: ConsumedRecord[] = [];
  const consumer = await stack.bus.consume({
    groupId: freshName('siem'), topics: [stack.bus.topics.audit], fromBeginning: true,
    eachBatch: async (batch) => { records.push(...batch.records); },
  });
  cleanups.push(() => consumer.stop());
  await waitFor(() => records.length >= expected, { what: 'the audit topic read' });

  // What a consumer in any language does: check the single-object marker, look the writer schema up by
  // its fingerprint, and decode the rest of the bytes with that schema.
  const published = JSON.parse(readFileSync(new URL('../../schemas/avro/audit-event.v1.avsc', import.meta.url), 'utf8'));
  const reader = avro.Type.forSchema(published);
  const writers = new Map<string, avro.Type>();
  const ids = new Set<string>();
  for (const record of records) {
    const bytes = record.value!;
    assert.deepEqual([...bytes.subarray(0, 2)], [0xc3, 0x01], 'Avro single-object marker');
    const fingerprint = Buffer.from(bytes.subarray(2, 10)).reverse().toString('hex'); // little-endian on the wire
    let writer = writers.get(fingerprint);
    if (!writer) {
      const res = await stack.api<unknown>(`/v1/schemas/${fingerprint}`);
      assert.equal(res.status, 200);
      writer = avro.Type.forSchema(res.body as avro.Schema);
      writers.set(fingerprint, writer);
    }
    const resolver = reader.createResolver(writer);
    const event = reader.fromBuffer(bytes.subarray(10), resolver) as { event_id: string; provider: string; instance: string; occurred_at: unknown; raw: string };
    assert.equal(event.provider, 'okta');
    assert.equal(event.instance, 'main');
    assert.ok(JSON.parse(event.raw).uuid, 'raw carries the provider record');
    ids.add(event.event_id);
    // The key is the normalized user, so one user's events stay on one partition in order.
    assert.ok(record.key && record.key.length > 0);
  }
  const partitionsByKey = new Map<string, Set<number>>();
  for (const r of records) {
    const key = r.key!.toString();
    partitionsByKey.set(key, (partitionsByKey.get(key) ?? new Set()).add(r.partition));
  }
  assert.ok([...partitionsByKey.values()].every((p) => p.size === 1), "each user's events are on one partition");
  assert.ok(new Set(records.map((r) => r.partition)).size > 1, 'users are spread over the partitions');
  assert.deepEqual(ids, new Set(sim.eventsFor().map((e) => eventId('okta', 'main', String(e.uuid)))));
  assert.equal(writers.size, 1, 'one writer schema, version 1');
});
