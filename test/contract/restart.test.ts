/**
 * The contract suite, restart case: the connectors' process stops and starts again (its memory
 * gone, its cursors kept in Kafka) while the sink and the API keep running, as in a scaled-out
 * deployment. Nothing is missed, nothing is stored twice, and history is not read again.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { startAppwarden, type RunningAppwarden } from '../../cli/start.js';
import type { TestStack } from '../support/appwarden.js';
import { ADMIN_HEADERS, FAST_INSTANCE, testConfig, testLog } from '../support/stack.js';
import {
  auditEvents, contractProviders, countOf, eventIds, everyActivityStored, instanceSettings, requireFixture, tapTopics, waitStored,
} from './support.js';

for (const { definition, fixture } of contractProviders()) {
  const provider = definition.id;
  describe(`contract (${provider}): cursor resume after a restart of the connectors' process`, () => {
    const cleanups: Array<() => Promise<unknown>> = [];
    after(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    });

    test('events that arrived while it was down are stored, every event once, and history is not read again', async () => {
      const tenant = await requireFixture(definition, fixture).start(`contract-${provider}-restart`);
      cleanups.push(() => tenant.close());
      const config = testConfig({ [provider]: { main: instanceSettings(tenant) } });
      const storage = await startAppwarden({ config, log: testLog, roles: ['sink', 'api'], progressIntervalMs: 60_000 });
      cleanups.push(() => storage.stop());
      // The few helpers the cases use; this stack runs no connector itself.
      const s = { bus: storage.bus, clickhouse: storage.clickhouse! } as unknown as TestStack;
      const tap = await tapTopics(s, [storage.bus.topics.audit]);
      cleanups.push(() => tap.stop());
      const connectors = () => startAppwarden({ config, log: testLog, roles: ['connectors'], progressIntervalMs: 60_000 });

      let first: RunningAppwarden | null = await connectors();
      cleanups.push(async () => first?.stop());
      await everyActivityStored(s, definition, tenant, 'main');
      await first.stop();
      first = null;

      // While it is down: an event of now, and one dated before the stop that became visible only now.
      const whileDown = [tenant.addActivity(0), tenant.addActivity(30_000)].map((raw) => eventIds(definition, [raw], 'main')[0]!);
      const second = await connectors();
      cleanups.push(() => second.stop());
      for (const id of whileDown) await waitStored(s, id);
      const expected = await everyActivityStored(s, definition, tenant, 'main');

      // No gap and no duplicate: the API pages through every event exactly once.
      const seen: string[] = [];
      const from = new Date(Date.now() - FAST_INSTANCE.activities.initialLookbackMs - 86_400_000).toISOString();
      const to = new Date(Date.now() + 60_000).toISOString();
      let cursor: string | null = null;
      do {
        const res: { statusCode: number; json(): unknown } = await storage.app!.inject({ headers: ADMIN_HEADERS, url: `/v1/activities?provider=${provider}&instance=main&from=${from}&to=${to}&limit=1000${cursor ? `&cursor=${cursor}` : ''}` });
        assert.equal(res.statusCode, 200);
        const body = res.json() as { items: Array<{ event_id: string }>; next_cursor: string | null };
        seen.push(...body.items.map((i) => i.event_id));
        cursor = body.next_cursor;
      } while (cursor);
      assert.deepEqual(seen.sort(), expected);
      assert.equal(await countOf(s, 'SELECT count() AS n FROM activities FINAL WHERE provider = {p:String}', { p: provider }), expected.length);

      // Resumed from the cursor: only what the restart's trailing re-read returned was published again (a provider
      // that lists by availability time may return an older event there), never the whole history.
      const published = auditEvents(await tap.until(storage.bus.topics.audit, (records) => auditEvents(records).length >= expected.length));
      const copies = new Map<string, number>();
      for (const e of published) copies.set(e.event_id, (copies.get(e.event_id) ?? 0) + 1);
      const again = [...copies.values()].filter((n) => n > 1).length;
      assert.ok(again < expected.length / 2, `${again} of ${expected.length} events published again after the restart: it read history again`);
    });
  });
}
