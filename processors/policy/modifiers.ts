import {
  ACCESS_LEVELS, ACCOUNT_KINDS, ACCOUNT_STATUSES, ACTOR_TYPES, AUDIT_ACTIONS, AUDIT_CATEGORIES, COLLABORATOR_TYPES, FILE_CHANGES,
  OUTCOMES, PROVIDERS, SUBJECT_TYPES, TARGET_TYPES,
} from '../../schemas/vocabulary.js';
import { closest, compileGetter, fieldPaths, lookupField, suggestField, type FieldGetter, type FieldInfo, type PolicyKind } from './field-catalogue.js';
import type { ProblemSink } from './problems.js';
import type { RecordContext } from './record-context.js';
import {
  anyValue, globToRegex, hasValue, linearRegex, inNetwork, numeric, parseCidr, text, textComparison, withDomains, type NetworkList, type Scalar, type ValueTest,
} from './values.js';

/** Modifiers that decide how a value is compared (at most one; plain equality when none). */
const OPERATORS = ['contains', 'startswith', 'endswith', 're', 'cidr', 'exists', 'gt', 'gte', 'lt', 'lte', 'glob'] as const;
/** Modifiers that change the comparison: `all` (every listed value must match), `cased`, `fieldref`, `domain`, and `re` flags. */
const FLAGS = ['all', 'cased', 'fieldref', 'domain', 'i', 'm', 's'] as const;
/** Every modifier, as documented in the policy schema. */
export const MODIFIERS: readonly string[] = [...OPERATORS, ...FLAGS];

type Operator = (typeof OPERATORS)[number] | 'equals';

/** One compiled `field|modifiers: value(s)` of a selection. */
export interface FieldCondition {
  test(ctx: RecordContext): boolean;
  /** Rough relative cost, so cheap conditions run first inside a selection. */
  cost: number;
  /** The field path (for `CompiledPolicy.needs`). */
  field: FieldInfo;
}

/**
 * Compiles one field condition of a selection: `key` is `path|mod|mod`, `value` a scalar or a list.
 * Reports every problem through `problem` (paths relative to the condition) and returns null when there was one.
 */
export function compileFieldCondition(kind: PolicyKind, key: string, value: unknown, problem: ProblemSink): FieldCondition | null {
  const [path = '', ...mods] = key.split('|');
  let ok = true;
  const fail = (message: string): void => {
    ok = false;
    problem([], message);
  };

  const field = lookupField(kind, path);
  if (!field) {
    const hint = suggestField(kind, path);
    fail(`\`${path}\` is not a field of ${RECORD_NAMES[kind]}${hint ? ` (did you mean \`${hint}\`?)` : ''}`);
  }
  let operator: Operator = 'equals';
  const flags = new Set<string>();
  for (const mod of mods) {
    if ((OPERATORS as readonly string[]).includes(mod)) {
      if (operator !== 'equals') fail(`modifiers \`${operator}\` and \`${mod}\` cannot be combined: use one way of comparing`);
      operator = mod as Operator;
    } else if ((FLAGS as readonly string[]).includes(mod)) {
      flags.add(mod);
    } else {
      const hint = closest(mod, MODIFIERS);
      fail(`unknown modifier \`${mod}\`${hint ? ` (did you mean \`${hint}\`?)` : ''}; modifiers are ${[...OPERATORS, 'all', 'cased', 'fieldref', 'domain'].join(', ')}, and i, m, s after re`);
    }
  }
  for (const f of ['i', 'm', 's']) if (flags.has(f) && operator !== 're') fail(`modifier \`${f}\` is a regular-expression flag: use it after \`re\``);
  if (flags.has('fieldref') && !['equals', 'contains', 'startswith', 'endswith'].includes(operator)) {
    fail(`\`fieldref\` compares with another field by equality, contains, startswith or endswith, not \`${operator}\``);
  }
  if (flags.has('domain') && ['exists', 'cidr', 'gt', 'gte', 'lt', 'lte'].includes(operator)) {
    fail(`\`domain\` compares the email domains of a value as text; it cannot be used with \`${operator}\``);
  }
  if (operator === 'exists' && (flags.size > 0)) fail('`exists` takes no other modifier');

  const patterns: Scalar[] = Array.isArray(value) ? value : [value as Scalar];
  if (Array.isArray(value) && value.length === 0) fail('an empty list matches nothing: give at least one value');
  patterns.forEach((p, i) => {
    if (p !== null && !['string', 'number', 'boolean'].includes(typeof p)) {
      problem(Array.isArray(value) ? [i] : [], 'a value must be text, a number, true/false or null (or a list of them)');
      ok = false;
    }
  });
  if (flags.has('all') && !Array.isArray(value)) fail('`all` means every listed value must match: give a list');
  if (!ok || !field) return null;

  if (field.type === 'record' && !(operator === 'exists' || (operator === 'equals' && patterns.every((p) => p === null)))) {
    const children = fieldPaths(kind).filter((f) => f.startsWith(`${field.path}.`)).slice(0, 6);
    fail(`\`${field.path}\` is a group of fields; compare one of them (${children.join(', ')}) or use \`exists\``);
    return null;
  }
  if (patterns.includes(null) && (operator !== 'equals' || flags.size > 0)) {
    fail('null (the field is absent) can only be compared for plain equality; use `exists: false` instead');
    return null;
  }

  const getter = compileGetter(kind, path);
  const cased = flags.has('cased');
  let cost = field.derived === 'enrichment' ? 4 : 1;
  if (path === 'raw') cost += 5;

  if (operator === 'exists') {
    if (patterns.length !== 1 || typeof patterns[0] !== 'boolean') {
      fail('`exists` takes true (the field has a value) or false (it has none)');
      return null;
    }
    const want = patterns[0];
    return { field, cost, test: (ctx) => hasValue(getter(ctx)) === want };
  }

  const source = flags.has('domain') ? withDomains(getter) : getter;
  if (flags.has('domain')) cost += 2;

  if (flags.has('fieldref')) {
    const refs: FieldGetter[] = [];
    patterns.forEach((p, i) => {
      const ref = typeof p === 'string' ? lookupField(kind, p) : null;
      if (!ref || ref.type === 'record') {
        problem(Array.isArray(value) ? [i] : [], `\`fieldref\` takes field paths; \`${String(p)}\` is not a field of ${RECORD_NAMES[kind]}`);
        ok = false;
      } else refs.push(compileGetter(kind, p as string));
    });
    if (!ok) return null;
    const compare = textComparison(operator as 'equals' | 'contains' | 'startswith' | 'endswith');
    const matchesRef = (values: unknown, ref: FieldGetter, ctx: RecordContext): boolean => {
      const wanted = ref(ctx);
      return anyValue(wanted, (w) => anyValue(values, (v) => compare(text(v, cased), text(w, cased))));
    };
    cost += 3;
    return flags.has('all')
      ? { field, cost, test: (ctx) => { const v = source(ctx); return refs.every((r) => matchesRef(v, r, ctx)); } }
      : { field, cost, test: (ctx) => { const v = source(ctx); return refs.some((r) => matchesRef(v, r, ctx)); } };
  }

  const tests: ValueTest[] = [];
  let nullOk = false;
  const problemAt = (i: number, message: string) => {
    problem(Array.isArray(value) ? [i] : [], message);
    ok = false;
  };
  const vocabulary = VOCABULARIES[field.path];
  if (vocabulary && operator === 'equals' && !flags.has('fieldref')) {
    patterns.forEach((p, i) => {
      if (p !== null && !vocabulary.includes(String(p).toLowerCase())) {
        const hint = closest(String(p).toLowerCase(), vocabulary);
        problemAt(i, `\`${String(p)}\` is not a value Appwarden writes in ${field.path}${hint ? ` (did you mean \`${hint}\`?)` : ''}; values: ${vocabulary.join(', ')}`);
      }
    });
  }
  switch (operator) {
    case 'equals': {
      const wanted = patterns.filter((p) => p !== null).map((p) => text(p, cased));
      nullOk = patterns.includes(null);
      if (flags.has('all')) for (const w of wanted) tests.push((v) => text(v, cased) === w);
      else if (wanted.length === 1) { const w = wanted[0]!; tests.push((v) => text(v, cased) === w); }
      else if (wanted.length > 1) { const set = new Set(wanted); tests.push((v) => set.has(text(v, cased))); }
      break;
    }
    case 'contains':
    case 'startswith':
    case 'endswith': {
      cost += 1;
      const compare = textComparison(operator);
      const wanted = patterns.map((p) => text(p, cased));
      if (flags.has('all')) for (const w of wanted) tests.push((v) => compare(text(v, cased), w));
      else tests.push((v) => { const t = text(v, cased); return wanted.some((w) => compare(t, w)); });
      break;
    }
    case 're':
    case 'glob': {
      cost += operator === 're' ? 4 : 3;
      const reFlags = operator === 're' ? ['i', 'm', 's'].filter((f) => flags.has(f)).join('') : cased ? 's' : 'is';
      const regexes: Array<(text: string) => boolean> = [];
      patterns.forEach((p, i) => {
        const source = operator === 'glob' ? globToRegex(String(p)) : String(p);
        const compiled = linearRegex(source, reFlags);
        if (typeof compiled === 'string') problemAt(i, compiled);
        else regexes.push(compiled);
      });
      if (flags.has('all')) for (const r of regexes) tests.push((v) => r(String(v)));
      else tests.push((v) => { const t = String(v); return regexes.some((r) => r(t)); });
      break;
    }
    case 'cidr': {
      cost += 2;
      const lists: NetworkList[] = [];
      patterns.forEach((p, i) => {
        const list = parseCidr(p);
        if (list) lists.push(list);
        else problemAt(i, `\`${String(p)}\` is not an IP network: write it as 10.0.0.0/8, 2001:db8::/32, or a single address`);
      });
      if (flags.has('all')) for (const l of lists) tests.push((v) => inNetwork(v, [l]));
      else tests.push((v) => inNetwork(v, lists));
      break;
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (field.type === 'boolean') fail(`\`${operator}\` compares numbers and times; \`${field.path}\` is true/false`);
      const bounds: number[] = [];
      patterns.forEach((p, i) => {
        const n = typeof p === 'number' ? p : field.type === 'timestamp' && typeof p === 'string' ? Date.parse(p) : NaN;
        if (Number.isFinite(n)) bounds.push(n);
        else problemAt(i, field.type === 'timestamp' ? `\`${operator}\` takes a number of epoch milliseconds or an ISO 8601 time` : `\`${operator}\` takes a number`);
      });
      const cmp = { gt: (a: number, b: number) => a > b, gte: (a: number, b: number) => a >= b, lt: (a: number, b: number) => a < b, lte: (a: number, b: number) => a <= b }[operator];
      if (flags.has('all')) for (const b of bounds) tests.push((v) => cmp(numeric(v), b));
      else tests.push((v) => { const n = numeric(v); return bounds.some((b) => cmp(n, b)); });
      break;
    }
  }
  if (!ok) return null;

  if (tests.length === 1 && !nullOk) {
    const only = tests[0]!;
    return { field, cost, test: (ctx) => anyValue(source(ctx), only) };
  }
  return {
    field,
    cost,
    test: (ctx) => {
      const v = source(ctx);
      if (nullOk && !hasValue(v)) return true;
      return flags.has('all') ? tests.every((t) => anyValue(v, t)) : tests.some((t) => anyValue(v, t));
    },
  };
}

/** Fields whose values come from a vocabulary: a value outside it is almost certainly a typo. */
const VOCABULARIES: Record<string, readonly string[]> = {
  provider: PROVIDERS,
  category: AUDIT_CATEGORIES,
  action: AUDIT_ACTIONS,
  outcome: OUTCOMES,
  'actor.type': ACTOR_TYPES,
  'targets.type': TARGET_TYPES,
  change: FILE_CHANGES,
  'file.access_level': ACCESS_LEVELS,
  'file.collaborators.type': COLLABORATOR_TYPES,
  kind: ACCOUNT_KINDS,
  'subject.type': SUBJECT_TYPES,
  status: ACCOUNT_STATUSES,
  'actor_account.status': ACCOUNT_STATUSES,
};

const RECORD_NAMES: Record<PolicyKind, string> = {
  activity: 'an audit event (activity policy)',
  file: 'a file event (file policy)',
  app_permission: 'an app grant (app_permission policy)',
};
