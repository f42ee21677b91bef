import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Value from 'typebox/value';
import { openClickHouse, type ClickHouse } from '../../../core/clickhouse.js';
import { backtestPolicy } from '../../policy/backtest.js';
import { parsePolicyText } from '../../policy/loader.js';
import { FULL_RECORDS } from '../../../schemas/testdata/sample-records.js';
import type { AuditEvent } from '../../../schemas/types.js';
import { startTestApi, type TestApi } from '../../../test/support/api.js';
import { freshName } from '../../../test/support/fresh.js';
import { testDataDir, testLog } from '../../../test/support/stack.js';
import { ensureTables, migrateTable } from './ensure.js';
import { ACTIVITIES, defineTable, hasRawWords, latestActivities, rawWords, TARGET_IDS_INDEXED } from './index.js';

// One field more than the shipped catalogue: the source's autonomous system number, after `city`.
type WithAsn = AuditEvent & { source: AuditEvent['source'] & { asn: number | null } };
const columns = [...ACTIVITIES.spec.columns];
columns.splice(columns.findIndex((c) => c.name === 'city') + 1, 0, { name: 'src_asn', type: 'Nullable(UInt32)', path: 'source.asn' });
const EXTENDED = defineTable<WithAsn>({ ...ACTIVITIES.spec, columns: columns as typeof ACTIVITIES.spec.columns });

const BASE = FULL_RECORDS['audit-event'];
const HOUR = 3_600_000;

let api: TestApi;
let ch: ClickHouse;
before(async () => {
  api = await startTestApi('catalogue');
  ch = api.clickhouse;
});
after(() => api?.stop());

async function activities(query: string): Promise<Array<Record<string, unknown>>> {
  const res = await api.app.inject({ method: 'GET', url: `/v1/activities?${query}`, headers: api.auth.headers('admin') });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { items: Array<Record<string, unknown>> }).items;
}

const window = (t: number) => `from=${new Date(t - HOUR).toISOString()}&to=${new Date(t + HOUR).toISOString()}`;

describe('the column catalogue', () => {
  test('an event written by the sink reads back through the API as the catalogue says, every column included', async () => {
    const event: AuditEvent = { ...BASE, event_id: 'cat-full', occurred_at: Date.now() - HOUR };
    await ch.insertRecords(ACTIVITIES.name, [event], ACTIVITIES, { dedupToken: 'cat-full' });
    const [item] = await activities(`${window(event.occurred_at)}&include_raw=true&user=${encodeURIComponent(event.actor.email!)}`);
    assert.ok(Value.Check(ACTIVITIES.apiSchema(), item), 'the answer matches the derived schema');
    assert.deepEqual(item, {
      ...event,
      occurred_at: new Date(event.occurred_at).toISOString(),
      ingested_at: new Date(event.ingested_at).toISOString(),
      targets: event.targets.map(({ type, id, name }) => ({ type, id, name })),
    });
    // The record read back for backtests is the event itself.
    const [row] = await ch.query(`SELECT ${ACTIVITIES.recordColumns()} FROM activities WHERE event_id = 'cat-full'`);
    assert.deepEqual(ACTIVITIES.toRecord(row!), event);
  });

  test('a field added to the catalogue is migrated into the existing table and flows from the event to the API shape', async () => {
    const old: AuditEvent = { ...BASE, event_id: 'cat-before', occurred_at: Date.now() - 2 * HOUR };
    await ch.insertRecords(ACTIVITIES.name, [old], ACTIVITIES);
    const before = new Set((await ch.query<{ name: string }>("SELECT name FROM system.columns WHERE database = currentDatabase() AND table = 'activities'")).map((c) => c.name));
    assert.deepEqual(EXTENDED.addColumnStatements(before), ['ALTER TABLE activities ADD COLUMN IF NOT EXISTS src_asn Nullable(UInt32) AFTER city']);

    await migrateTable(ch, EXTENDED as never);
    const [type] = await ch.query<{ type: string }>("SELECT type FROM system.columns WHERE database = currentDatabase() AND table = 'activities' AND name = 'src_asn'");
    assert.equal(type?.type, 'Nullable(UInt32)');

    const event: WithAsn = { ...BASE, event_id: 'cat-asn', occurred_at: Date.now() - HOUR, source: { ...BASE.source, asn: 64_500 } };
    await ch.insertRecords(EXTENDED.name, [event], EXTENDED, { dedupToken: 'cat-asn' });
    const rows = await ch.query(`SELECT ${EXTENDED.apiColumns()} FROM activities FINAL WHERE event_id IN ('cat-asn', 'cat-before') ORDER BY event_id`);
    const [asn, before2] = [EXTENDED.toApi(rows[0]!), EXTENDED.toApi(rows[1]!)];
    assert.equal((asn.source as { asn: unknown }).asn, 64_500);
    assert.equal((before2.source as { asn: unknown }).asn, null, 'a row from before the column reads its default');
    assert.ok(Value.Check(EXTENDED.apiSchema(), asn), 'the derived API schema carries the new field');
    const [full] = await ch.query(`SELECT ${EXTENDED.recordColumns()} FROM activities WHERE event_id = 'cat-asn'`);
    assert.deepEqual(EXTENDED.toRecord(full!), event);
    // Migrating again changes nothing.
    await migrateTable(ch, EXTENDED as never);
  });

  test('activities merge column by column, in a new folder and in one whose table predates the setting', async () => {
    const settingsOf = async (table: string) => {
      const [row] = await ch.query<{ q: string }>('SELECT create_table_query AS q FROM system.tables WHERE database = currentDatabase() AND name = {table:String}', { table });
      return row?.q ?? '';
    };
    assert.match(await settingsOf('activities'), /SETTINGS .*vertical_merge_algorithm_min_rows_to_activate = 1/);

    const older = defineTable<AuditEvent>({ ...ACTIVITIES.spec, name: 'activities_before_merge_settings', mergeSettings: undefined });
    await ch.exec(older.ddl());
    assert.doesNotMatch(await settingsOf(older.name), /vertical_merge/);
    const now = defineTable<AuditEvent>({ ...ACTIVITIES.spec, name: older.name });
    await migrateTable(ch, now as never);
    assert.match(await settingsOf(older.name), /SETTINGS .*vertical_merge_algorithm_min_rows_to_activate = 1/);

    // Parts still merge into one, every row kept.
    for (let batch = 0; batch < 3; batch++) {
      const events = Array.from({ length: 50 }, (_, i) => ({ ...BASE, event_id: `merge-${batch}-${i}`, occurred_at: Date.now() - HOUR }));
      await ch.insertRecords(now.name, events, now);
    }
    await ch.exec(`OPTIMIZE TABLE ${now.name} FINAL`);
    const [parts] = await ch.query<{ n: number; rows: number }>(
      'SELECT count() AS n, sum(rows) AS rows FROM system.parts WHERE database = currentDatabase() AND table = {table:String} AND active', { table: now.name },
    );
    assert.deepEqual(parts, { n: 1, rows: 150 });
  });
});

describe('one row per event id', () => {
  test('ids ingested again with another time and user are seen once, as the newest version, by pages, counts and backtests', async () => {
    const t0 = Date.now() - 5 * HOUR;
    const first: AuditEvent[] = Array.from({ length: 20 }, (_, i) => ({
      ...BASE, event_id: `rev-${i}`, occurred_at: t0 + i * 1000, ingested_at: t0 + HOUR,
      category: 'logon', action: 'login', outcome: 'failure',
      actor: { ...BASE.actor, email: 'before@example.com', id: 'u-before' },
    }));
    // The provider revised them: a later time and another user; read again an hour later.
    const revised = first.map((e) => ({ ...e, occurred_at: e.occurred_at + 30 * 60_000, ingested_at: e.ingested_at + HOUR, actor: { ...e.actor, email: 'after@example.com', id: 'u-after' } }));
    await ch.insertRecords(ACTIVITIES.name, first, ACTIVITIES, { dedupToken: 'rev-1' });
    await ch.insertRecords(ACTIVITIES.name, revised, ACTIVITIES, { dedupToken: 'rev-2' });
    // A Kafka replay of the revision in other blocks changes nothing either.
    await ch.insertRecords(ACTIVITIES.name, revised.slice(0, 7), ACTIVITIES, { dedupToken: 'rev-3' });

    const range = window(t0 + HOUR);
    assert.equal((await activities(`${range}&user=before@example.com`)).length, 0, 'the old version is not shown under its old user');
    const after = await activities(`${range}&user=after@example.com`);
    assert.deepEqual(after.map((a) => a.event_id).sort(), revised.map((e) => e.event_id).sort());
    assert.deepEqual(after.map((a) => a.occurred_at).sort(), revised.map((e) => new Date(e.occurred_at).toISOString()).sort());
    assert.equal((await activities(`${range}&action=login&limit=7`)).length, 7);
    const everything = await activities(`${range}&limit=100`);
    assert.equal(everything.filter((a) => String(a.event_id).startsWith('rev-')).length, 20);

    const [{ n } = { n: -1 }] = await ch.query<{ n: number }>(`SELECT count() AS n FROM activities FINAL WHERE ${latestActivities("startsWith(event_id, 'rev-')")}`);
    assert.equal(n, 20);

    const policy = parsePolicyText(`id: rev-failures
name: Failed logins
kind: activity
severity: low
detection:
  failed: { category: logon, action: login, outcome: failure }
  condition: failed
alert:
  title: "{{actor.email}} failed"
  dedup: { key: [actor.email], period: 1d }
`, 'policy').policies[0]!.compiled;
    const result = await backtestPolicy(ch, policy, { from: t0 - HOUR, to: t0 + 2 * HOUR, warmup: false });
    assert.equal(result.records_scanned, 20);
    assert.deepEqual(result.alerts.map((a) => a.title), ['after@example.com failed']);
  });
});

describe('data-skipping indexes', () => {
  test('the non-key filters of /v1/activities are served by their indexes (EXPLAIN indexes = 1)', async () => {
    const db = await openClickHouse({ dataDir: testDataDir(), database: freshName('skipping').replace(/-/g, '_'), log: testLog });
    try {
      await ensureTables(db);
      const t0 = Date.now() - 3 * HOUR;
      // 150,000 events in groups of 5,000 sharing a user, an IP, a target and an action: each group a few granules.
      const actions = ['login', 'logout', 'user_suspend', 'file_download', 'app_grant'] as const;
      const events: AuditEvent[] = Array.from({ length: 150_000 }, (_, i) => {
        const g = Math.floor(i / 5000);
        return {
          ...BASE, event_id: `skip-${i}`, occurred_at: t0 + i, ingested_at: t0 + HOUR,
          action: g === 7 ? 'user_suspend' : actions[g % 2]!,
          actor: { ...BASE.actor, email: `user${String(g).padStart(2, '0')}@example.com` },
          source: { ...BASE.source, ip: `10.0.${g}.1` },
          targets: [{ type: 'file', type_raw: 'File', id: `file-${g}`, name: null, email: null }],
          raw: `{"uuid":"e-${i}","note":"groupword${g}x"}`,
        };
      });
      await db.insertRecords(ACTIVITIES.name, events, ACTIVITIES, { dedupToken: 'skipping' });
      // Inserts leave the indexes to the merges (insertSettings): after a merge every part has them.
      await db.exec('OPTIMIZE TABLE activities FINAL');
      const params = { from: new Date(t0 - HOUR).toISOString().replace('T', ' ').slice(0, 23), to: new Date(t0 + HOUR).toISOString().replace('T', ' ').slice(0, 23) };
      const cases: Array<[string, string, Record<string, unknown>]> = [
        ['idx_src_ip', 'src_ip = {v:String}', { v: '10.0.7.1' }],
        ['idx_target_ids', `has(${TARGET_IDS_INDEXED}, {v:String})`, { v: 'file-7' }],
        ['idx_action', 'action = {v:String}', { v: 'user_suspend' }],
        ['idx_raw_words', hasRawWords('v'), { v: rawWords('GroupWord7X') }],
      ];
      for (const [index, condition, values] of cases) {
        const where = `occurred_at >= {from:DateTime64(3)} AND occurred_at < {to:DateTime64(3)} AND ${condition}`;
        const plan = (await db.query<{ explain: string }>(`EXPLAIN indexes = 1 SELECT event_id FROM activities WHERE ${where}`, { ...params, ...values }))
          .map((r) => r.explain).join('\n');
        const m = new RegExp(`Name: ${index}[\\s\\S]*?Granules: (\\d+)/(\\d+)`).exec(plan);
        assert.ok(m, `${index} appears in the plan:\n${plan}`);
        assert.ok(Number(m[1]) < Number(m[2]) / 2, `${index} drops most granules (${m[1]}/${m[2]})`);
        const [{ n } = { n: -1 }] = await db.query<{ n: number }>(`SELECT count() AS n FROM activities WHERE ${where}`, { ...params, ...values });
        assert.equal(n, 5000, `${index} finds the group`);
      }
      // The filter as the route writes it, restricted to the newest versions.
      const [{ n } = { n: -1 }] = await db.query<{ n: number }>(
        `SELECT count() AS n FROM activities FINAL WHERE ${latestActivities(`has(${TARGET_IDS_INDEXED}, 'file-3') AND src_ip = '10.0.3.1'`)}`);
      assert.equal(n, 5000);
    } finally {
      await db.close();
    }
  });
});
