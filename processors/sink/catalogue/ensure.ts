import type { ClickHouse } from '../../../core/clickhouse.js';
import { AppwardenError } from '../../../core/errors.js';
import { CATALOGUE } from './index.js';
import type { TableOptions } from './table.js';
import { ACTIVITY_VERSIONS } from './versions.js';

/**
 * Creates the trail's tables when missing and brings an existing data folder up to the catalogue:
 * a column the catalogue has and the table lacks is added (`ALTER TABLE … ADD COLUMN`, old rows
 * read its default), a missing data-skipping index is added and built for the existing parts.
 * Safe to call at every start, on either backend.
 */
export async function ensureTables(ch: ClickHouse, options: TableOptions = {}): Promise<void> {
  const { retentionDays } = options;
  if (retentionDays !== undefined && !(Number.isInteger(retentionDays) && retentionDays > 0)) {
    throw new AppwardenError('AW_CONFIG_INVALID', `retentionDays must be a positive integer, got ${retentionDays}`);
  }
  const existing = await existingColumns(ch);
  for (const table of CATALOGUE) {
    const columns = existing.get(table.name);
    if (!columns) {
      await ch.exec(table.ddl(options));
      continue;
    }
    for (const statement of table.addColumnStatements(columns)) await ch.exec(statement);
    const indexes = await existingIndexes(ch, table.name);
    for (const index of table.indexes()) {
      if (indexes.has(index.name)) continue;
      await ch.exec(`ALTER TABLE ${table.name} ADD INDEX IF NOT EXISTS ${index.definition}`);
      // A mutation the engine runs in the background: parts written before get the index too.
      await ch.exec(`ALTER TABLE ${table.name} MATERIALIZE INDEX ${index.name}`);
    }
  }
  const versionsIsNew = !existing.has(ACTIVITY_VERSIONS.table);
  await ch.exec(ACTIVITY_VERSIONS.ddl);
  await ch.exec(ACTIVITY_VERSIONS.viewDdl);
  // A folder from before the versions table: its rows get their versions once (the view adds later ones).
  if (versionsIsNew && existing.has('activities')) await ch.exec(ACTIVITY_VERSIONS.backfill);
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
