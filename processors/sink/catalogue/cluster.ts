import { AppwardenError } from '../../../core/errors.js';
import { CATALOGUE } from './index.js';
import type { CatalogueTable, TableOptions } from './table.js';
import { ACTIVITY_SUBJECTS } from './subjects.js';
import { ACTIVITY_VERSIONS } from './versions.js';

/**
 * The trail on a ClickHouse cluster (`clickhouse.cluster`): each catalogue table is made `ON CLUSTER`
 * as `<name>_local`, replicated (`Replicated…MergeTree`, its replicas found under the `{shard}` and
 * `{replica}` macros of each server), with a `Distributed` table of the table's own name over the
 * local ones, so every read and insert of Appwarden is unchanged. Rows are sharded by their identity
 * (`shardBy`, else the ORDER BY): every version of a row lands on one shard, where ReplacingMergeTree
 * and FINAL collapse them, and `activity_versions` is sharded like `activities` (by event id) so
 * `latestActivities` finds an id's versions on its own shard (run reads with
 * `distributed_product_mode = 'local'`). The insert deduplication token works per replica
 * (`replicated_deduplication_window`), when inserts through the Distributed table are synchronous
 * (`distributed_foreground_insert = 1`).
 */
export interface ClusterTarget {
  cluster: string;
  /** The database the Distributed tables point to, the same on every server. */
  database: string;
}

/** Where a replicated table keeps its replicas' metadata in Keeper: one path per shard and table. */
export const REPLICA_PATH = '/clickhouse/tables/{shard}/{database}/{table}';
const REPLICATED_SETTINGS = 'replicated_deduplication_window = 10000';

/** `ReplacingMergeTree(ver)` → `ReplicatedReplacingMergeTree('<path>', '{replica}', ver)`, for any MergeTree family engine. */
export function replicatedEngine(engine: string): string {
  const match = /^(\w*MergeTree)(?:\((.*)\))?$/s.exec(engine.trim());
  if (!match) throw new AppwardenError('AW_CONFIG_INVALID', `cannot replicate the engine ${engine}: not of the MergeTree family`);
  const args = match[2]?.trim();
  return `Replicated${match[1]}('${REPLICA_PATH}', '{replica}'${args ? `, ${args}` : ''})`;
}

/** The cluster's name as a string literal (names may hold `-` and `.`). */
function literal(name: string): string {
  return `'${name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function localName(table: string): string {
  return `${table}_local`;
}

/** The replicated local table and the Distributed table over it, for one catalogue table. */
export function clusterTableDdl(table: CatalogueTable<never>, target: ClusterTarget, options: TableOptions = {}): [string, string] {
  const onCluster = literal(target.cluster);
  const local = localName(table.name);
  const shardBy = table.spec.shardBy ?? table.spec.orderBy;
  // `(a, b)` → `sipHash64(a, b)`: the hash of the columns, not of a tuple.
  const columns = /^\((.*)\)$/s.exec(shardBy.trim())?.[1] ?? shardBy;
  return [
    table.ddl(options, local, { onCluster, engine: replicatedEngine(table.spec.engine), settings: REPLICATED_SETTINGS }),
    distributedDdl(table.name, target, `sipHash64(${columns})`),
  ];
}

function distributedDdl(name: string, target: ClusterTarget, shardingKey: string): string {
  const onCluster = literal(target.cluster);
  return `CREATE TABLE IF NOT EXISTS ${name} ON CLUSTER ${onCluster} AS ${localName(name)}\n`
    + `ENGINE = Distributed(${onCluster}, ${literal(target.database)}, ${localName(name)}, ${shardingKey})`;
}

/** A side table a materialized view fills from each insert into `activities` (versions, subjects). */
interface SideTable {
  table: string;
  view: string;
  /** Its single-server DDL. */
  ddl: string;
  /** The view's SELECT over `activities`. */
  select: string;
}

/**
 * A side table on a cluster: a replicated local table fed by a view on each shard's local activities
 * (so an event's side rows live on its shard, where reads with `distributed_product_mode = 'local'`
 * look them up), and a Distributed table sharded like activities.
 */
function clusterSideTableDdl(target: ClusterTarget, side: SideTable): string[] {
  const onCluster = literal(target.cluster);
  const local = localName(side.table);
  const ddl = side.ddl
    .replace(`CREATE TABLE IF NOT EXISTS ${side.table} (`, `CREATE TABLE IF NOT EXISTS ${local} ON CLUSTER ${onCluster} (`)
    .replace(/^ENGINE = (.+)$/m, (_, engine: string) => `ENGINE = ${replicatedEngine(engine)}`)
    .replace(/^SETTINGS non_replicated_deduplication_window = \d+/m, `SETTINGS ${REPLICATED_SETTINGS}`);
  return [
    ddl,
    distributedDdl(side.table, target, 'sipHash64(event_id)'),
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${side.view} ON CLUSTER ${onCluster} TO ${local}\nAS ${side.select.replace(/\bFROM activities\b/, `FROM ${localName('activities')}`)}`,
  ];
}

/** The versions of activities on a cluster. */
export function clusterVersionsDdl(target: ClusterTarget): string[] {
  return clusterSideTableDdl(target, ACTIVITY_VERSIONS);
}

/** The subjects of activities (timelines) on a cluster. */
export function clusterSubjectsDdl(target: ClusterTarget, options: TableOptions = {}): string[] {
  return clusterSideTableDdl(target, { ...ACTIVITY_SUBJECTS, ddl: ACTIVITY_SUBJECTS.ddl(options) });
}

/** `ALTER … ON CLUSTER … ADD COLUMN` for the columns an existing table lacks, on the local tables and on the Distributed one. */
export function clusterAddColumns(table: CatalogueTable<never>, existing: ReadonlySet<string>, target: ClusterTarget): string[] {
  const onCluster = literal(target.cluster);
  return [...table.addColumnStatements(existing, localName(table.name), onCluster), ...table.addColumnStatements(existing, table.name, onCluster)];
}

/**
 * What an existing replicated table needs at start besides columns: its merge settings, and the skipping
 * indexes it lacks (`indexes`: those its local table has), added and built for the old parts, ON CLUSTER.
 */
export function clusterUpgradeLocal(table: CatalogueTable<never>, indexes: ReadonlySet<string>, target: ClusterTarget): string[] {
  const local = `${localName(table.name)} ON CLUSTER ${literal(target.cluster)}`;
  const out = table.spec.mergeSettings ? [`ALTER TABLE ${local} MODIFY SETTING ${table.spec.mergeSettings}`] : [];
  for (const index of table.indexes()) {
    if (indexes.has(index.name)) continue;
    out.push(`ALTER TABLE ${local} ADD INDEX IF NOT EXISTS ${index.definition}`, `ALTER TABLE ${local} MATERIALIZE INDEX ${index.name}`);
  }
  return out;
}

/** Every statement that makes the trail on a cluster, in order (run once by any server; ON CLUSTER reaches the others). */
export function clusterDdl(target: ClusterTarget, options: TableOptions = {}): string[] {
  return [...CATALOGUE.flatMap((t) => clusterTableDdl(t, target, options)), ...clusterVersionsDdl(target), ...clusterSubjectsDdl(target, options)];
}
