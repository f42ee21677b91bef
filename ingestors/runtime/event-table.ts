import type { AuditAction, AuditCategory } from '../../schemas/vocabulary.js';

/**
 * How one provider event type maps to our category, action and OCSF class/activity. A mapping whose
 * action is `other` carries the reason it is deliberately `other` (the catalogue's type names no
 * activity our vocabulary has a word for), so that the catalogue tests can tell it from a gap.
 */
export interface EventMapping {
  category: AuditCategory;
  action: AuditAction;
  classUid: number;
  activityId: number;
  /** Why an `other` is deliberate; absent on specific actions. */
  reason?: string;
}

export function mapping(category: AuditCategory, action: AuditAction, classUid: number, activityId: number): EventMapping {
  return { category, action, classUid, activityId };
}

/** A deliberate `other`: the type is catalogued, and `reason` says why no action of ours fits. */
export function deliberateOther(category: AuditCategory, classUid: number, activityId: number, reason: string): EventMapping {
  return { category, action: 'other', classUid, activityId, reason };
}

/**
 * A family of event types sharing a meaning, matched by a prefix and/or a suffix of the type. Rules
 * are deliberate and tested: each is exercised by catalogued types in the provider's tests.
 */
export interface PatternRule {
  prefix?: string;
  suffix?: string;
  mapping: EventMapping;
}

/** The vendor catalogue a table was built from. */
export interface CatalogueSource {
  /** The catalogue's address. */
  url: string;
  /** The day it was read (YYYY-MM-DD). */
  read: string;
}

/**
 * One provider's event-type table: exact types first, then pattern rules in order (most specific
 * first). A type neither lists is unknown: the caller gives it its application's category or
 * `other`, and the runtime counts it (`ConnectorDefinition.unknownEventType`). Lookups are a map
 * read and a short scan of string prefixes; nothing is compiled per event.
 */
export class EventTable {
  readonly #exact: ReadonlyMap<string, EventMapping>;

  constructor(
    readonly sources: readonly CatalogueSource[],
    exact: Readonly<Record<string, EventMapping>>,
    readonly rules: readonly PatternRule[] = [],
  ) {
    this.#exact = new Map(Object.entries(exact));
  }

  /** The mapping of a type the table knows (exactly or by a rule), else null. */
  lookup(type: string): EventMapping | null {
    const exact = this.#exact.get(type);
    if (exact) return exact;
    for (const rule of this.rules) {
      if ((rule.prefix === undefined || type.startsWith(rule.prefix)) && (rule.suffix === undefined || type.endsWith(rule.suffix))) {
        return rule.mapping;
      }
    }
    return null;
  }

  known(type: string): boolean {
    return this.lookup(type) !== null;
  }

  /** The types listed exactly (tests and documentation). */
  get exactTypes(): readonly string[] {
    return [...this.#exact.keys()];
  }
}

/** How much of a vendor catalogue a table covers. */
export interface CatalogueCoverage {
  total: number;
  /** Types that map to a specific action. */
  specific: number;
  /** Types that map to a deliberate `other`, with the reason. */
  deliberateOther: Array<[type: string, reason: string]>;
  /** Types that map to `other` with no reason given: gaps in the table. */
  undecided: string[];
  /** Types the table does not know at all. */
  unknown: string[];
}

/** Checks every catalogued type against a resolver (the provider's lookup). */
export function catalogueCoverage(catalogue: Iterable<string>, lookup: (type: string) => EventMapping | null): CatalogueCoverage {
  const coverage: CatalogueCoverage = { total: 0, specific: 0, deliberateOther: [], undecided: [], unknown: [] };
  for (const type of catalogue) {
    coverage.total += 1;
    const found = lookup(type);
    if (found === null) coverage.unknown.push(type);
    else if (found.action !== 'other') coverage.specific += 1;
    else if (found.reason) coverage.deliberateOther.push([type, found.reason]);
    else coverage.undecided.push(type);
  }
  return coverage;
}

/** One line per coverage, for a test's diagnostics: "okta: 980 types, 610 specific, 370 deliberately other". */
export function describeCoverage(name: string, c: CatalogueCoverage): string {
  const reasons = new Map<string, number>();
  for (const [, reason] of c.deliberateOther) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  const top = [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([r, n]) => `${n}× ${r}`).join('; ');
  return `${name}: ${c.total} catalogued types, ${c.specific} specific (${percent(c.specific, c.total)}), `
    + `${c.deliberateOther.length} deliberately other, ${c.undecided.length} undecided, ${c.unknown.length} unknown`
    + (top ? ` — most common reasons: ${top}` : '');
}

function percent(n: number, total: number): string {
  return total === 0 ? '0%' : `${Math.round((100 * n) / total)}%`;
}
