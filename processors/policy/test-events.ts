import { schemaRegistry } from '../../schemas/registry.js';
import { stableId } from '../../schemas/event-id.js';
import { ACCOUNT_STATUSES } from '../../schemas/vocabulary.js';
import { parseDuration } from './duration.js';
import { KIND_SCHEMAS, type PolicyKind } from './field-catalogue.js';
import type { PathSegment, ProblemSink } from './problems.js';
import type { ActorAccount, PolicyRecord } from './record-context.js';

/** One event of an inline test, as a record plus the enrichments the test gives for it. */
export interface TestEvent {
  record: PolicyRecord;
  actorAccount: ActorAccount | null;
  grantUserCount: number | null;
}

/** Where test timelines start when an event gives no time. */
export const TEST_EPOCH = Date.parse('2024-01-01T00:00:00.000Z');
const STEP_MS = 1000;
const MAX_REPEAT = 10_000;

type Json = Record<string, unknown>;

/** Defaults for required fields a test leaves out, by path (others: null, [], {}, '', 0, false). */
const DEFAULTS: Record<string, unknown> = {
  action: 'other',
  outcome: 'unknown',
  'actor.type': 'user',
  'targets.type': 'other',
  change: 'seen',
  'file.access_level': 'unknown',
  'file.collaborators.type': 'user',
  'file.collaborators.role': 'viewer',
  kind: 'app_grant',
  'subject.type': 'user',
  instance: 'default',
};

/**
 * Turns the events of an inline test (JSON view, partial) into records: ISO times become epoch
 * milliseconds, missing fields take neutral defaults, ids and times are generated, `repeat` blocks
 * expand. A field the record does not have, or a value of the wrong type, is reported through
 * `problem` (paths relative to the test's `events`).
 */
export function buildTestEvents(policy: { id: string; kind: PolicyKind; providers: readonly string[] | null }, caseIndex: number, events: unknown[], problem: ProblemSink): TestEvent[] {
  const schema = schemaRegistry().schemaJson(KIND_SCHEMAS[policy.kind]) as Json;
  const timeField = policy.kind === 'activity' ? 'occurred_at' : 'observed_at';
  const idField = policy.kind === 'activity' ? 'event_id' : 'record_id';
  const out: TestEvent[] = [];
  let clock = TEST_EPOCH - STEP_MS;

  const build = (raw: Json, at: PathSegment[], substitute: ((s: string) => string) | null, time: number | null): void => {
    const { actor_account: account, grant, ...fields } = raw;
    const given = substitute ? (deepMap(fields, substitute) as Json) : fields;
    const record = convert(schema, given, at, '', problem) as Json | undefined;
    if (!record) return;
    const explicit = fields[timeField] !== undefined ? (record[timeField] as number) : null;
    clock = explicit ?? time ?? clock + STEP_MS;
    record[timeField] = clock;
    if (policy.kind === 'activity' && fields.ingested_at === undefined) record.ingested_at = clock;
    if (fields[idField] === undefined) record[idField] = stableId('policy-test', policy.id, String(caseIndex), String(out.length));
    if (fields.provider === undefined) record.provider = policy.providers?.[0] ?? 'okta';
    out.push({
      record: record as unknown as PolicyRecord,
      actorAccount: account === undefined ? null : actorAccount(account, [...at, 'actor_account'], problem),
      grantUserCount: grant === undefined ? null : userCount(grant, [...at, 'grant'], problem),
    });
  };

  events.forEach((entry, i) => {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      problem([i], 'an event is a map of fields');
      return;
    }
    const e = entry as Json;
    if (!('repeat' in e)) {
      build(e, [i], null, null);
      return;
    }
    const extra = Object.keys(e).filter((k) => !['repeat', 'every', 'event'].includes(k));
    for (const k of extra) problem([i, k], 'unknown field of a repeat block (fields: repeat, every, event)');
    const n = e.repeat;
    if (!Number.isInteger(n) || (n as number) < 1 || (n as number) > MAX_REPEAT) {
      problem([i, 'repeat'], `must be a whole number from 1 to ${MAX_REPEAT}`);
      return;
    }
    const every = e.every === undefined ? STEP_MS : parseDuration(e.every);
    if (every === null) {
      problem([i, 'every'], 'must be a duration such as 30s or 1m');
      return;
    }
    const template = e.event;
    if (template === null || typeof template !== 'object' || Array.isArray(template)) {
      problem([i, 'event'], 'required — the event to repeat, as a map of fields');
      return;
    }
    const start = (template as Json)[timeField];
    const startMs = start === undefined ? clock + STEP_MS : toMillis(start);
    if (startMs === null) {
      problem([i, 'event', timeField], 'must be an ISO 8601 time such as 2024-01-01T10:00:00Z');
      return;
    }
    const { [timeField]: _t, ...body } = template as Json;
    for (let k = 1; k <= (n as number); k++) {
      const before = out.length;
      build(body, [i, 'event'], (s) => s.replaceAll('{{i}}', String(k)), startMs + (k - 1) * every);
      if (out.length === before) return; // the template is broken: report it once
    }
  });
  return out;
}

function deepMap(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => deepMap(v, f));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepMap(v, f)]));
  return value;
}

function toMillis(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v)) {
    const t = Date.parse(v);
    return Number.isFinite(t) ? t : null;
  }
  return null;
}

/** Converts a JSON-view value of an Avro type to the record form, filling what is missing. */
function convert(type: unknown, value: unknown, at: PathSegment[], path: string, problem: ProblemSink): unknown {
  if (Array.isArray(type)) {
    if (value === undefined || value === null) return type.includes('null') ? null : convert(type.find((t) => t !== 'null'), value, at, path, problem);
    return convert(type.find((t) => t !== 'null'), value, at, path, problem);
  }
  const t = (typeof type === 'string' ? { type } : type) as Json;
  if (t.logicalType === 'timestamp-millis') {
    if (value === undefined) return 0;
    const ms = toMillis(value);
    if (ms === null) problem(at, 'must be an ISO 8601 time such as 2024-01-01T10:00:00Z');
    return ms ?? 0;
  }
  switch (t.type) {
    case 'record': {
      if (value === undefined) value = {};
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        problem(at, 'must be a map of fields');
        return undefined;
      }
      const fields = t.fields as Array<{ name: string; type: unknown }>;
      const names = new Set(fields.map((f) => f.name));
      for (const key of Object.keys(value)) {
        if (!names.has(key)) problem([...at, key], `not a field of this record (fields: ${[...names].join(', ')})`);
      }
      const out: Json = {};
      for (const f of fields) {
        const sub = path ? `${path}.${f.name}` : f.name;
        const given = (value as Json)[f.name];
        if (given === undefined && sub in DEFAULTS) out[f.name] = DEFAULTS[sub];
        else if (sub === 'raw' && given !== undefined && typeof given !== 'string') out[f.name] = JSON.stringify(given);
        else out[f.name] = convert(f.type, given, [...at, f.name], sub, problem);
      }
      return out;
    }
    case 'array': {
      if (value === undefined) return [];
      if (!Array.isArray(value)) {
        problem(at, 'must be a list');
        return [];
      }
      return value.map((v, i) => convert(t.items, v, [...at, i], path, problem));
    }
    case 'map': {
      if (value === undefined) return {};
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        problem(at, 'must be a map of text values');
        return {};
      }
      // YAML reads `threat_suspected: true` as a boolean; attributes are text.
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v === null || typeof v === 'object' ? JSON.stringify(v) : String(v)]));
    }
    case 'string':
      if (value === undefined) return DEFAULTS[path] ?? '';
      if (typeof value !== 'string') problem(at, 'must be text');
      return String(value);
    case 'int':
    case 'long':
    case 'float':
    case 'double':
      if (value === undefined) return 0;
      if (typeof value !== 'number') problem(at, 'must be a number');
      return Number(value);
    case 'boolean':
      if (value === undefined) return false;
      if (typeof value !== 'boolean') problem(at, 'must be true or false');
      return value === true;
    default:
      return convert(t.type, value, at, path, problem);
  }
}

function actorAccount(v: unknown, at: PathSegment[], problem: ProblemSink): ActorAccount | null {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    problem(at, 'must be a map: {status, groups, deleted}');
    return null;
  }
  const { status = null, groups = [], deleted = false, ...rest } = v as Json;
  for (const k of Object.keys(rest)) problem([...at, k], 'unknown field (fields: status, groups, deleted)');
  if (status !== null && !(ACCOUNT_STATUSES as readonly unknown[]).includes(status)) problem([...at, 'status'], `must be one of ${ACCOUNT_STATUSES.join(', ')}`);
  if (!Array.isArray(groups) || groups.some((g) => typeof g !== 'string')) problem([...at, 'groups'], 'must be a list of group names or ids');
  if (typeof deleted !== 'boolean') problem([...at, 'deleted'], 'must be true or false');
  return { status: status as ActorAccount['status'], groups: Array.isArray(groups) ? groups.map(String) : [], deleted: deleted === true };
}

function userCount(v: unknown, at: PathSegment[], problem: ProblemSink): number | null {
  const count = v !== null && typeof v === 'object' ? (v as Json).user_count : undefined;
  if (!Number.isInteger(count) || (count as number) < 0) {
    problem([...at, 'user_count'], 'must be a whole number of users');
    return null;
  }
  return count as number;
}
