import { jsonValue, parseChType, type ChType } from './ch-types.js';
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

export interface Step {
  key: string;
  array: boolean;
  nullable: boolean;
}

/** A catalogue line compiled: its parsed type and path, how to read it from a record and write it. */
export interface Column<R> {
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

function parsePath(path: string): Step[] {
  return path.split('.').map((part) => {
    const array = part.endsWith('[]');
    const nullable = part.endsWith('?');
    return { key: array ? part.slice(0, -2) : nullable ? part.slice(0, -1) : part, array, nullable };
  });
}

/** Compiles a catalogue line; a column with neither path, fill nor `materialized` is an error. */
export function column<R>(spec: ColumnSpec<R>): Column<R> {
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

