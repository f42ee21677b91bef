import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import { openClickHouse, type ClickHouse } from '../../core/clickhouse.js';
import { ensureTables } from '../../processors/sink/catalogue/ensure.js';
import { ACTIVITIES, ACTIVITY_SUBJECTS } from '../../processors/sink/catalogue/index.js';
import { FULL_RECORDS } from '../../schemas/testdata/sample-records.js';
import type { AuditEvent } from '../../schemas/types.js';
import { recording, type Statement } from '../../bench/analyst-explain.js';
import { testAuth, type TestAuth } from '../../test/support/auth.js';
import { freshName } from '../../test/support/fresh.js';
import { testDataDir, testLog } from '../../test/support/stack.js';

const BASE = FULL_RECORDS['audit-event'];
const HOUR = 3_600_000;
const PEOPLE = 30;
const FILES = 400;
const EVENTS = 150_000;
const t0 = Date.now() - 10 * HOUR;

const email = (p: number) => `person${String(p).padStart(2, '0')}@example.com`;

/**
 * 150,000 events by 30 people (so `activities`, sorted by user, has ~19 granules), each naming a file
 * and another person (by email, in another case): a person's or a file's mentions are spread over
 * every granule, which is what made the timelines read the whole table.
 */
const events: AuditEvent[] = Array.from({ length: EVENTS }, (_, i) => {
  const actor = i % PEOPLE;
  const target = (i * 7 + 3) % PEOPLE;
  return {
    ...BASE, event_id: `tl-${i}`, occurred_at: t0 + i * 100, ingested_at: t0 + 9 * HOUR,
    actor: { ...BASE.actor, id: `u-${actor}`, email: email(actor), type: 'user' },
    targets: [
      { type: 'file', type_raw: 'File', id: `file-${i % FILES}`, name: `doc ${i % FILES}`, email: null },
      { type: 'user', type_raw: 'User', id: `u-${target}`, name: null, email: email(target).toUpperCase() },
    ],
  };
});

let ch: ClickHouse;
let auth: TestAuth;
let app: FastifyInstance;
const statements: Statement[] = [];

before(async () => {
  ch = await openClickHouse({ dataDir: testDataDir(), database: freshName('timelines').replace(/-/g, '_'), log: testLog });
  await ensureTables(ch);
  await ch.insertRecords(ACTIVITIES.name, events, ACTIVITIES, { dedupToken: 'timelines' });
  auth = await testAuth();
  app = await buildApp({ clickhouse: recording(ch, statements), log: testLog, maxPageSize: 1000, security: auth.security, bus: auth.bus });
});

after(async () => {
  await app?.close();
  await auth?.stop();
  await ch?.close();
});

const range = `from=${new Date(t0 - HOUR).toISOString()}&to=${new Date(t0 + 6 * HOUR).toISOString()}`;

/** Every entry id of a timeline, page by page (500 a page). */
async function timeline(path: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const t = performance.now();
    const res: { statusCode: number; body: string; json(): unknown } = await app.inject({ method: 'GET', url: `${path}?${range}&limit=500${cursor ? `&cursor=${cursor}` : ''}`, headers: auth.headers('analyst') });
    assert.equal(res.statusCode, 200, res.body);
    if (process.env.SHOW_PLAN) process.stderr.write(`page ${Math.round(performance.now() - t)} ms\n`);
    const page = res.json() as { items: Array<{ id: string }>; next_cursor: string | null };
    ids.push(...page.items.map((e) => e.id));
    cursor = page.next_cursor;
  } while (cursor);
  return ids;
}

/** Newest first, as the timeline orders them. */
const expected = (where: (e: AuditEvent) => boolean) =>
  events.filter(where).sort((a, b) => b.occurred_at - a.occurred_at || (a.event_id < b.event_id ? 1 : -1)).map((e) => e.event_id);

/** Granules of `activities` kept by its primary key, and those it has, in each read of `activities` the statement makes. */
async function primaryKeyReads(statement: Statement): Promise<Array<[number, number]>> {
  const plan = (await ch.query<{ explain: string }>(`EXPLAIN indexes = 1 ${statement.sql}`, statement.params)).map((r) => r.explain);
  const reads: Array<[number, number]> = [];
  let table = '';
  let index = '';
  for (const line of plan) {
    const text = line.replace(/^[\s│└├─]+/, '').trimEnd();
    const read = /^ReadFromMergeTree \((?:[\w]+\.)?(\w+)\)/.exec(text);
    if (read) table = read[1]!;
    if (/^(PrimaryKey|Skip|Partition|MinMax|Min-Max)$/.test(text)) index = text;
    const granules = /^Granules: (\d+)\/(\d+)/.exec(text);
    if (granules && table === 'activities' && index === 'PrimaryKey') reads.push([Number(granules[1]), Number(granules[2])]);
  }
  return reads;
}

const inRange = (e: AuditEvent) => e.occurred_at < t0 + 6 * HOUR;

describe('timelines over the subjects side table', () => {
  test("a user's timeline by email finds what they did and what was done to them (any case), page by page, through the primary key", async () => {
    const who = email(11);
    statements.length = 0;
    const ids = await timeline(`/v1/timelines/users/${encodeURIComponent(who.toUpperCase())}`);
    assert.deepEqual(ids, expected((e) => inRange(e) && (e.actor.email === who || e.targets.some((t) => t.email?.toLowerCase() === who))));
    if (process.env.SHOW_PLAN) {
      const st = statements[0]!;
      process.stderr.write(st.sql + '\n' + JSON.stringify(st.params) + '\n');
      for (const r of await ch.query<{ explain: string }>(`EXPLAIN indexes = 1 ${st.sql}`, st.params)) process.stderr.write(r.explain + '\n');
    }
    const reads = await primaryKeyReads(statements[0]!);
    assert.ok(reads.length > 0, 'activities is read with a primary key analysis');
    for (const [kept, total] of reads) assert.ok(kept < total / 2, `the primary key drops most granules (${kept}/${total})`);
  });

  test("a user's timeline by provider id finds their events as actor and as target", async () => {
    const ids = await timeline('/v1/timelines/users/u-5');
    assert.deepEqual(ids, expected((e) => inRange(e) && (e.actor.id === 'u-5' || e.targets.some((t) => t.id === 'u-5'))));
  });

  test("a file's timeline finds every event naming it, through the primary key", async () => {
    statements.length = 0;
    const ids = await timeline('/v1/timelines/files/file-17');
    assert.deepEqual(ids, expected((e) => inRange(e) && e.targets.some((t) => t.id === 'file-17')));
    assert.ok(ids.length > 100);
    const reads = await primaryKeyReads(statements[0]!);
    assert.ok(reads.length > 0, 'activities is read with a primary key analysis');
    for (const [kept, total] of reads) assert.ok(kept < total / 2, `the primary key drops most granules (${kept}/${total})`);
  });

  test('the activity filters by target id and by a provider id go through the primary key too', async () => {
    for (const [query, where] of [
      ['target_id=file-17', (e: AuditEvent) => e.targets.some((t) => t.id === 'file-17')],
      ['user=u-5', (e: AuditEvent) => e.actor.id === 'u-5'],
    ] as const) {
      statements.length = 0;
      const res = await app.inject({ method: 'GET', url: `/v1/activities?${range}&${query}&limit=1000`, headers: auth.headers('analyst') });
      assert.equal(res.statusCode, 200, res.body);
      const ids = (res.json() as { items: Array<{ event_id: string }> }).items.map((e) => e.event_id);
      assert.deepEqual(ids, expected((e) => inRange(e) && where(e)).slice(0, 1000), query);
      const reads = await primaryKeyReads(statements[0]!);
      assert.ok(reads.length > 0, `${query}: activities is read with a primary key analysis`);
      for (const [kept, total] of reads) assert.ok(kept < total / 2, `${query}: the primary key drops most granules (${kept}/${total})`);
    }
  });

  test('an existing data folder without the subjects table gets it filled at start', async () => {
    await ch.exec(`DROP VIEW ${ACTIVITY_SUBJECTS.view}`);
    await ch.exec(`DROP TABLE ${ACTIVITY_SUBJECTS.table}`);
    await ensureTables(ch);
    assert.deepEqual(await timeline('/v1/timelines/files/file-3'), expected((e) => inRange(e) && e.targets.some((t) => t.id === 'file-3')));
    // And the view names what arrives after.
    const late: AuditEvent = { ...events[3]!, event_id: 'tl-late', occurred_at: t0 + 5 * HOUR + 1 };
    await ch.insertRecords(ACTIVITIES.name, [late], ACTIVITIES, { dedupToken: 'timelines-late' });
    assert.equal((await timeline('/v1/timelines/files/file-3'))[0], 'tl-late');
  });

  test('a start interrupted during the backfill fills the table at the next start', async () => {
    const whole = await timeline('/v1/timelines/files/file-3');
    assert.ok(whole.length > 1);
    // As a start killed mid-backfill leaves it: the table and its view exist, part of the rows, no completion mark.
    await ch.exec(`ALTER TABLE ${ACTIVITY_SUBJECTS.table} DELETE WHERE subject = 'file-3' SETTINGS mutations_sync = 1`);
    await ch.exec(`ALTER TABLE ${ACTIVITY_SUBJECTS.table} MODIFY COMMENT ''`);
    assert.deepEqual(await timeline('/v1/timelines/files/file-3'), [], 'the rows the backfill had not reached are missing');
    await ensureTables(ch);
    assert.deepEqual(await timeline('/v1/timelines/files/file-3'), whole);
  });
});
