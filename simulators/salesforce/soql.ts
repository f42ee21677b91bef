/**
 * A small SOQL parser and evaluator for the subset the connector sends:
 *   SELECT f, Rel.f FROM Object [WHERE c AND c ...] [ORDER BY f [ASC|DESC], ...] [LIMIT n]
 * where c is `f op literal` (op: = != < <= > >=) or `f IN (literal, ...)`, a literal being a quoted
 * string, a datetime (2024-05-01T12:00:00Z), a number, true, false or null. Anything else is refused
 * as Salesforce refuses it: MALFORMED_QUERY.
 */
export type Literal = string | number | boolean | null | { datetime: number };

export interface Condition {
  field: string;
  op: '=' | '!=' | '<' | '<=' | '>' | '>=' | 'IN';
  value: Literal | Literal[];
}

export interface SoqlQuery {
  fields: string[];
  object: string;
  where: Condition[];
  orderBy: Array<{ field: string; desc: boolean }>;
  limit: number | null;
}

export class SoqlError extends Error {
  constructor(readonly errorCode: 'MALFORMED_QUERY' | 'INVALID_FIELD' | 'INVALID_TYPE', message: string) {
    super(message);
  }
}

const TOKEN = /\s*(?:('(?:[^'\\]|\\.)*')|(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2}))|(-?\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_.]*)|(!=|<=|>=|[=<>(),]))/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (!m) throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${text.slice(at).trim().split(/\s/)[0]}'`);
    tokens.push(m[0].trim());
    at = TOKEN.lastIndex;
  }
  return tokens;
}

function literal(token: string | undefined): Literal {
  if (token === undefined) throw new SoqlError('MALFORMED_QUERY', 'unexpected end of query');
  if (token.startsWith("'")) return token.slice(1, -1).replace(/\\(.)/g, '$1');
  if (/^\d{4}-\d{2}-\d{2}T/.test(token)) return { datetime: Date.parse(token.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) };
  if (/^-?\d/.test(token)) return Number(token);
  const word = token.toLowerCase();
  if (word === 'true') return true;
  if (word === 'false') return false;
  if (word === 'null') return null;
  throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${token}'`);
}

export function parseSoql(text: string): SoqlQuery {
  const t = tokenize(text);
  let i = 0;
  const peek = () => t[i]?.toUpperCase();
  const expect = (word: string) => {
    if (peek() !== word) throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${t[i] ?? 'end of query'}', expecting ${word}`);
    i++;
  };
  const name = () => {
    const token = t[i++];
    if (token === undefined || !/^[A-Za-z_][A-Za-z0-9_.]*$/.test(token)) throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${token ?? 'end of query'}'`);
    return token;
  };
  expect('SELECT');
  const fields = [name()];
  while (t[i] === ',') {
    i++;
    fields.push(name());
  }
  expect('FROM');
  const object = name();
  const where: Condition[] = [];
  if (peek() === 'WHERE') {
    i++;
    for (;;) {
      const field = name();
      const op = t[i++]?.toUpperCase();
      if (op === 'IN') {
        expect('(');
        const values = [literal(t[i++])];
        while (t[i] === ',') {
          i++;
          values.push(literal(t[i++]));
        }
        expect(')');
        where.push({ field, op: 'IN', value: values });
      } else if (op === '=' || op === '!=' || op === '<' || op === '<=' || op === '>' || op === '>=') {
        where.push({ field, op, value: literal(t[i++]) });
      } else {
        throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${op ?? 'end of query'}'`);
      }
      if (peek() !== 'AND') break;
      i++;
    }
  }
  const orderBy: SoqlQuery['orderBy'] = [];
  if (peek() === 'ORDER') {
    i++;
    expect('BY');
    for (;;) {
      const field = name();
      let desc = false;
      if (peek() === 'ASC' || peek() === 'DESC') desc = t[i++]!.toUpperCase() === 'DESC';
      orderBy.push({ field, desc });
      if (t[i] !== ',') break;
      i++;
    }
  }
  let limit: number | null = null;
  if (peek() === 'LIMIT') {
    i++;
    const n = literal(t[i++]);
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new SoqlError('MALFORMED_QUERY', 'LIMIT must be a non-negative integer');
    limit = n;
  }
  if (i < t.length) throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${t[i]}'`);
  return { fields, object, where, orderBy, limit };
}

type Row = Record<string, unknown>;

/** A row's value at a dotted path (`Profile.Name`). */
export function valueAt(row: Row, path: string): unknown {
  let value: unknown = row;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return null;
    value = (value as Row)[part];
  }
  return value;
}

function comparable(value: unknown, against: Literal): number | string | boolean | null {
  if (against !== null && typeof against === 'object') return typeof value === 'string' ? Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : null;
  return value as number | string | boolean | null;
}

function literalValue(l: Literal): number | string | boolean | null {
  return l !== null && typeof l === 'object' ? l.datetime : l;
}

function matches(row: Row, c: Condition): boolean {
  // A record a test injected with a broken time field sorts by the time it was given (`@sortTime`).
  const sortTime = row['@sortTime'];
  const datetime = c.op !== 'IN' && c.value !== null && typeof c.value === 'object';
  if (datetime && typeof sortTime === 'number') return matches({ [c.field]: new Date(sortTime).toISOString() }, c);
  const raw = valueAt(row, c.field);
  if (c.op === 'IN') return (c.value as Literal[]).some((v) => comparable(raw, v) === literalValue(v));
  const value = comparable(raw, c.value as Literal);
  const want = literalValue(c.value as Literal);
  switch (c.op) {
    case '=': return value === want;
    case '!=': return value !== want;
    default: {
      if (value === null || want === null) return false;
      if (c.op === '<') return value < want;
      if (c.op === '<=') return value <= want;
      if (c.op === '>') return value > want;
      return value >= want;
    }
  }
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  return (a as string | number) < (b as string | number) ? -1 : 1;
}

/** The rows a query selects, ordered and limited (not yet projected). */
export function runSoql(query: SoqlQuery, rows: readonly Row[]): Row[] {
  const out = rows.filter((row) => query.where.every((c) => matches(row, c)));
  if (query.orderBy.length > 0) {
    out.sort((a, b) => {
      for (const { field, desc } of query.orderBy) {
        const d = compare(valueAt(a, field), valueAt(b, field));
        if (d !== 0) return desc ? -d : d;
      }
      return 0;
    });
  }
  return query.limit === null ? out : out.slice(0, query.limit);
}

/** A selected row as the REST API returns it: `attributes`, then each field, relationship fields nested. */
export function project(row: Row, query: SoqlQuery, url: (type: string, id: string) => string, relationTypes: Record<string, string>): Row {
  const out: Row = { attributes: { type: query.object, url: url(query.object, String(row.Id ?? '')) } };
  for (const field of query.fields) {
    const dot = field.indexOf('.');
    if (dot === -1) {
      out[field] = row[field] ?? null;
      continue;
    }
    const relation = field.slice(0, dot);
    const related = row[relation] as Row | null | undefined;
    if (related === null || related === undefined) {
      out[relation] = null;
      continue;
    }
    const nested = (out[relation] ??= { attributes: { type: relationTypes[relation] ?? relation, url: url(relationTypes[relation] ?? relation, String(related.Id ?? '')) } }) as Row;
    nested[field.slice(dot + 1)] = related[field.slice(dot + 1)] ?? null;
  }
  return out;
}
