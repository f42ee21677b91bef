/**
 * `--explain` of the analyst bench: the statements the API ran for a request, and what the engine's
 * indexes made of them (`EXPLAIN indexes = 1`: granules kept of those in the range, index by index).
 */
import type { ClickHouse } from '../core/clickhouse.js';

/** The headings of `EXPLAIN indexes = 1`'s steps (a skip index is then named by its `Name:` line). */
const INDEX_KINDS = new Set(['Min-Max', 'Partition', 'PrimaryKey', 'Skip', 'PrimaryKeyExpand']);

export interface Statement {
  sql: string;
  params: Record<string, unknown> | undefined;
}

/** `clickhouse`, with every query and stream it runs appended to `seen` (as sent, params apart). */
export function recording(clickhouse: ClickHouse, seen: Statement[]): ClickHouse {
  return {
    kind: clickhouse.kind,
    database: clickhouse.database,
    exec: (sql, params) => clickhouse.exec(sql, params),
    query: (sql, params, options) => {
      seen.push({ sql, params });
      return clickhouse.query(sql, params, options);
    },
    insert: (table, rows, options) => clickhouse.insert(table, rows, options),
    insertRecords: (table, records, encoder, options) => clickhouse.insertRecords(table, records, encoder, options),
    insertBlock: (table, block, options) => clickhouse.insertBlock(table, block, options),
    stream: (sql, params, options) => {
      seen.push({ sql, params });
      return clickhouse.stream(sql, params, options);
    },
    table: (name) => clickhouse.table(name),
    close: () => clickhouse.close(),
  };
}

/**
 * One line per statement reading `activities`: granules kept by each step of its index analysis
 * (MinMax of the partition key, Partition, PrimaryKey, each skip index, and under FINAL PrimaryKeyExpand,
 * which takes back every granule sharing key values with those kept), e.g.
 * `PrimaryKey 1502/1502 · idx_src_ip 12/1502`.
 */
export async function explainIndexes(clickhouse: ClickHouse, statements: Statement[]): Promise<string[]> {
  const lines: string[] = [];
  for (const { sql, params } of statements) {
    if (!/\bactivities\b/.test(sql)) continue;
    const plan = await clickhouse.query<{ explain: string }>(`EXPLAIN indexes = 1 ${sql}`, params);
    const steps: string[] = [];
    let label = '';
    for (const { explain } of plan) {
      const text = explain.replace(/^[\s│└├─]+/, '').trimEnd();
      const name = /^Name: (\S+)/.exec(text);
      const granules = /^Granules: (\d+\/\d+)/.exec(text);
      if (INDEX_KINDS.has(text)) label = text;
      if (name) label = name[1]!;
      if (granules) steps.push(`${label} ${granules[1]}`);
    }
    lines.push(steps.length > 0 ? steps.join(' · ') : '(no index analysis: no MergeTree read)');
  }
  return lines;
}
