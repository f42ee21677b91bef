import Type, { type TSchema } from 'typebox';
import { apiSchema, apiValue, recordValue } from './ch-types.js';
import type { Column } from './column.js';

/**
 * The columns arranged by their paths, as the record's nested shape: a stored row is read back
 * through it into a record or the API's answer, and the API's schema is derived from it.
 */
type Node =
  | { kind: 'leaf'; column: Column<unknown> }
  | { kind: 'object'; nullable: boolean; children: Map<string, Node> }
  | { kind: 'array'; element: Extract<Node, { kind: 'object' }> };

export type ObjectNode = Extract<Node, { kind: 'object' }>;
type Mode = 'record' | 'api';

/** The tree of the columns that have a path and are stored (not materialized). */
export function buildTree(columns: readonly Column<unknown>[]): ObjectNode {
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

/** A stored row read back along the tree (`index`: the element of fanned-out arrays); null for a null object. */
export function readObject(node: ObjectNode, row: Record<string, unknown>, index: number | undefined, mode: Mode): Record<string, unknown> | null {
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

/** The API's JSON schema of the tree. */
export function schemaOf(node: ObjectNode): TSchema {
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
