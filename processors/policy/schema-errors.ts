import { Value } from 'typebox/value';
import { DURATION_PATTERN } from './duration.js';
import { closest } from './field-catalogue.js';
import { PolicySchema } from './policy-schema.js';
import type { PathSegment, PolicyProblem } from './problems.js';

/** Why a required field is needed, in a sentence a policy author understands (keys: paths with `[]` for list items). */
const REQUIRED_HINTS: Record<string, string> = {
  id: 'every policy needs a unique id such as `okta-repeated-failed-logins`',
  name: 'give the policy a short name for people',
  kind: 'say what the policy evaluates: activity, file or app_permission',
  severity: 'say how severe its alerts are: low, medium, high or critical',
  detection: 'a policy needs a detection: named selections and a condition',
  'detection.condition': 'name the selections that must match, e.g. `failed and not service`',
  'threshold.count': 'say how many events make the policy fire',
  'threshold.within': 'say how long the window is, e.g. 10m',
  'threshold.group_by': 'a threshold counts per group; name the fields to group by (e.g. [actor.email])',
  'new_value.field': 'name the field whose new values matter, e.g. source.country',
  'new_value.group_by': 'values are remembered per group; name the fields to group by (e.g. [actor.email])',
  'new_value.lookback': 'say how long values are remembered, e.g. 30d',
  'impossible_travel.group_by': 'travel is measured per group; name the fields to group by (e.g. [actor.email])',
  'actions[].action': 'name the action: a governance verb or notify',
  'safety.max_targets_per_hour': 'say how many targets per hour the policy may act on',
  'alert.dedup.key': 'name the fields whose values make two matches the same alert',
  'alert.dedup.period': 'say how long matches with the same key add to one alert, e.g. 1h',
  'auto_disable.max_matches_per_day': 'say how many matches a day disable the policy',
  'tests[].name': 'name the test case',
  'tests[].events': 'give the events the test feeds to the policy',
  'tests[].expect': 'say what must happen, e.g. {match: true} or {alerts: 1}',
};

const PATTERN_MESSAGES: Record<string, string> = {
  [DURATION_PATTERN]: 'must be a duration: a whole number and s, m, h or d, e.g. 10m or 30d',
  '^[a-z_][a-z0-9_]*(\\.[a-z0-9_]+)*$': 'must be a dotted field path such as actor.email',
  '^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$': 'must be lower-case letters, digits and dashes (at most 100), e.g. okta-repeated-failed-logins',
  '^(actor|file|file_owner|app_grant|subject|target:[a-z_]+)$': 'must be actor, target:<type> (activity), file, file_owner (file), app_grant or subject (app_permission)',
};

const TYPE_NAMES: Record<string, string> = {
  string: 'text', number: 'a number', integer: 'a whole number', boolean: 'true or false', array: 'a list', object: 'a map of fields', null: 'null',
};

interface SchemaError {
  keyword: string;
  schemaPath: string;
  instancePath: string;
  params: Record<string, unknown>;
  message: string;
}

/**
 * Checks a policy against the published JSON Schema and says what is wrong in words, one problem per
 * fault, located by path. The insides of detection selections and of test events are left to the
 * semantic checks, which know the fields of each record.
 */
export function schemaProblems(value: unknown): PolicyProblem[] {
  const errors = [...Value.Errors(PolicySchema, value)] as unknown as SchemaError[];
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => `${e.instancePath} ${e.schemaPath}`));
  const problems: PolicyProblem[] = [];
  const seen = new Set<string>();
  const add = (path: PathSegment[], message: string) => {
    const key = `${JSON.stringify(path)} ${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push({ path, message });
    }
  };

  for (const e of errors) {
    if (e.keyword === 'boolean') continue; // restates an additionalProperties error
    // A branch of an anyOf: the anyOf error itself says it better.
    if ([...anyOfPaths].some((p) => {
      const [inst, schema] = p.split(' ');
      return inst === e.instancePath && e.schemaPath.startsWith(`${schema}/anyOf/`);
    })) continue;
    const path = toPath(e.instancePath, value);
    if (path[0] === 'detection' && path.length >= 2 && path[1] !== 'condition') continue;
    if (path[0] === 'tests' && path[2] === 'events' && path.length >= 4) continue;
    const node = schemaAt(e.schemaPath);

    switch (e.keyword) {
      case 'required':
        for (const prop of (e.params.requiredProperties as string[] | undefined) ?? []) {
          const full = [...path, prop];
          const hint = REQUIRED_HINTS[hintKey(full)];
          add(full, hint ? `required — ${hint}` : 'required');
        }
        break;
      case 'additionalProperties': {
        const known = Object.keys((node?.properties as Record<string, unknown> | undefined) ?? {});
        for (const prop of (e.params.additionalProperties as string[] | undefined) ?? []) {
          const hint = closest(prop, known);
          add([...path, prop], hint ? `unknown field; did you mean \`${hint}\`?` : `unknown field${known.length ? ` (fields here: ${known.join(', ')})` : ''}`);
        }
        break;
      }
      case 'enum': {
        const allowed = (e.params.allowedValues as unknown[] | undefined) ?? [];
        const got = valueAt(value, path);
        const hint = typeof got === 'string' ? closest(got, allowed.map(String)) : null;
        add(path, `\`${String(got)}\` is not one of ${allowed.join(', ')}${hint ? ` (did you mean \`${hint}\`?)` : ''}`);
        break;
      }
      case 'pattern':
        add(path, `\`${String(valueAt(value, path))}\` ${PATTERN_MESSAGES[e.params.pattern as string] ?? `must match ${String(e.params.pattern)}`}`);
        break;
      case 'type': {
        const wanted = [e.params.type].flat().map((t) => TYPE_NAMES[String(t)] ?? String(t));
        add(path, `must be ${wanted.join(' or ')}`);
        break;
      }
      case 'anyOf':
        add(path, path.at(-1) === 'distinct' ? 'must be a dotted field path such as actor.email, or null' : 'has the wrong shape');
        break;
      case 'minimum':
        add(path, `must be at least ${String(e.params.limit)}`);
        break;
      case 'exclusiveMinimum':
        add(path, `must be more than ${String(e.params.limit)}`);
        break;
      case 'maximum':
        add(path, `must be at most ${String(e.params.limit)}`);
        break;
      case 'minItems':
        add(path, `must list at least ${String(e.params.limit)} item${e.params.limit === 1 ? '' : 's'}`);
        break;
      case 'uniqueItems':
        add(path, 'lists the same value twice');
        break;
      case 'minLength':
        add(path, 'must not be empty');
        break;
      case 'maxLength':
        add(path, `must be at most ${String(e.params.limit)} characters`);
        break;
      case 'minProperties':
        add(path, 'say what must happen: at least one of match, alerts, commands, title');
        break;
      default:
        add(path, e.message);
    }
  }
  return problems;
}

function hintKey(path: PathSegment[]): string {
  let out = '';
  for (const s of path) out += typeof s === 'number' ? '[]' : out === '' ? s : `.${s}`;
  return out;
}

function toPath(pointer: string, value: unknown): PathSegment[] {
  const out: PathSegment[] = [];
  let v: unknown = value;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const seg: PathSegment = Array.isArray(v) && /^\d+$/.test(key) ? Number(key) : key;
    out.push(seg);
    v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  }
  return out;
}

function valueAt(value: unknown, path: PathSegment[]): unknown {
  let v = value;
  for (const s of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[String(s)] : undefined;
  return v;
}

function schemaAt(schemaPath: string): Record<string, unknown> | null {
  let node: unknown = PolicySchema;
  for (const part of schemaPath.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  }
  return node !== null && typeof node === 'object' ? (node as Record<string, unknown>) : null;
}
