/**
 * The SCIM-like filter expressions Okta accepts in `filter` and `search`, e.g.
 * `eventType eq "user.session.start" and (outcome.result eq "FAILURE" or severity eq "WARN")`.
 * Operators: eq ne co sw ew gt ge lt le pr, combined with and, or, not and parentheses.
 */
export type FilterExpression =
  | { op: 'and' | 'or'; left: FilterExpression; right: FilterExpression }
  | { op: 'not'; expression: FilterExpression }
  | { op: 'pr'; attribute: string }
  | { op: Comparison; attribute: string; value: string | number | boolean | null };

type Comparison = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
const COMPARISONS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);

export class FilterSyntaxError extends Error {
  override name = 'FilterSyntaxError';
}

type Token = { type: 'word'; text: string } | { type: 'string'; text: string } | { type: '(' | ')' };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n') {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ type: c });
      i++;
    } else if (c === '"') {
      let value = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i];
        i++;
      }
      if (i >= text.length) throw new FilterSyntaxError('a string is not closed');
      tokens.push({ type: 'string', text: value });
      i++;
    } else {
      const start = i;
      while (i < text.length && !' \t\n()"'.includes(text[i]!)) i++;
      tokens.push({ type: 'word', text: text.slice(start, i) });
    }
  }
  return tokens;
}

/** Parses an expression; throws `FilterSyntaxError` saying what is wrong. */
export function parseFilter(text: string): FilterExpression {
  const tokens = tokenize(text);
  let pos = 0;
  const peekWord = () => {
    const t = tokens[pos];
    return t?.type === 'word' ? t.text.toLowerCase() : undefined;
  };

  const parseOr = (): FilterExpression => {
    let left = parseAnd();
    while (peekWord() === 'or') {
      pos++;
      left = { op: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): FilterExpression => {
    let left = parseUnary();
    while (peekWord() === 'and') {
      pos++;
      left = { op: 'and', left, right: parseUnary() };
    }
    return left;
  };
  const parseUnary = (): FilterExpression => {
    const token = tokens[pos];
    if (!token) throw new FilterSyntaxError('the expression ends too early');
    if (token.type === '(') {
      pos++;
      const inner = parseOr();
      if (tokens[pos]?.type !== ')') throw new FilterSyntaxError('a parenthesis is not closed');
      pos++;
      return inner;
    }
    if (peekWord() === 'not') {
      pos++;
      return { op: 'not', expression: parseUnary() };
    }
    if (token.type !== 'word' || !/^[A-Za-z_][\w.$-]*$/.test(token.text)) throw new FilterSyntaxError(`an attribute name is expected at token ${pos + 1}`);
    const attribute = token.text;
    const operator = tokens[pos + 1];
    if (operator?.type !== 'word') throw new FilterSyntaxError(`an operator is expected after ${attribute}`);
    const op = operator.text.toLowerCase();
    if (op === 'pr') {
      pos += 2;
      return { op: 'pr', attribute };
    }
    if (!COMPARISONS.has(op)) throw new FilterSyntaxError(`unknown operator ${operator.text}`);
    const operand = tokens[pos + 2];
    if (!operand || (operand.type !== 'word' && operand.type !== 'string')) throw new FilterSyntaxError(`a value is expected after ${attribute} ${op}`);
    pos += 3;
    return { op: op as Comparison, attribute, value: operandValue(operand) };
  };

  const expression = parseOr();
  if (pos !== tokens.length) throw new FilterSyntaxError(`unexpected text at token ${pos + 1}`);
  return expression;
}

function operandValue(token: { type: 'word' | 'string'; text: string }): string | number | boolean | null {
  if (token.type === 'string') return token.text;
  const word = token.text.toLowerCase();
  if (word === 'true') return true;
  if (word === 'false') return false;
  if (word === 'null') return null;
  const n = Number(token.text);
  if (token.text !== '' && Number.isFinite(n)) return n;
  throw new FilterSyntaxError(`${token.text} is not a value (strings need double quotes)`);
}

/**
 * Evaluates an expression; `read(attribute)` returns the attribute's values (several when the path
 * crosses an array, as `target.id` does), and a comparison holds when any value satisfies it.
 */
export function matchesFilter(expression: FilterExpression, read: (attribute: string) => readonly unknown[]): boolean {
  switch (expression.op) {
    case 'and':
      return matchesFilter(expression.left, read) && matchesFilter(expression.right, read);
    case 'or':
      return matchesFilter(expression.left, read) || matchesFilter(expression.right, read);
    case 'not':
      return !matchesFilter(expression.expression, read);
    case 'pr':
      return read(expression.attribute).some((v) => v !== null && v !== undefined && v !== '');
    default: {
      const { op, value } = expression;
      const values = read(expression.attribute);
      if (op === 'ne') return !values.some((v) => compare(v, 'eq', value));
      return values.some((v) => compare(v, op, value));
    }
  }
}

function compare(actual: unknown, op: Comparison, expected: string | number | boolean | null): boolean {
  if (expected === null) return op === 'eq' ? actual === null || actual === undefined : false;
  if (actual === null || actual === undefined) return false;
  if (typeof expected !== 'string') {
    const a = typeof expected === 'number' ? Number(actual) : actual;
    switch (op) {
      case 'eq': return a === expected;
      case 'gt': return a > expected;
      case 'ge': return a >= expected;
      case 'lt': return a < expected;
      case 'le': return a <= expected;
      default: return false;
    }
  }
  // SCIM compares strings without regard to case.
  const a = String(actual).toLowerCase();
  const b = expected.toLowerCase();
  switch (op) {
    case 'eq': return a === b;
    case 'co': return a.includes(b);
    case 'sw': return a.startsWith(b);
    case 'ew': return a.endsWith(b);
    case 'gt': return a > b;
    case 'ge': return a >= b;
    case 'lt': return a < b;
    case 'le': return a <= b;
    default: return false;
  }
}

/** The values at a dotted path in a JSON object, crossing arrays (`target.id` → every target's id). */
export function readPath(value: unknown, path: string): unknown[] {
  let current: unknown[] = [value];
  for (const key of path.split('.')) {
    const next: unknown[] = [];
    for (const item of current) {
      const items = Array.isArray(item) ? item : [item];
      for (const element of items) {
        if (element !== null && typeof element === 'object' && key in element) next.push((element as Record<string, unknown>)[key]);
      }
    }
    current = next;
  }
  return current.flatMap((v) => (Array.isArray(v) ? v : [v]));
}
