/**
 * The `condition` of a detection, Sigma's grammar: selection names joined by `and`, `or`, `not` and
 * parentheses (`not` binds tightest, then `and`, then `or`), and the quantifiers `1 of sel*`,
 * `any of sel*`, `all of sel*`, `N of sel*` (at least N) over the selections whose names match a
 * pattern (`*` is a wildcard), or over `them` (every selection).
 */
import { RE2JS } from 're2js';
import { linearRegex } from './values.js';

export type ConditionNode =
  | { type: 'selection'; name: string; column: number }
  | { type: 'not'; operand: ConditionNode }
  | { type: 'and' | 'or'; left: ConditionNode; right: ConditionNode }
  | { type: 'of'; atLeast: number | 'all'; pattern: string; column: number };

/** A syntax error in a condition, with the 1-based column at fault. */
export class ConditionSyntaxError extends Error {
  constructor(message: string, readonly column: number) {
    super(message);
  }
}

interface Token {
  text: string;
  column: number;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'of', 'them', 'all', 'any']);
const WORD = /[A-Za-z0-9_*.-]/;

function tokenize(condition: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < condition.length) {
    const ch = condition[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '(' || ch === ')') {
      tokens.push({ text: ch, column: i + 1 });
      i++;
    } else if (WORD.test(ch)) {
      const start = i;
      while (i < condition.length && WORD.test(condition[i]!)) i++;
      tokens.push({ text: condition.slice(start, i), column: start + 1 });
    } else {
      throw new ConditionSyntaxError(`unexpected \`${ch}\` at column ${i + 1}`, i + 1);
    }
  }
  return tokens;
}

/** Parses a condition; throws ConditionSyntaxError naming the column at fault. */
export function parseCondition(condition: string): ConditionNode {
  const tokens = tokenize(condition);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const keyword = (t: Token | undefined, k: string): boolean => t !== undefined && t.text.toLowerCase() === k;
  const where = (t: Token | undefined): string => (t ? `\`${t.text}\` at column ${t.column}` : 'the end of the condition');
  const columnOf = (t: Token | undefined): number => t?.column ?? condition.length + 1;

  const parseOr = (): ConditionNode => {
    let left = parseAnd();
    while (keyword(peek(), 'or')) {
      pos++;
      left = { type: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): ConditionNode => {
    let left = parseUnary();
    while (keyword(peek(), 'and')) {
      pos++;
      left = { type: 'and', left, right: parseUnary() };
    }
    return left;
  };
  const parseUnary = (): ConditionNode => {
    if (keyword(peek(), 'not')) {
      pos++;
      return { type: 'not', operand: parseUnary() };
    }
    return parsePrimary();
  };
  const parsePrimary = (): ConditionNode => {
    const t = peek();
    if (t === undefined || t.text === ')') {
      throw new ConditionSyntaxError(`expected a selection name, \`not\`, \`(\` or \`1 of\` but found ${where(t)}`, columnOf(t));
    }
    if (t.text === '(') {
      pos++;
      const inner = parseOr();
      const close = peek();
      if (close?.text !== ')') throw new ConditionSyntaxError(`expected \`)\` to close the \`(\` at column ${t.column} but found ${where(close)}`, columnOf(close));
      pos++;
      return inner;
    }
    const lower = t.text.toLowerCase();
    if (/^\d+$/.test(t.text) || lower === 'all' || lower === 'any') {
      pos++;
      if (!keyword(peek(), 'of')) throw new ConditionSyntaxError(`expected \`of\` after \`${t.text}\` but found ${where(peek())}`, columnOf(peek()));
      pos++;
      const target = peek();
      if (target === undefined || target.text === '(' || target.text === ')' || (KEYWORDS.has(target.text.toLowerCase()) && target.text.toLowerCase() !== 'them')) {
        throw new ConditionSyntaxError(`expected \`them\` or a selection name pattern after \`of\` but found ${where(target)}`, columnOf(target));
      }
      pos++;
      const atLeast = lower === 'all' ? 'all' : lower === 'any' ? 1 : Number(t.text);
      if (atLeast === 0) throw new ConditionSyntaxError(`\`0 of\` is always true: use \`1 of\` or \`all of\` (column ${t.column})`, t.column);
      return { type: 'of', atLeast, pattern: target.text.toLowerCase() === 'them' ? '*' : target.text, column: target.column };
    }
    if (KEYWORDS.has(lower)) throw new ConditionSyntaxError(`expected a selection name but found ${where(t)}`, t.column);
    if (t.text.includes('*')) throw new ConditionSyntaxError(`a pattern such as \`${t.text}\` needs a quantifier: \`1 of ${t.text}\` or \`all of ${t.text}\` (column ${t.column})`, t.column);
    pos++;
    return { type: 'selection', name: t.text, column: t.column };
  };

  if (tokens.length === 0) throw new ConditionSyntaxError('the condition is empty: name the selections that must match, e.g. `failed and not service`', 1);
  const tree = parseOr();
  if (pos < tokens.length) {
    const t = tokens[pos]!;
    throw new ConditionSyntaxError(`expected \`and\`, \`or\` or the end of the condition but found ${where(t)}`, t.column);
  }
  return tree;
}

/** The selection names a quantifier pattern covers. */
export function expandPattern(pattern: string, names: readonly string[]): string[] {
  const test = linearRegex(`^${pattern.split('*').map((p) => RE2JS.quote(p)).join('.*')}$`, 's');
  return typeof test === 'string' ? [] : names.filter((n) => test(n));
}

/**
 * Compiles a parsed condition over compiled selections. Unknown names and patterns that cover no
 * selection are reported through `problem`; the result is null when there was one.
 */
export function compileCondition<C>(
  tree: ConditionNode,
  selections: ReadonlyMap<string, (ctx: C) => boolean>,
  problem: (message: string) => void,
): ((ctx: C) => boolean) | null {
  const names = [...selections.keys()];
  let ok = true;
  const build = (node: ConditionNode): (ctx: C) => boolean => {
    switch (node.type) {
      case 'selection': {
        const sel = selections.get(node.name);
        if (!sel) {
          ok = false;
          problem(`unknown selection \`${node.name}\` (column ${node.column}); the selections are ${names.map((n) => `\`${n}\``).join(', ') || 'none'}`);
          return () => false;
        }
        return sel;
      }
      case 'not': {
        const inner = build(node.operand);
        return (ctx) => !inner(ctx);
      }
      case 'and': {
        const l = build(node.left);
        const r = build(node.right);
        return (ctx) => l(ctx) && r(ctx);
      }
      case 'or': {
        const l = build(node.left);
        const r = build(node.right);
        return (ctx) => l(ctx) || r(ctx);
      }
      case 'of': {
        const covered = expandPattern(node.pattern, names).map((n) => selections.get(n)!);
        if (covered.length === 0) {
          ok = false;
          problem(`\`${node.pattern}\` (column ${node.column}) matches no selection; the selections are ${names.map((n) => `\`${n}\``).join(', ') || 'none'}`);
          return () => false;
        }
        if (node.atLeast === 'all') return (ctx) => covered.every((s) => s(ctx));
        const atLeast = node.atLeast;
        if (atLeast > covered.length) {
          ok = false;
          problem(`\`${atLeast} of ${node.pattern}\` can never hold: the pattern covers ${covered.length} selection(s)`);
        }
        if (atLeast === 1) return (ctx) => covered.some((s) => s(ctx));
        return (ctx) => {
          let n = 0;
          for (const s of covered) if (s(ctx) && ++n >= atLeast) return true;
          return false;
        };
      }
    }
  };
  const compiled = build(tree);
  return ok ? compiled : null;
}
