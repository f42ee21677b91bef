import type { ClickHouse } from '../../../core/clickhouse.js';
import { AppwardenError } from '../../../core/errors.js';
import { CATALOGUE } from './index.js';
import type { CatalogueTable, TableOptions } from './table.js';
import { ACTIVITY_SUBJECTS } from './subjects.js';
import { ACTIVITY_VERSIONS } from './versions.js';
import { clusterAddColumns, clusterSubjectsDdl, clusterTableDdl, clusterUpgradeLocal, clusterVersionsDdl, localName, type ClusterTarget } from './cluster.js';

/**
 * Creates the trail's tables when missing and brings an existing data folder up to the catalogue:
 * a column the catalogue has and the table lacks is added (`ALTER TABLE … ADD COLUMN`, old rows
 * read its default), a missing data-skipping index is added and built for the existing parts, the
 * catalogue's merge settings are set.
 * Safe to call at every start, on either backend.
 */
export async function ensureTables(ch: ClickHouse, options: TableOptions & { cluster?: ClusterTarget } = {}): Promise<void> {
  const { retentionDays } = options;
  if (retentionDays !== undefined && !(Number.isInteger(retentionDays) && retentionDays > 0)) {
    throw new AppwardenError('AW_CONFIG_INVALID', `retentionDays must be a positive integer, got ${retentionDays}`);
  }
  const existing = await existingColumns(ch);
  if (options.cluster) return ensureClusterTables(ch, existing, options.cluster, options);
  for (const table of CATALOGUE) await migrateTable(ch, table, existing.get(table.name), options);
  await ensureSideTable(ch, existing, { ...ACTIVITY_VERSIONS, ddl: ACTIVITY_VERSIONS.ddl });
  await ensureSideTable(ch, existing, { ...ACTIVITY_SUBJECTS, ddl: ACTIVITY_SUBJECTS.ddl(options) });
}

/** A side table a materialized view fills from each insert into `activities`. */
interface SideTable {
  table: string;
  ddl: string;
  viewDdl: string;
  backfill: string;
}

/** Written on a side table once its backfill is complete. */
const BACKFILLED = 'appwarden: backfilled from activities';

/**
 * Creates a side table and its view; on a folder that already holds activities, fills it from them
 * once. The table is marked only after the backfill completes, so a start interrupted in the middle
 * (a crash, a kill) backfills again at the next start; that is safe, since a row copied twice is the
 * same row of a ReplacingMergeTree, and reads ask only whether a key is there.
 */
async function ensureSideTable(ch: ClickHouse, existing: Map<string, Set<string>>, side: SideTable): Promise<void> {
  await ch.exec(side.ddl);
  await ch.exec(side.viewDdl);
  const [row] = await ch.query<{ comment: string }>(
    'SELECT comment FROM system.tables WHERE database = currentDatabase() AND name = {table:String}', { table: side.table },
  );
  if (row?.comment === BACKFILLED) return;
  if (existing.has('activities')) await ch.exec(side.backfill);
  await ch.exec(`ALTER TABLE ${side.table} MODIFY COMMENT '${BACKFILLED}'`);
}

/** The same on a cluster: replicated local tables, Distributed tables over them (see `cluster.ts`). */
async function ensureClusterTables(ch: ClickHouse, existing: Map<string, Set<string>>, cluster: ClusterTarget, options: TableOptions): Promise<void> {
  for (const table of CATALOGUE) {
    const have = existing.get(table.name);
    const statements = have
      ? [...clusterAddColumns(table, have, cluster), ...clusterUpgradeLocal(table, await existingIndexes(ch, localName(table.name)), cluster)]
      : clusterTableDdl(table, cluster, options);
    for (const statement of statements) await ch.exec(statement);
  }
  if (!existing.has(ACTIVITY_VERSIONS.table)) for (const statement of clusterVersionsDdl(cluster)) await ch.exec(statement);
  if (!existing.has(ACTIVITY_SUBJECTS.table)) for (const statement of clusterSubjectsDdl(cluster, options)) await ch.exec(statement);
}

/**
 * Creates `table`, or brings an existing one (`columns` it has) up to its catalogue: missing columns
 * are added after their predecessor, missing skipping indexes added and built for the old parts,
 * its merge settings set.
 */
export async function migrateTable(ch: ClickHouse, table: CatalogueTable<never>, columns?: ReadonlySet<string>, options: TableOptions = {}): Promise<void> {
  const have = columns ?? (await existingColumns(ch)).get(table.name);
  if (!have) {
    await ch.exec(table.ddl(options));
    return;
  }
  for (const statement of table.addColumnStatements(have)) await ch.exec(statement);
  // Metadata only: merges from now on follow it.
  if (table.spec.mergeSettings) await ch.exec(`ALTER TABLE ${table.name} MODIFY SETTING ${table.spec.mergeSettings}`);
  const indexes = await existingIndexes(ch, table.name);
  for (const index of table.indexes()) {
    if (indexes.has(index.name)) continue;
    await ch.exec(`ALTER TABLE ${table.name} ADD INDEX IF NOT EXISTS ${index.definition}`);
    // A mutation the engine runs in the background: parts written before get the index too.
    await ch.exec(`ALTER TABLE ${table.name} MATERIALIZE INDEX ${index.name}`);
  }
}

async function existingColumns(ch: ClickHouse): Promise<Map<string, Set<string>>> {
  const rows = await ch.query<{ table: string; name: string }>(
    'SELECT table, name FROM system.columns WHERE database = currentDatabase()',
  );
  const out = new Map<string, Set<string>>();
  for (const { table, name } of rows) {
    let set = out.get(table);
    if (!set) out.set(table, (set = new Set()));
    set.add(name);
  }
  return out;
}

async function existingIndexes(ch: ClickHouse, table: string): Promise<Set<string>> {
  const rows = await ch.query<{ name: string }>(
    'SELECT name FROM system.data_skipping_indices WHERE database = currentDatabase() AND table = {table:String}', { table },
  );
  return new Set(rows.map((r) => r.name));
}
