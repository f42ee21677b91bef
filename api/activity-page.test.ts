import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACTIVITIES } from '../processors/sink/catalogue/index.js';
import { FULL_RECORDS } from '../schemas/testdata/sample-records.js';
import type { AuditEvent } from '../schemas/types.js';
import { startTestApi, type TestApi } from '../test/support/api.js';

const BASE = FULL_RECORDS['audit-event'];
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let api: TestApi;
before(async () => {
  api = await startTestApi('activity_page');
});
after(() => api?.stop());

interface Item { event_id: string; occurred_at: string; actor: { email: string | null } }

async function get(url: string): Promise<{ items: Item[]; next_cursor: string | null }> {
  const res = await api.app.inject({ method: 'GET', url, headers: api.auth.headers('analyst') });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

/** Every page of a query, following next_cursor. */
async function walk(query: string, limit: number): Promise<{ items: Item[]; pages: number }> {
  const items: Item[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await get(`/v1/activities?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.ok(page.items.length <= limit);
    if (page.next_cursor !== null) assert.equal(page.items.length, limit, 'a page before the last is full');
    items.push(...page.items);
    cursor = page.next_cursor;
    pages++;
  } while (cursor !== null);
  return { items, pages };
}

/** The same query streamed as NDJSON: the export applies the newest-version check to every match. */
async function exported(query: string): Promise<Item[]> {
  const res = await api.app.inject({ method: 'GET', url: `/v1/activities?${query}&format=ndjson`, headers: api.auth.headers('analyst') });
  assert.equal(res.statusCode, 200, res.body);
  return res.body.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as Item);
}

function events(prefix: string, n: number, at: (i: number) => number, extra: Partial<AuditEvent> = {}): AuditEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    ...BASE, event_id: `${prefix}-${String(i).padStart(3, '0')}`, occurred_at: at(i), ingested_at: Date.now() - 2 * HOUR,
    actor: { ...BASE.actor, email: `${prefix}@example.com` }, ...extra,
  }));
}

const range = (from: number, to: number) => `from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`;
const ids = (items: ReadonlyArray<{ event_id: string }>) => items.map((i) => i.event_id);

describe('a page of activities holds each event id once, as its newest version', () => {
  test('superseded versions among the first matches are left out; the pages, walked, are the export, in order, both ways', async () => {
    const t0 = Date.now() - 3 * HOUR;
    const first = events('mixed', 60, (i) => t0 + i * MINUTE, { action: 'file_download' });
    await api.clickhouse.insertRecords(ACTIVITIES.name, first, ACTIVITIES, { dedupToken: 'mixed-1' });
    // Every third id read again later with another user and a time a second later: the old rows stay stored.
    const revised = first.filter((_, i) => i % 3 === 0)
      .map((e) => ({ ...e, occurred_at: e.occurred_at + 1000, ingested_at: e.ingested_at + HOUR, actor: { ...e.actor, email: 'revised@example.com' } }));
    await api.clickhouse.insertRecords(ACTIVITIES.name, revised, ACTIVITIES, { dedupToken: 'mixed-2' });

    const query = `${range(t0, t0 + 2 * HOUR)}&action=file_download`;
    const newestFirst = await walk(query, 7);
    assert.deepEqual(ids(newestFirst.items), ids(first).reverse(), 'each id once, newest first');
    const revisedIds = new Set(ids(revised));
    for (const item of newestFirst.items) {
      assert.equal(item.actor.email, revisedIds.has(item.event_id) ? 'revised@example.com' : 'mixed@example.com', item.event_id);
    }
    assert.deepEqual(newestFirst.items, await exported(query));
    const oldestFirst = await walk(`${query}&sort=oldest`, 7);
    assert.deepEqual(oldestFirst.items, (await exported(`${query}&sort=oldest`)));
    assert.deepEqual(ids(oldestFirst.items), ids(first));
  });

  test('when superseded versions fill the first matches, the page is still full and right', async () => {
    const t0 = Date.now() - 3 * HOUR;
    const first = events('moved', 80, (i) => t0 + i * MINUTE, { action: 'login' });
    await api.clickhouse.insertRecords(ACTIVITIES.name, first, ACTIVITIES, { dedupToken: 'moved-1' });
    // The 60 newest moved two days back, out of the range asked below: only the 20 oldest remain in it.
    const moved = first.slice(20).map((e) => ({ ...e, occurred_at: e.occurred_at - 48 * HOUR, ingested_at: e.ingested_at + HOUR }));
    await api.clickhouse.insertRecords(ACTIVITIES.name, moved, ACTIVITIES, { dedupToken: 'moved-2' });

    const query = `${range(t0, t0 + 2 * HOUR)}&user=moved@example.com`;
    const page = await get(`/v1/activities?${query}&limit=5`);
    assert.deepEqual(ids(page.items), ids(first.slice(15, 20)).reverse());
    assert.notEqual(page.next_cursor, null);
    const all = await walk(query, 5);
    assert.deepEqual(ids(all.items), ids(first.slice(0, 20)).reverse());
    assert.equal(all.pages, 4);
    assert.deepEqual(all.items, await exported(query));
    // The moved versions are where they were moved to.
    const back = await walk(`${range(t0 - 49 * HOUR, t0 - 46 * HOUR)}&user=moved@example.com`, 25);
    assert.deepEqual(ids(back.items), ids(moved).reverse());
  });

  test('a version stored twice (a replay in other blocks, not yet merged) is shown once and the page stays full', async () => {
    const t0 = Date.now() - 3 * HOUR;
    const stored = events('replayed', 12, (i) => t0 + i * MINUTE, { action: 'logout' });
    await api.clickhouse.insertRecords(ACTIVITIES.name, stored, ACTIVITIES, { dedupToken: 'replayed-1' });
    await api.clickhouse.insertRecords(ACTIVITIES.name, stored.slice(4), ACTIVITIES, { dedupToken: 'replayed-2' });
    const query = `${range(t0, t0 + HOUR)}&action=logout`;
    const page = await get(`/v1/activities?${query}&limit=4`);
    assert.deepEqual(ids(page.items), ids(stored.slice(8)).reverse());
    const all = await walk(query, 4);
    assert.deepEqual(ids(all.items), ids(stored).reverse());
    assert.deepEqual(all.items, await exported(query));
  });
});
