/**
 * The subset of ServiceNow's encoded queries the simulator understands: conditions joined by `^`
 * (AND), `^OR` (OR with the previous condition) and `^NQ` (a new query, OR'ed with the others);
 * operators `=`, `!=`, `>`, `>=`, `<`, `<=`, `IN`, `NOT IN`, `STARTSWITH`, `ENDSWITH`, `LIKE`,
 * `NOT LIKE`, `ISEMPTY`, `ISNOTEMPTY`; `ORDERBY<col>` and `ORDERBYDESC<col>`. Date-time values are
 * read in the instance's zone (`YYYY-MM-DD HH:MM:SS`, or `javascript:gs.dateGenerate('date','time')`).
 * As ServiceNow does, a condition on an unknown column or with an unknown operator is invalid: it is
 * ignored, or (with `glide.invalid_query.returns_no_rows`) the query returns no rows.
 */
import { isoTime } from '../../ingestors/runtime/provider-time.js';
import type { Row } from './tables.js';

const OPERATORS = ['ISNOTEMPTY', 'ISEMPTY', 'NOT IN', 'NOT LIKE', 'STARTSWITH', 'ENDSWITH', 'LIKE', 'IN', '!=', '>=', '<=', '>', '<', '='] as const;
type Operator = (typeof OPERATORS)[number];

interface Condition { field: string; op: Operator; value: string }
/** A query: OR of groups; a group is AND of clauses; a clause is OR of conditions. */
export interface EncodedQuery {
  groups: Condition[][][];
  orderBy: Array<{ field: string; desc: boolean }>;
  /** The parts that were not understood (unknown column, operator or syntax). */
  invalid: string[];
}

function parseCondition(text: string, columns: ReadonlySet<string>): Condition | null {
  const m = /^([a-z_][a-z0-9_]*)(.*)$/s.exec(text);
  if (!m) return null;
  const [, field, rest] = m as unknown as [string, string, string];
  const op = OPERATORS.find((o) => rest.startsWith(o));
  if (!op || !columns.has(field)) return null;
  return { field, op, value: rest.slice(op.length) };
}

export function parseEncodedQuery(query: string, columns: ReadonlySet<string>): EncodedQuery {
  const parsed: EncodedQuery = { groups: [], orderBy: [], invalid: [] };
  for (const part of query.split('^NQ')) {
    const group: Condition[][] = [];
    for (const token of part.split('^')) {
      if (token === '' || token === 'EQ') continue;
      if (token.startsWith('ORDERBYDESC') || token.startsWith('ORDERBY')) {
        const desc = token.startsWith('ORDERBYDESC');
        const field = token.slice(desc ? 'ORDERBYDESC'.length : 'ORDERBY'.length);
        if (columns.has(field)) parsed.orderBy.push({ field, desc });
        else parsed.invalid.push(token);
        continue;
      }
      const or = token.startsWith('OR') && group.length > 0;
      const condition = parseCondition(or ? token.slice(2) : token, columns);
      if (condition === null) {
        parsed.invalid.push(token);
        continue;
      }
      if (or) group[group.length - 1]!.push(condition);
      else group.push([condition]);
    }
    parsed.groups.push(group);
  }
  return parsed;
}

const DATE_GENERATE = /^javascript:gs\.dateGenerate\('(\d{4}-\d{2}-\d{2})',\s*'(\d{2}:\d{2}:\d{2})'\)$/;

/** A query value as epoch ms when it is a date-time in the instance's zone, else null. */
function timeValue(value: string, zone: string): number | null {
  const generated = DATE_GENERATE.exec(value);
  return isoTime(generated ? `${generated[1]} ${generated[2]}` : value, { zone });
}

function compare(actual: string | number, c: Condition, zone: string): boolean {
  if (c.op === 'ISEMPTY') return actual === '';
  if (c.op === 'ISNOTEMPTY') return actual !== '';
  if (c.op === 'IN' || c.op === 'NOT IN') return c.value.split(',').includes(String(actual)) === (c.op === 'IN');
  if (c.op === 'STARTSWITH') return String(actual).toLowerCase().startsWith(c.value.toLowerCase());
  if (c.op === 'ENDSWITH') return String(actual).toLowerCase().endsWith(c.value.toLowerCase());
  if (c.op === 'LIKE' || c.op === 'NOT LIKE') return String(actual).toLowerCase().includes(c.value.toLowerCase()) === (c.op === 'LIKE');
  let a: string | number = actual;
  let b: string | number = c.value;
  if (typeof actual === 'number') {
    const t = timeValue(c.value, zone);
    if (t === null) return false;
    b = t;
  } else if (actual === '' && /[<>]/.test(c.op)) {
    return false;
  }
  if (typeof a === 'string' && typeof b === 'string' && /^-?\d+(\.\d+)?$/.test(a) && /^-?\d+(\.\d+)?$/.test(b)) {
    a = Number(a);
    b = Number(b);
  }
  switch (c.op) {
    case '=': return a === b;
    case '!=': return a !== b;
    case '>': return a > b;
    case '>=': return a >= b;
    case '<': return a < b;
    case '<=': return a <= b;
  }
  return false;
}

/** The rows the query selects, in its order (`rows` stay in their order where it says none). */
export function runQuery(rows: readonly Row[], query: EncodedQuery, zone: string, invalidReturnsNoRows: boolean): Row[] {
  if (query.invalid.length > 0 && invalidReturnsNoRows) return [];
  const value = (row: Row, field: string) => row[field] ?? '';
  const matches = (row: Row) => query.groups.length === 0
    || query.groups.some((group) => group.every((clause) => clause.some((c) => compare(value(row, c.field), c, zone))));
  const selected = rows.filter(matches);
  if (query.orderBy.length === 0) return selected;
  return selected.sort((x, y) => {
    for (const { field, desc } of query.orderBy) {
      const a = value(x, field);
      const b = value(y, field);
      if (a === b) continue;
      const less = typeof a === 'number' && typeof b === 'number' ? a < b : String(a) < String(b);
      return (less ? -1 : 1) * (desc ? -1 : 1);
    }
    return 0;
  });
}
