import type { TObject } from 'typebox';
import type { RecordEncoder } from '../../../core/clickhouse.js';
import type { RowBinaryWriter } from '../../../core/row-binary-writer.js';
import { column, type Column, type ColumnSpec } from './column.js';
import { buildTree, readObject, schemaOf, type ObjectNode } from './row-tree.js';

export interface TableOptions {
  /** Activities older than this are dropped by the engine (a TTL set at creation). */
  retentionDays?: number;
}

export interface TableSpec<R> {
  name: string;
  columns: ReadonlyArray<ColumnSpec<R>>;
  /** Data-skipping indexes: `name expression TYPE … GRANULARITY n`. */
  indexes?: readonly string[];
  engine: string;
  partitionBy?: string;
  orderBy: string;
  ttl?: (options: TableOptions) => string | null;
  settings?: string;
  /** Settings of the background merges: in the DDL, and set on an existing table at start (`MODIFY SETTING`). */
  mergeSettings?: string;
  /** Engine settings of every insert (e.g. skip indexes built by merges rather than on insert). */
  insertSettings?: Readonly<Record<string, number>>;
  /** What a cluster shards rows by: the row's identity, so that every version of one row lands on one shard. Default: `orderBy`. */
  shardBy?: string;
}

/** Where a table is made on a cluster: `ON CLUSTER` and the engine that replaces the spec's. */
export interface ClusterPlacement {
  /** The cluster, as a quoted literal or an identifier. */
  onCluster: string;
  engine: string;
  /** Settings added to the spec's. */
  settings?: string;
}

export class CatalogueTable<R> implements RecordEncoder<R> {
  readonly name: string;
  readonly columns: readonly Column<R>[];
  /** The columns an insert writes, in table order. */
  readonly insertColumns: readonly string[];
  readonly insertSettings: Readonly<Record<string, number>> | undefined;
  private readonly written: readonly Column<R>[];
  private readonly tree: ObjectNode;

  constructor(readonly spec: TableSpec<R>) {
    this.name = spec.name;
    this.columns = spec.columns.map((c) => column(c));
    this.written = this.columns.filter((c) => c.fill !== null);
    this.insertColumns = this.written.map((c) => c.name);
    this.insertSettings = spec.insertSettings;
    this.tree = buildTree(this.columns as readonly Column<unknown>[]);
  }

  /** `CREATE TABLE IF NOT EXISTS …` for `name` (a distributed deployment passes its local table name). */
  ddl(options: TableOptions = {}, name = this.name, cluster?: ClusterPlacement): string {
    const lines = [...this.columns.map((c) => `  ${columnDdl(c.spec)}`), ...(this.spec.indexes ?? []).map((i) => `  INDEX ${i}`)];
    const ttl = this.spec.ttl?.(options) ?? null;
    const settings = [this.spec.settings, this.spec.mergeSettings, cluster?.settings].filter(Boolean).join(', ');
    return [
      `CREATE TABLE IF NOT EXISTS ${name}${cluster ? ` ON CLUSTER ${cluster.onCluster}` : ''} (\n${lines.join(',\n')}\n)`,
      `ENGINE = ${cluster?.engine ?? this.spec.engine}`,
      ...(this.spec.partitionBy ? [`PARTITION BY ${this.spec.partitionBy}`] : []),
      `ORDER BY ${this.spec.orderBy}`,
      ...(ttl ? [`TTL ${ttl}`] : []),
      ...(settings ? [`SETTINGS ${settings}`] : []),
    ].join('\n');
  }

  /** `ALTER TABLE … ADD COLUMN` for each catalogue column the existing table lacks, each after its predecessor. */
  addColumnStatements(existing: ReadonlySet<string>, name = this.name, onCluster?: string): string[] {
    const out: string[] = [];
    this.columns.forEach((c, i) => {
      if (existing.has(c.name)) return;
      const after = i === 0 ? ' FIRST' : ` AFTER ${this.columns[i - 1]!.name}`;
      out.push(`ALTER TABLE ${name}${onCluster ? ` ON CLUSTER ${onCluster}` : ''} ADD COLUMN IF NOT EXISTS ${columnDdl(c.spec)}${after}`);
    });
    return out;
  }

  /** Names of the data-skipping indexes, with their definitions. */
  indexes(): Array<{ name: string; definition: string }> {
    return (this.spec.indexes ?? []).map((definition) => ({ name: definition.split(/\s+/, 1)[0]!, definition }));
  }

  /** The record as a JSONEachRow row (date-times as `'YYYY-MM-DD hh:mm:ss.sss'` UTC). */
  toJsonRow(record: R): Record<string, unknown> {
    const row: Record<string, unknown> = {};
    for (const c of this.written) {
      const v = c.fill!(record);
      row[c.name] = c.json ? c.json(v) : v;
    }
    return row;
  }

  /** Appends the record as one RowBinary row of `insertColumns`. */
  writeRowBinary(w: RowBinaryWriter, record: R): void {
    const cols = this.written;
    for (let i = 0; i < cols.length; i++) {
      const c = cols[i]!;
      c.write!(w, c.fill!(record));
    }
  }

  /** What to SELECT to rebuild records with `toRecord`. */
  recordColumns(): string {
    return this.columns.filter((c) => c.steps !== null && c.spec.materialized === undefined).map((c) => c.name).join(', ');
  }

  /** What to SELECT for the API's answer; `optional` names the optional columns asked for (e.g. raw). */
  apiColumns(optional: readonly string[] = []): string {
    return this.columns.filter((c) => c.steps !== null && included(c.spec, optional)).map((c) => c.name).join(', ');
  }

  /** The record a stored row (as `ClickHouse.query` answers it) was written from. */
  toRecord(row: Record<string, unknown>): R {
    return readObject(this.tree, row, undefined, 'record') as R;
  }

  /** The API's shape of a stored row selected with `apiColumns`. */
  toApi(row: Record<string, unknown>): Record<string, unknown> {
    return readObject(this.tree, row, undefined, 'api') as Record<string, unknown>;
  }

  /** The API's JSON schema of one item, derived from the same lines. */
  apiSchema(): TObject {
    return schemaOf(this.tree) as TObject;
  }
}

export function defineTable<R>(spec: TableSpec<R>): CatalogueTable<R> {
  return new CatalogueTable(spec);
}

function included(spec: Pick<ColumnSpec<unknown>, 'api' | 'name'>, optional: readonly string[]): boolean {
  if (spec.api === false) return false;
  return spec.api === 'optional' ? optional.includes(spec.name) : true;
}

function columnDdl(spec: Pick<ColumnSpec<unknown>, 'name' | 'type' | 'materialized' | 'codec'>): string {
  return `${spec.name} ${spec.type}${spec.materialized ? ` MATERIALIZED ${spec.materialized}` : ''}${spec.codec ? ` CODEC(${spec.codec})` : ''}`;
}

