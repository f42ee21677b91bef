import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ACTIVITIES, ACTIVITY_VERSIONS, AUDIT_TRAIL, CATALOGUE } from './index.js';
import { clusterAddColumns, clusterDdl, clusterSubjectsDdl, clusterTableDdl, clusterUpgradeLocal, clusterVersionsDdl, replicatedEngine } from './cluster.js';

const TARGET = { cluster: 'prod-eu.1', database: 'appwarden' };

describe('the trail on a ClickHouse cluster (no cluster here: the DDL text is checked)', () => {
  test('engines become their replicated variant, replicas under the {shard} and {replica} macros, version column kept', () => {
    assert.equal(replicatedEngine('ReplacingMergeTree(ingested_at)'), "ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', ingested_at)");
    assert.equal(replicatedEngine('ReplacingMergeTree'), "ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')");
    assert.equal(replicatedEngine('MergeTree()'), "ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')");
    assert.throws(() => replicatedEngine('Log'), /not of the MergeTree family/);
  });

  test('activities: a replicated local table ON CLUSTER with every column and index, and a Distributed table of the same name sharded by event id', () => {
    const [local, distributed] = clusterTableDdl(ACTIVITIES as never, TARGET, { retentionDays: 400 });
    const single = ACTIVITIES.ddl({ retentionDays: 400 });
    assert.match(local!, /^CREATE TABLE IF NOT EXISTS activities_local ON CLUSTER 'prod-eu\.1' \(\n/);
    assert.match(local!, /\nENGINE = ReplicatedReplacingMergeTree\('\/clickhouse\/tables\/\{shard\}\/\{database\}\/\{table\}', '\{replica\}', ingested_at\)\n/);
    // The same columns, indexes, partitioning, order and TTL as the single-server table.
    const body = (ddl: string) => ddl.slice(ddl.indexOf('(\n'), ddl.indexOf('\nENGINE'));
    assert.equal(body(local!), body(single));
    for (const line of ['PARTITION BY toYYYYMM(occurred_at)', 'ORDER BY (user_key, occurred_at, event_id)', 'TTL toDateTime(occurred_at) + toIntervalDay(400)']) {
      assert.ok(local!.includes(`\n${line}`), line);
    }
    assert.match(local!, /\nSETTINGS .*replicated_deduplication_window = 10000/);
    assert.equal(distributed, "CREATE TABLE IF NOT EXISTS activities ON CLUSTER 'prod-eu.1' AS activities_local\n"
      + "ENGINE = Distributed('prod-eu.1', 'appwarden', activities_local, sipHash64(event_id))");
  });

  test('other tables are sharded by their identity (the ORDER BY columns)', () => {
    const [local, distributed] = clusterTableDdl(AUDIT_TRAIL as never, TARGET);
    assert.match(local!, /ENGINE = ReplicatedReplacingMergeTree\('\/clickhouse\/tables\/\{shard\}\/\{database\}\/\{table\}', '\{replica\}'\)\n/);
    assert.match(distributed!, /ENGINE = Distributed\('prod-eu\.1', 'appwarden', audit_trail_local, sipHash64\(at, entry_id\)\)$/);
  });

  test('activity versions: local replicated table, Distributed table sharded like activities, the view reading the local activities', () => {
    const [local, distributed, view] = clusterVersionsDdl(TARGET);
    assert.match(local!, /^CREATE TABLE IF NOT EXISTS activity_versions_local ON CLUSTER 'prod-eu\.1' \(/);
    assert.match(local!, /ENGINE = ReplicatedReplacingMergeTree\('[^']+', '\{replica\}'\)\nORDER BY \(event_id, ingested_at\)\nSETTINGS replicated_deduplication_window = 10000, index_granularity = 256, min_compress_block_size = 8192, max_compress_block_size = 65536$/);
    assert.match(distributed!, /Distributed\('prod-eu\.1', 'appwarden', activity_versions_local, sipHash64\(event_id\)\)$/);
    assert.equal(view, `CREATE MATERIALIZED VIEW IF NOT EXISTS ${ACTIVITY_VERSIONS.view} ON CLUSTER 'prod-eu.1' TO activity_versions_local\nAS SELECT event_id, ingested_at FROM activities_local`);
  });

  test('activity subjects (timelines): local replicated table with the retention, Distributed table by event id, the view reading the local activities', () => {
    const [local, distributed, view] = clusterSubjectsDdl(TARGET, { retentionDays: 400 });
    assert.match(local!, /^CREATE TABLE IF NOT EXISTS activity_subjects_local ON CLUSTER 'prod-eu\.1' \(/);
    assert.match(local!, /\nENGINE = ReplicatedReplacingMergeTree\('[^']+', '\{replica\}'\)\n/);
    assert.match(local!, /\nTTL toDateTime\(occurred_at\) \+ toIntervalDay\(400\)\nSETTINGS replicated_deduplication_window = 10000$/);
    assert.match(distributed!, /Distributed\('prod-eu\.1', 'appwarden', activity_subjects_local, sipHash64\(event_id\)\)$/);
    assert.match(view!, /^CREATE MATERIALIZED VIEW IF NOT EXISTS activity_subjects_mv ON CLUSTER 'prod-eu\.1' TO activity_subjects_local\nAS SELECT subject, .* FROM activities_local ARRAY JOIN /s);
  });

  test('every catalogue table gets both, in creation order; a missing column is added to the local and the Distributed tables', () => {
    const statements = clusterDdl(TARGET);
    assert.equal(statements.length, CATALOGUE.length * 2 + 6);
    CATALOGUE.forEach((table, i) => {
      assert.ok(statements[2 * i]!.startsWith(`CREATE TABLE IF NOT EXISTS ${table.name}_local ON CLUSTER 'prod-eu.1' (`), table.name);
      assert.ok(statements[2 * i + 1]!.startsWith(`CREATE TABLE IF NOT EXISTS ${table.name} ON CLUSTER 'prod-eu.1' AS ${table.name}_local`), table.name);
    });
    const have = new Set(ACTIVITIES.columns.map((c) => c.name).filter((n) => n !== 'city'));
    assert.deepEqual(clusterAddColumns(ACTIVITIES as never, have, TARGET), [
      "ALTER TABLE activities_local ON CLUSTER 'prod-eu.1' ADD COLUMN IF NOT EXISTS city Nullable(String) AFTER country",
      "ALTER TABLE activities ON CLUSTER 'prod-eu.1' ADD COLUMN IF NOT EXISTS city Nullable(String) AFTER country",
    ]);
  });

  test('an existing replicated table gets its merge settings and the indexes its local table lacks, ON CLUSTER, built for the old parts', () => {
    const have = new Set(ACTIVITIES.indexes().map((i) => i.name).filter((name) => name !== 'idx_raw_words'));
    const statements = clusterUpgradeLocal(ACTIVITIES as never, have, TARGET);
    assert.deepEqual(statements, [
      `ALTER TABLE activities_local ON CLUSTER 'prod-eu.1' MODIFY SETTING ${ACTIVITIES.spec.mergeSettings}`,
      "ALTER TABLE activities_local ON CLUSTER 'prod-eu.1' ADD INDEX IF NOT EXISTS idx_raw_words lowerUTF8(raw) TYPE text(tokenizer = splitByNonAlpha)",
      "ALTER TABLE activities_local ON CLUSTER 'prod-eu.1' MATERIALIZE INDEX idx_raw_words",
    ]);
  });
});
