import Type, { type TObject, type TSchema } from 'typebox';
import { apiSchema, apiValue, jsonValue, parseChType, recordValue, type ChType } from './ch-types.js';
import type { RecordEncoder } from '../../../core/clickhouse.js';
import type { RowBinaryWriter } from '../../../core/row-binary-writer.js';
import { rowBinaryWriter, type ValueWriter } from './row-binary.js';

/**
 * One line of a table's catalogue: everything Appwarden knows about a column. From these lines come
 * the DDL (and the ALTER that adds a new column to an existing table), the rows the sink inserts,
 * the SELECT lists, the mapping of a stored row back into the record or the API's answer, and the
 * API's response schema. Adding a field is adding a line.
 *
 * `path` says where the value lives in the record and where it goes back:
 * - `actor.id` a nested field;
 * - `targets[].id` one field of every element of an array (the column is an Array; the elements are
 *   rebuilt by zipping the columns of the same array);
 * - `owner?.id` a field of an object that may be null (it reads back as null when all its columns are).
 */
export interface ColumnSpec<R> {
  name: string;
  /** The ClickHouse type as written in DDL. */
  type: string;
  path?: string;
  /** A value computed from the record (a column with no path is stored, never read back). */
  fill?: (record: R) => unknown;
  /** false: read back into records only; 'optional': in the API's answer only when asked for (`raw`). */
  api?: boolean | 'optional';
  /** Computed by the engine from other columns; never written. */
  materialized?: string;
  codec?: string;
  /** What the field means, for the API's schema (the OpenAPI document). */
  description?: string;
}

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

interface Step {
  key: string;
  array: boolean;
  nullable: boolean;
}

interface Column<R> {
  readonly spec: ColumnSpec<R>;
  readonly name: string;
  readonly type: ChType;
  /** The type of the value at the path's end (the element type of a fanned-out array). */
  readonly leafType: ChType;
  readonly steps: readonly Step[] | null;
  readonly fill: ((record: R) => unknown) | null;
  readonly write: ValueWriter | null;
  readonly json: ((v: unknown) => unknown) | null;
}

type Node =
  | { kind: 'leaf'; column: Column<unknown> }
  | { kind: 'object'; nullable: boolean; children: Map<string, Node> }
  | { kind: 'array'; element: Extract<Node, { kind: 'object' }> };

type ObjectNode = Extract<Node, { kind: 'object' }>;
type Mode = 'record' | 'api';

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

function parsePath(path: string): Step[] {
  return path.split('.').map((part) => {
    const array = part.endsWith('[]');
    const nullable = part.endsWith('?');
    return { key: array ? part.slice(0, -2) : nullable ? part.slice(0, -1) : part, array, nullable };
  });
}

function column<R>(spec: ColumnSpec<R>): Column<R> {
  const type = parseChType(spec.type);
  const steps = spec.path === undefined ? null : parsePath(spec.path);
  const fanned = steps?.some((s) => s.array) ?? false;
  const leafType = fanned && type.kind === 'array' ? type.of : type;
  const fill = spec.materialized !== undefined ? null : spec.fill ?? (steps ? pathReader<R>(steps) : null);
  if (spec.materialized === undefined && !fill) throw new Error(`catalogue column ${spec.name}: a path or a fill`);
  return {
    spec, name: spec.name, type, leafType, steps, fill,
    write: fill ? rowBinaryWriter(type) : null,
    json: jsonValue(type),
  };
}

/** Reads the path's value from a record; a fanned-out path gives an array, a null object gives null. */
function pathReader<R>(steps: readonly Step[]): (record: R) => unknown {
  const walk = (value: unknown, from: number): unknown => {
    let v = value;
    for (let i = from; i < steps.length; i++) {
      const step = steps[i]!;
      v = (v as Record<string, unknown>)[step.key];
      if (step.array) return (v as unknown[]).map((item) => walk(item, i + 1));
      if (v === null || v === undefined) return null;
    }
    return v;
  };
  if (steps.length === 1 && !steps[0]!.array) {
    const key = steps[0]!.key;
    return (record) => (record as Record<string, unknown>)[key];
  }
  return (record) => walk(record, 0);
}

function buildTree(columns: readonly Column<unknown>[]): ObjectNode {
  const root: ObjectNode = { kind: 'object', nullable: false, children: new Map() };
  for (const c of columns) {
    if (!c.steps || c.spec.materialized !== undefined) continue;
    let node: ObjectNode = root;
    c.steps.forEach((step, i) => {
      if (i === c.steps!.length - 1) {
        node.children.set(step.key, { kind: 'leaf', column: c });
        return;
      }
      let next = node.children.get(step.key);
      if (!next) {
        const object: ObjectNode = { kind: 'object', nullable: step.nullable, children: new Map() };
        next = step.array ? { kind: 'array', element: object } : object;
        node.children.set(step.key, next);
      }
      node = next.kind === 'array' ? next.element : (next as ObjectNode);
    });
  }
  return root;
}

const converters = new WeakMap<Column<unknown>, Record<Mode, ((v: unknown) => unknown) | null>>();

function convert(c: Column<unknown>, mode: Mode): ((v: unknown) => unknown) | null {
  let entry = converters.get(c);
  if (!entry) converters.set(c, (entry = { record: recordValue(c.leafType), api: apiValue(c.leafType) }));
  return entry[mode];
}

function readObject(node: ObjectNode, row: Record<string, unknown>, index: number | undefined, mode: Mode): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  let allNull = true;
  for (const [key, child] of node.children) {
    let v: unknown;
    if (child.kind === 'leaf') {
      const { spec } = child.column;
      if (mode === 'api' && spec.api === false) continue;
      v = row[spec.name];
      if (v === undefined) {
        if (spec.api === 'optional' || mode === 'api') continue;
        v = null;
      }
      if (index !== undefined) v = (v as unknown[] | null)?.[index] ?? null;
      const f = convert(child.column, mode);
      if (f && v !== null) v = f(v);
    } else if (child.kind === 'object') {
      v = readObject(child, row, index, mode);
    } else {
      const first = firstLeaf(child.element);
      const length = (row[first.name] as unknown[] | undefined)?.length ?? 0;
      const items = new Array(length);
      for (let i = 0; i < length; i++) items[i] = readObject(child.element, row, i, mode);
      v = items;
    }
    // An absent object stores null columns and empty arrays (an app grant's scopes).
    if (v !== null && !(child.kind === 'leaf' && Array.isArray(v) && v.length === 0)) allNull = false;
    out[key] = v;
  }
  return node.nullable && allNull ? null : out;
}

function firstLeaf(node: ObjectNode): Column<unknown> {
  for (const child of node.children.values()) {
    if (child.kind === 'leaf') return child.column;
  }
  throw new Error('an array of objects without a column');
}

function schemaOf(node: ObjectNode): TSchema {
  const properties: Record<string, TSchema> = {};
  for (const [key, child] of node.children) {
    if (child.kind === 'leaf') {
      const { spec } = child.column;
      if (spec.api === false) continue;
      const schema = apiSchema(child.column.leafType);
      if (spec.description !== undefined) Object.assign(schema, { description: spec.description });
      properties[key] = spec.api === 'optional' ? Type.Optional(schema) : schema;
    } else if (child.kind === 'object') {
      properties[key] = schemaOf(child);
    } else {
      properties[key] = Type.Array(schemaOf(child.element));
    }
  }
  const object = Type.Object(properties);
  return node.nullable ? Type.Union([object, Type.Null()]) : object;
}
