/**
 * The contract suite, ingest cases: the same cases for every registered connector, against its
 * simulator, through the whole of Appwarden (real Kafka, chdb, the runtime, the API). One stack per
 * provider, with two instances on two simulated tenants.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { DeadLetter } from '../../ingestors/runtime/dead-letter.js';
import { startTestStack, type TestStack } from '../support/appwarden.js';
import { waitFor } from '../support/wait-for.js';
import type { ContractTenant } from './fixture.js';
import {
  auditEvents, connectorStatus, contractProviders, countOf, eventIds, everyActivityStored, instanceSettings, onFirstTest, requireFixture, tapTopics, waitStored,
  type TopicTap,
} from './support.js';

for (const { definition, fixture } of contractProviders()) {
  const provider = definition.id;
  describe(`contract (${provider}): ingest`, () => {
    const cleanups: Array<() => Promise<unknown>> = [];
    let main: ContractTenant;
    let other: ContractTenant;
    let s: TestStack;
    let tap: TopicTap;
    const id = (raw: unknown, instance = 'main') => {
      const [first] = eventIds(definition, [raw], instance);
      assert.ok(first, 'the added record normalizes to an event');
      return first;
    };

    const ready = onFirstTest(async () => {
      const f = requireFixture(definition, fixture);
      main = await f.start(`contract-${provider}-main`);
      cleanups.push(() => main.close());
      other = await f.start(`contract-${provider}-other`);
      cleanups.push(() => other.close());
      s = await startTestStack({ [provider]: { main: instanceSettings(main), other: instanceSettings(other) } });
      cleanups.push(() => s.stop());
      tap = await tapTopics(s, [s.bus.topics.audit, s.bus.topics.deadLetter]);
      cleanups.push(() => tap.stop());
    });
    after(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    });

    test('first scan, then polls: accounts and activities arrive in ClickHouse; a new event follows', async () => {
      await ready();
      await everyActivityStored(s, definition, main, 'main');
      await waitStored(s, id(main.addActivity(0)));
      const users = await s.api<{ items: unknown[] }>(`/v1/accounts?provider=${provider}&instance=main&kind=user&limit=1000`);
      assert.equal(users.status, 200);
      assert.equal(users.body.items.length, main.users(), 'every user of the tenant is an account');
    });

    test('two instances side by side, each with its own data', async () => {
      await ready();
      const mine = await everyActivityStored(s, definition, main, 'main');
      const theirs = await everyActivityStored(s, definition, other, 'other');
      assert.ok(theirs.length > 0 && mine.length > 0);
      assert.ok(!theirs.some((x) => mine.includes(x)), 'no event id is shared between the instances');
      const users = await s.api<{ items: Array<{ instance: string }> }>(`/v1/accounts?provider=${provider}&instance=other&kind=user&limit=1000`);
      assert.equal(users.body.items.length, other.users());
      assert.ok(users.body.items.every((u) => u.instance === 'other'));
    });

    test('the trailing re-read picks up a late event (an old timestamp, visible only now), stored once', async () => {
      await ready();
      await everyActivityStored(s, definition, main, 'main');
      // Dated two minutes ago, when the polls already read that time: only the trailing re-read finds it.
      const late = id(main.addActivity(2 * 60_000));
      await waitStored(s, late);
      // A fresh event stored after it means later polls (re-reading the trailing window again) ran.
      await waitStored(s, id(main.addActivity(0)));
      assert.equal(await countOf(s, 'SELECT count() AS n FROM activities FINAL WHERE event_id = {id:String}', { id: late }), 1);
      const onTopic = auditEvents(await tap.until(s.bus.topics.audit, (records) => auditEvents(records).some((e) => e.event_id === late)));
      assert.equal(onTopic.filter((e) => e.event_id === late).length, 1, 'published once: a re-read does not publish it again');
    });

    test('a malformed record goes to the dead-letter topic with the reason; the stream keeps running', async () => {
      await ready();
      const broken = main.addMalformed();
      const next = id(main.addActivity(0));
      await waitStored(s, next);
      const letters = (await tap.until(s.bus.topics.deadLetter, (records) => records.some((r) => r.value?.toString().includes(broken.marker))))
        .map((r) => JSON.parse(r.value!.toString()) as DeadLetter);
      const letter = letters.find((l) => l.raw.includes(broken.marker));
      assert.ok(letter);
      assert.deepEqual([letter.code, letter.provider, letter.instance, letter.field], ['AW_NORMALIZE_FAILED', provider, 'main', broken.field]);
      assert.ok(letter.reason.includes(broken.field), `the reason names the field: ${letter.reason}`);
      const status = await connectorStatus(s, provider, 'main');
      assert.ok(status.streams.some((x) => x.deadLettered >= 1), 'the stream counts its dead letter');
    });

    test('throttling answered as the provider documents it: the instance waits, nothing is lost, the other instance never waits', async () => {
      await ready();
      const before = main.throttled();
      main.throttle(4);
      const next = id(main.addActivity(0));
      await waitStored(s, next);
      await waitFor(() => main.throttled() - before === 4, { what: 'the simulator answered four requests with its throttle answer' });
      await everyActivityStored(s, definition, main, 'main');
      const slowed = await connectorStatus(s, provider, 'main');
      assert.ok(slowed.http.throttled > 0 && slowed.http.throttleWaitMs > 0, `the instance saw the throttle and waited: ${JSON.stringify(slowed.http)}`);
      const calm = await connectorStatus(s, provider, 'other');
      assert.deepEqual([calm.http.throttled, calm.http.throttleWaitMs], [0, 0], 'the other instance never waited');
      // The other tenant's history may be live (new events as time passes): compared at one moment, not once.
      await everyActivityStored(s, definition, other, 'other');
    });
  });
}
