import { compileCondition, ConditionSyntaxError, parseCondition } from './condition.js';
import type { FieldInfo, PolicyKind } from './field-catalogue.js';
import { compileFieldCondition, type FieldCondition } from './modifiers.js';
import type { ProblemSink } from './problems.js';
import type { RecordContext } from './record-context.js';

export type Predicate = (ctx: RecordContext) => boolean;

export interface CompiledDetection {
  test: Predicate;
  /** Every field the detection reads. */
  fields: FieldInfo[];
}

const SELECTION_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const RESERVED = new Set(['and', 'or', 'not', 'of', 'them', 'all', 'any', 'condition']);

/**
 * Compiles a detection block (named selections and a condition) for a kind of record. Every problem
 * is reported through `problem` with its path under the detection; returns null when there was one.
 */
export function compileDetection(kind: PolicyKind, detection: unknown, problem: ProblemSink): CompiledDetection | null {
  if (detection === null || typeof detection !== 'object' || Array.isArray(detection)) {
    problem([], 'must be a map of named selections and a `condition`');
    return null;
  }
  const fields: FieldInfo[] = [];
  const selections = new Map<string, Predicate>();
  let ok = true;

  for (const [name, body] of Object.entries(detection as Record<string, unknown>)) {
    if (name === 'condition') continue;
    if (!SELECTION_NAME.test(name) || RESERVED.has(name.toLowerCase())) {
      problem([name], RESERVED.has(name.toLowerCase())
        ? `\`${name}\` is a word of the condition language; give the selection another name`
        : 'a selection name is letters, digits, `_` and `-`, starting with a letter or `_`');
      ok = false;
      continue;
    }
    const alternatives = Array.isArray(body) ? body : [body];
    if (Array.isArray(body) && body.length === 0) {
      problem([name], 'an empty list of selections matches nothing');
      ok = false;
      continue;
    }
    const compiled: Predicate[] = [];
    alternatives.forEach((alt, i) => {
      const at = Array.isArray(body) ? [name, i] : [name];
      if (alt === null || typeof alt !== 'object' || Array.isArray(alt)) {
        problem(at, 'a selection is a map of `field|modifier: value` conditions (or a list of such maps)');
        ok = false;
        return;
      }
      const entries = Object.entries(alt as Record<string, unknown>);
      if (entries.length === 0) {
        problem(at, 'a selection needs at least one `field: value` condition');
        ok = false;
        return;
      }
      const conditions: FieldCondition[] = [];
      for (const [key, value] of entries) {
        const c = compileFieldCondition(kind, key, value, (sub, message) => problem([...at, key, ...sub], message));
        if (c) {
          conditions.push(c);
          fields.push(c.field);
        } else ok = false;
      }
      compiled.push(allOf(conditions));
    });
    selections.set(name, compiled.length === 1 ? compiled[0]! : anyOf(compiled));
  }

  const condition = (detection as Record<string, unknown>).condition;
  if (typeof condition !== 'string' || condition.trim() === '') {
    problem(['condition'], condition === undefined
      ? `required — name the selections that must match, e.g. \`${[...selections.keys()][0] ?? 'selection'}\``
      : 'must be text such as `failed and not service`');
    return null;
  }
  if (selections.size === 0 && ok) {
    problem([], 'a detection needs at least one selection beside its condition');
    return null;
  }
  let test: Predicate | null = null;
  try {
    test = compileCondition(parseCondition(condition), selections, (message) => problem(['condition'], message));
  } catch (err) {
    if (!(err instanceof ConditionSyntaxError)) throw err;
    problem(['condition'], err.message);
  }
  return ok && test ? { test, fields } : null;
}

function allOf(conditions: FieldCondition[]): Predicate {
  const sorted = [...conditions].sort((a, b) => a.cost - b.cost).map((c) => c.test);
  if (sorted.length === 1) return sorted[0]!;
  if (sorted.length === 2) {
    const [a, b] = sorted as [Predicate, Predicate];
    return (ctx) => a(ctx) && b(ctx);
  }
  return (ctx) => {
    for (const t of sorted) if (!t(ctx)) return false;
    return true;
  };
}

function anyOf(predicates: Predicate[]): Predicate {
  return (ctx) => {
    for (const p of predicates) if (p(ctx)) return true;
    return false;
  };
}
