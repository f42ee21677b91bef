import type { AuditEvent } from '../../schemas/types.js';
import type { ConnectorDefinition } from '../contract.js';

/** One event type the provider's table does not know, as `/v1/connectors` shows it. */
export interface UnknownEventType {
  type: string;
  count: number;
  firstSeenAt: string;
  lastSeenAt: string;
}

/**
 * The event types of one instance that its provider's table does not know, seen recently: at most
 * `limit` types, the least recently seen dropped first, so a provider inventing a new type per event
 * cannot grow memory. What users actually see is how the tables get extended.
 */
export class UnknownEventTypes {
  // Insertion order is recency order: a type seen again is moved to the end.
  readonly #seen = new Map<string, { count: number; first: number; last: number }>();

  constructor(private readonly limit = 100, private readonly now: () => number = Date.now) {}

  record(type: string): void {
    const at = this.now();
    const entry = this.#seen.get(type);
    if (entry) this.#seen.delete(type);
    this.#seen.set(type, { count: (entry?.count ?? 0) + 1, first: entry?.first ?? at, last: at });
    if (this.#seen.size > this.limit) this.#seen.delete(this.#seen.keys().next().value as string);
  }

  /** Most recently seen first. */
  list(): UnknownEventType[] {
    return [...this.#seen].reverse().map(([type, e]) => ({
      type, count: e.count, firstSeenAt: new Date(e.first).toISOString(), lastSeenAt: new Date(e.last).toISOString(),
    }));
  }

  /** The connector's normalizer, counting each event whose type the provider's table does not know. */
  counting(definition: Pick<ConnectorDefinition, 'normalizeActivity' | 'unknownEventType'>): ConnectorDefinition['normalizeActivity'] {
    const unknown = definition.unknownEventType;
    if (!unknown) return definition.normalizeActivity;
    return (raw, ctx) => {
      const out = definition.normalizeActivity(raw, ctx);
      for (const event of Array.isArray(out) ? out : [out]) {
        const type = unknown(event as AuditEvent);
        if (type !== null) this.record(type);
      }
      return out;
    };
  }
}
