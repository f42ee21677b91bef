import { schemaRegistry } from '../../schemas/registry.js';
import type { SchemaName } from '../../schemas/types.js';
import type { RecordContext } from './record-context.js';
import { userKey } from '../../schemas/keys.js';

/** The kinds of policy, each evaluated over one kind of record. */
export const POLICY_KINDS = ['activity', 'file', 'app_permission'] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

/** The schema of the records each kind of policy evaluates. */
export const KIND_SCHEMAS: Record<PolicyKind, SchemaName> = {
  activity: 'audit-event',
  file: 'file-event',
  app_permission: 'account-event',
};

export type FieldType = 'string' | 'number' | 'boolean' | 'timestamp' | 'record';

export interface FieldInfo {
  path: string;
  type: FieldType;
  /** True when the path goes through an array: it has any number of values, and a condition holds when one of them matches. */
  multi: boolean;
  doc: string;
  /** Set for fields the evaluator computes; `enrichment` ones come from the policy processor's account state. */
  derived?: 'record' | 'enrichment';
}

/** The value(s) of a field in a record: a scalar, an array (multi-valued fields), or undefined/null when absent. */
export type FieldGetter = (ctx: RecordContext) => unknown;

interface DerivedField extends FieldInfo {
  get: FieldGetter;
}

type Json = Record<string, any>;

const EMAIL_DOMAIN = /@([^@\s]+)$/;

/** The domain of an email address, lower-cased; null when the value is not one. */
export function emailDomain(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = EMAIL_DOMAIN.exec(value);
  return match ? match[1]!.toLowerCase() : null;
}

const DERIVED: Record<PolicyKind, DerivedField[]> = {
  activity: [
    {
      path: 'actor.domain', type: 'string', multi: false, derived: 'record',
      doc: "The domain of the actor's email address, lower-cased (`example.com` for `ana@Example.com`).",
      get: (ctx) => emailDomain((ctx.record as Json).actor?.email),
    },
    {
      path: 'actor.key', type: 'string', multi: false, derived: 'record',
      doc: "The actor as one value: the lower-cased email when the provider gives one, else the provider's id (an AWS principal, a ServiceNow user name). Group by it so that actors without an email count too.",
      get: (ctx) => userKey((ctx.record as Json).actor ?? null) || null,
    },
    {
      path: 'targets.domain', type: 'string', multi: true, derived: 'record',
      doc: "The domain of each target's email address, lower-cased.",
      get: (ctx) => ((ctx.record as Json).targets as Json[]).map((t) => emailDomain(t.email)).filter((d) => d !== null),
    },
    {
      path: 'actor_account.status', type: 'string', multi: false, derived: 'enrichment',
      doc: "The status of the actor's account in the latest account scan: active, suspended, deprovisioned, staged, locked, password_expired, unknown. Absent when the account is not known.",
      get: (ctx) => ctx.actorAccount()?.status ?? null,
    },
    {
      path: 'actor_account.groups', type: 'string', multi: true, derived: 'enrichment',
      doc: 'The names and ids of the groups the actor belongs to, from the latest account scan.',
      get: (ctx) => ctx.actorAccount()?.groups ?? [],
    },
    {
      path: 'actor_account.deleted', type: 'boolean', multi: false, derived: 'enrichment',
      doc: "True when the actor's account no longer exists at the provider. Absent when the account is not known.",
      get: (ctx) => ctx.actorAccount()?.deleted ?? null,
    },
  ],
  file: [
    {
      path: 'file.extension', type: 'string', multi: false, derived: 'record',
      doc: 'The file name\'s extension after the last dot, lower-cased, without the dot (`xlsx`); absent when the name has none.',
      get: (ctx) => {
        const name = (ctx.record as Json).file?.name;
        if (typeof name !== 'string') return null;
        const dot = name.lastIndexOf('.');
        return dot > 0 && dot < name.length - 1 ? name.slice(dot + 1).toLowerCase() : null;
      },
    },
    {
      path: 'file.collaborator_domains', type: 'string', multi: true, derived: 'record',
      doc: 'The domains the file is shared with: the domain of each collaborator\'s email, and the domain of `domain` grants, lower-cased.',
      get: (ctx) => {
        const out: string[] = [];
        for (const c of ((ctx.record as Json).file?.collaborators ?? []) as Json[]) {
          const domain = c.type === 'domain' && typeof c.email === 'string' ? c.email.toLowerCase() : emailDomain(c.email);
          if (domain !== null && !out.includes(domain)) out.push(domain);
        }
        return out;
      },
    },
  ],
  app_permission: [
    {
      path: 'grant.user_count', type: 'number', multi: false, derived: 'enrichment',
      doc: 'How many users of the instance granted this app, from the latest account scan. Absent when not known.',
      get: (ctx) => ctx.grantUserCount(),
    },
  ],
};

interface Catalogue {
  fields: Map<string, FieldInfo>;
  /** Map fields (`attributes`): any `<prefix>.<key>` is a string field. */
  maps: Map<string, string>;
  derived: Map<string, DerivedField>;
}

const catalogues = new Map<PolicyKind, Catalogue>();

function catalogue(kind: PolicyKind): Catalogue {
  let found = catalogues.get(kind);
  if (!found) {
    found = { fields: new Map(), maps: new Map(), derived: new Map() };
    walk(schemaRegistry().schemaJson(KIND_SCHEMAS[kind]), '', false, '', found);
    for (const d of DERIVED[kind]) {
      found.derived.set(d.path, d);
      found.fields.set(d.path, { path: d.path, type: d.type, multi: d.multi, doc: d.doc, derived: d.derived });
    }
    catalogues.set(kind, found);
  }
  return found;
}

function walk(type: unknown, path: string, multi: boolean, doc: string, out: Catalogue): void {
  if (Array.isArray(type)) {
    const branch = type.find((t) => t !== 'null');
    walk(branch, path, multi, doc, out);
    return;
  }
  if (typeof type === 'string') {
    const scalar: FieldType = type === 'boolean' ? 'boolean' : ['int', 'long', 'float', 'double'].includes(type) ? 'number' : 'string';
    out.fields.set(path, { path, type: scalar, multi, doc });
    return;
  }
  const t = type as Json;
  if (t.logicalType === 'timestamp-millis') {
    out.fields.set(path, { path, type: 'timestamp', multi, doc });
    return;
  }
  switch (t.type) {
    case 'record':
      if (path !== '') out.fields.set(path, { path, type: 'record', multi, doc });
      for (const f of t.fields as Json[]) walk(f.type, path ? `${path}.${f.name}` : f.name, multi, f.doc ?? '', out);
      return;
    case 'array':
      walk(t.items, path, true, doc, out);
      return;
    case 'map':
      out.maps.set(path, doc);
      return;
    default:
      walk(t.type, path, multi, doc, out);
  }
}

/** What a field path names for a kind of policy, or null when the kind's records have no such field. */
export function lookupField(kind: PolicyKind, path: string): FieldInfo | null {
  const cat = catalogue(kind);
  const known = cat.fields.get(path);
  if (known) return known;
  const dot = path.indexOf('.');
  if (dot > 0 && path.indexOf('.', dot + 1) === -1) {
    const doc = cat.maps.get(path.slice(0, dot));
    if (doc !== undefined && path.length > dot + 1) return { path, type: 'string', multi: false, doc };
  }
  return null;
}

/** Every field path of a kind (map fields as `attributes.<key>`), for documentation and suggestions. */
export function fieldPaths(kind: PolicyKind): string[] {
  const cat = catalogue(kind);
  return [...cat.fields.keys(), ...[...cat.maps.keys()].map((m) => `${m}.<key>`)];
}

/** The known field closest to a misspelt one, when one is close enough to be what was meant. */
export function suggestField(kind: PolicyKind, path: string): string | null {
  return closest(path, [...catalogue(kind).fields.keys()]);
}

/** The candidate at the smallest edit distance from `word`, if that distance is small for its length. */
export function closest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor(word.length / 4)) + 1;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * A getter for a field path known to `lookupField`. Paths through an array (`targets.type`) return an
 * array of the elements' values; missing values are undefined or null.
 */
export function compileGetter(kind: PolicyKind, path: string): FieldGetter {
  const derived = catalogue(kind).derived.get(path);
  if (derived) return derived.get;
  const segments = path.split('.');
  const walkFrom = (value: unknown, from: number): unknown => {
    let v = value;
    for (let i = from; i < segments.length; i++) {
      if (v === null || typeof v !== 'object') return undefined;
      if (Array.isArray(v)) {
        const out: unknown[] = [];
        for (const element of v) {
          const x = walkFrom(element, i);
          if (Array.isArray(x)) out.push(...x);
          else if (x !== undefined && x !== null) out.push(x);
        }
        return out;
      }
      const key = segments[i]!;
      // Maps (attributes) are plain objects: never read a key from the prototype chain.
      v = Object.hasOwn(v, key) ? (v as Json)[key] : undefined;
    }
    return v;
  };
  if (segments.length === 1) {
    const key = segments[0]!;
    return (ctx) => (ctx.record as Json)[key];
  }
  if (segments.length === 2) {
    const [a, b] = segments as [string, string];
    return (ctx) => {
      const parent = (ctx.record as Json)[a];
      if (parent === null || typeof parent !== 'object') return undefined;
      return Array.isArray(parent) ? walkFrom(parent, 1) : Object.hasOwn(parent, b) ? parent[b] : undefined;
    };
  }
  return (ctx) => walkFrom(ctx.record, 0);
}
