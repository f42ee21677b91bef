import { AppwardenError } from '../../core/errors.js';
import type { Clock } from '../common/clock.js';
import { cloneJson, isoString, parseTimestamp } from '../common/json.js';
import type { Prng } from '../common/prng.js';
import type { Directory } from './directory.js';
import type { EventKind, KindName, OktaLogEvent } from './event-kinds.js';
import { EventGenerator, type GeneratorOptions } from './event-generator.js';
import { actorOf, renderEntry } from './event-render.js';
import { EventStore, type GeneratedEntry, type LogEntry, type LogPage, type PageQuery } from './event-store.js';
import { stableHash } from './ids.js';
import { HOME_LOCATION_COUNT } from './locations.js';
import { type FilterExpression, matchesFilter, readPath } from './scim-filter.js';

/** A point in time as callers of the control helpers may give it. */
export type TimeInput = Date | number | string;

export interface SystemLogOptions extends GeneratorOptions {
  days: number;
  live: boolean;
}

/** The ids and place of a governance call, for the event it leaves in the System Log. */
export interface GovernanceEventParts {
  /** Index of the user acted on. */
  subject: number;
  group?: number;
  app?: number;
  /** The request, as Okta records it in `debugContext.debugData`. */
  requestUri: string;
  extra?: Record<string, string>;
}

function toMs(value: TimeInput, name: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : parseTimestamp(value);
  if (ms === undefined || !Number.isFinite(ms)) throw new AppwardenError('AW_BAD_REQUEST', `${name} is not a time: ${String(value)}`);
  return ms;
}

/**
 * The org's System Log: generated history (and live activity), events added by governance calls and
 * tests, and the reads the API serves from them.
 */
export class SystemLog {
  readonly store = new EventStore();
  private readonly generator: EventGenerator;

  constructor(
    private readonly directory: Directory,
    private readonly kinds: Map<string, EventKind>,
    eventsSeed: string,
    private readonly runtimePrng: Prng,
    private readonly clock: Clock,
    private readonly options: SystemLogOptions,
  ) {
    this.generator = new EventGenerator(eventsSeed, directory, kinds.values(), options);
    this.store.load(this.generator.history(clock.now(), options.days));
  }

  /** Adds the live activity up to now (when live); every read calls it first. */
  catchUp(): void {
    if (!this.options.live) return;
    for (const entry of this.generator.since(this.clock.now())) this.store.insert(entry);
  }

  page(query: PageQuery): LogPage {
    return this.store.page(query);
  }

  render(entry: LogEntry): unknown {
    return renderEntry(entry, this.directory);
  }

  /** A predicate for a parsed `filter` and the keywords of `q`; generated entries are rendered only when needed. */
  matcher(filter: FilterExpression | undefined, keywords: string[]): (entry: LogEntry) => boolean {
    if (!filter && keywords.length === 0) return () => true;
    return (entry) => {
      let rendered: unknown;
      const full = () => (rendered ??= this.render(entry));
      if (filter && !matchesFilter(filter, (attribute) => this.read(entry, attribute, full))) return false;
      if (keywords.length === 0) return true;
      const text = JSON.stringify(full()).toLowerCase();
      return keywords.every((k) => text.includes(k.toLowerCase()));
    };
  }

  private read(entry: LogEntry, attribute: string, full: () => unknown): unknown[] {
    if (entry.source === 'stored') return readPath(entry.body, attribute);
    switch (attribute) {
      case 'eventType': return [entry.kind.eventType];
      case 'uuid': return [entry.uuid];
      case 'severity': return [entry.kind.severity];
      case 'outcome.result': return [entry.kind.outcome.result];
      case 'outcome.reason': return [entry.kind.outcome.reason];
      case 'actor.id': return [actorOf(entry, this.directory).id];
      case 'actor.alternateId': return [actorOf(entry, this.directory).alternateId];
      case 'actor.type': return [actorOf(entry, this.directory).type];
      case 'actor.displayName': return [actorOf(entry, this.directory).displayName];
      default: return readPath(full(), attribute);
    }
  }

  /** Records what a governance call did, acted by the API token's owner (the first user), readable at once. */
  emit(kindName: KindName, parts: GovernanceEventParts): GeneratedEntry {
    const kind = this.kinds.get(kindName);
    if (!kind) throw new Error(`unknown event kind ${kindName}`);
    const now = this.clock.now();
    const owner = 0;
    const entry: GeneratedEntry = {
      source: 'generated',
      uuid: this.runtimePrng.uuid(),
      publishedMs: now,
      visibleAtMs: now,
      seq: 0,
      kind,
      actor: owner,
      subject: parts.subject,
      app: parts.app ?? 0,
      group: parts.group ?? 0,
      location: stableHash(this.directory.users[owner]!.id) % HOME_LOCATION_COUNT,
      debugData: { requestUri: parts.requestUri, url: `${parts.requestUri}?`, ...parts.extra },
    };
    this.store.insert(entry);
    return entry;
  }

  /**
   * Adds a well-formed event. Missing `uuid` and `published` are filled in (a fresh uuid, now). It is
   * readable from `visibleAt` (default now; an earlier time counts as now, since it was not stored before).
   */
  add(event: OktaLogEvent, options: { visibleAt?: TimeInput } = {}): OktaLogEvent {
    if (event === null || typeof event !== 'object' || Array.isArray(event)) throw new AppwardenError('AW_BAD_REQUEST', 'addEvent needs an object; use injectRawEvent for malformed records');
    const now = this.clock.now();
    const body = cloneJson(event);
    if (body.uuid === undefined) body.uuid = this.runtimePrng.uuid();
    if (body.published === undefined) body.published = isoString(now);
    if (typeof body.uuid !== 'string' || body.uuid === '') throw new AppwardenError('AW_BAD_REQUEST', 'addEvent: uuid must be a non-empty string; use injectRawEvent for malformed records');
    const publishedMs = typeof body.published === 'string' ? parseTimestamp(body.published) : undefined;
    if (publishedMs === undefined) throw new AppwardenError('AW_BAD_REQUEST', `addEvent: published is not a time (${String(body.published)}); use injectRawEvent for malformed records`);
    this.insertStored(body, body.uuid, publishedMs, options.visibleAt, now);
    return cloneJson(body);
  }

  /**
   * Puts any value in the stream as is (for dead-letter tests). It sorts by its `published` when that is
   * a time, else by the time of injection.
   */
  injectRaw(raw: unknown, options: { visibleAt?: TimeInput } = {}): void {
    const now = this.clock.now();
    const record = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
    const publishedMs = typeof record.published === 'string' ? parseTimestamp(record.published) : undefined;
    const uuid = typeof record.uuid === 'string' && record.uuid !== '' ? record.uuid : `raw-${this.runtimePrng.uuid()}`;
    this.insertStored(cloneJson(raw), uuid, publishedMs ?? now, options.visibleAt, now);
  }

  private insertStored(body: unknown, uuid: string, publishedMs: number, visibleAt: TimeInput | undefined, now: number): void {
    const visibleAtMs = Math.max(visibleAt === undefined ? now : toMs(visibleAt, 'visibleAt'), now);
    this.store.insert({ source: 'stored', uuid, publishedMs, visibleAtMs, seq: 0, body });
  }

  /**
   * The events published in [since, until) by the actor with that login, in published order, as the
   * API serves them once all are visible. Defaults: all actors, the whole log.
   */
  eventsFor(query: { actorLogin?: string; since?: TimeInput; until?: TimeInput } = {}): OktaLogEvent[] {
    this.catchUp();
    const since = query.since === undefined ? Number.NEGATIVE_INFINITY : toMs(query.since, 'since');
    const until = query.until === undefined ? Number.POSITIVE_INFINITY : toMs(query.until, 'until');
    const login = query.actorLogin?.toLowerCase();
    const events: OktaLogEvent[] = [];
    for (const entry of this.store.publishedBetween(since, until)) {
      if (login !== undefined) {
        const actorLogin = entry.source === 'generated' ? actorOf(entry, this.directory).alternateId : readPath(entry.body, 'actor.alternateId')[0];
        if (typeof actorLogin !== 'string' || actorLogin.toLowerCase() !== login) continue;
      }
      events.push((entry.source === 'stored' ? cloneJson(entry.body) : this.render(entry)) as OktaLogEvent);
    }
    return events;
  }
}
