import { AppwardenError } from '../../core/errors.js';
import type { Clock } from '../common/clock.js';
import { cloneJson, parseTimestamp } from '../common/json.js';
import type { Prng } from '../common/prng.js';
import { ActivityLog, type StoredActivity } from './activity-log.js';
import type { ActivityDraft, ActivityGenerator } from './activity-kinds.js';
import { AnchoredHistory } from '../common/anchored-history.js';
import { googleIds } from './ids.js';
import type { SimulatedApplication } from './options.js';

/** A point in time as callers of the control helpers may give it. */
export type TimeInput = Date | number | string;

export function toMs(value: TimeInput, name: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : parseTimestamp(value);
  if (ms === undefined || !Number.isFinite(ms)) throw new AppwardenError('AW_BAD_REQUEST', `${name} is not a time: ${String(value)}`);
  return ms;
}

export interface ReportsSettings {
  customerId: string;
  activitiesPerDay: number;
  days: number;
  lagMs: Record<string, number>;
  lateFraction: number;
  lateByMs: number;
}

// How the generated activity is spread over the applications (sign-ins and Drive dominate real tenants).
const WEIGHTS: ReadonlyArray<readonly [SimulatedApplication, number]> = [
  ['login', 35], ['drive', 30], ['token', 8], ['saml', 8], ['admin', 7], ['mobile', 7], ['groups', 5],
];

type Json = Record<string, any>;

/**
 * The Reports API's data: generated history, the activities governance calls leave, and those tests
 * add. Each activity becomes readable `lagMs[application]` after its time (Google's lag), later for late ones.
 */
export class Reports {
  readonly log = new ActivityLog();
  /** Applications the tenant has no license for: `activities.list` refuses them (see `googleErrors.reportingDataRefused`). */
  readonly unlicensed = new Set<string>();
  /** `activities.list` requests by application, answered or refused. */
  readonly listRequests: Record<string, number> = {};

  constructor(
    private readonly generator: ActivityGenerator,
    private readonly prng: Prng,
    private readonly clock: Clock,
    private readonly settings: ReportsSettings,
  ) {}

  lagOf(application: string): number {
    return this.settings.lagMs[application] ?? 0;
  }

  /**
   * The history of the last `days`, anchored to fixed times (`AnchoredHistory`): a restarted simulator
   * with the same seed serves the same activities, with the same unique qualifiers and times.
   */
  generateHistory(seed: string): void {
    const now = this.clock.now();
    if (this.settings.days <= 0) return;
    let slot: { prng: Prng; generator: ActivityGenerator } | null = null;
    const history = new AnchoredHistory(seed, this.settings.activitiesPerDay, (prng, timeMs) => {
      if (slot?.prng !== prng) slot = { prng, generator: this.generator.withPrng(prng) };
      const application = prng.weighted(WEIGHTS);
      const late = prng.chance(this.settings.lateFraction) ? this.settings.lateByMs : 0;
      const body = slot.generator.render(slot.generator.draft(application), timeMs, googleIds.uniqueQualifier(prng));
      return this.entryOf(body, application, timeMs, timeMs + this.lagOf(application) + late);
    });
    this.log.load(history.between(history.anchor(now - this.settings.days * 86_400_000), now));
  }

  /** Records what just happened (a governance call), readable after the application's lag. */
  emit(draft: ActivityDraft): Json {
    const now = this.clock.now();
    const body = this.generator.render(draft, now, googleIds.uniqueQualifier(this.prng));
    this.log.insert(this.entryOf(body, draft.application, now, now + this.lagOf(draft.application)));
    return body;
  }

  /**
   * Adds a well-formed activity (id.time and id.uniqueQualifier filled when missing, id.applicationName
   * required), readable from `visibleAt` (default: its time plus the application's lag, at least now).
   */
  add(activity: Json, options: { visibleAt?: TimeInput } = {}): Json {
    const body = cloneJson(activity);
    const now = this.clock.now();
    body.id = { ...(body.id ?? {}) };
    const application = body.id.applicationName;
    if (typeof application !== 'string' || application === '') throw new AppwardenError('AW_BAD_REQUEST', 'addActivity: id.applicationName is required');
    body.kind ??= 'admin#reports#activity';
    body.id.time ??= new Date(now).toISOString();
    body.id.uniqueQualifier ??= googleIds.uniqueQualifier(this.prng);
    body.id.customerId ??= this.settings.customerId;
    const timeMs = toMs(body.id.time, 'id.time');
    if (!Array.isArray(body.events) || body.events.length === 0) throw new AppwardenError('AW_BAD_REQUEST', 'addActivity: events must be a non-empty list; use injectRawActivity for malformed records');
    const visibleAt = options.visibleAt === undefined ? timeMs + this.lagOf(application) : toMs(options.visibleAt, 'visibleAt');
    this.log.insert(this.entryOf(body, application, timeMs, Math.max(visibleAt, now)));
    return cloneJson(body);
  }

  /** Puts any value in an application's log as is (for dead-letter tests), at `time` (default now). */
  injectRaw(raw: unknown, options: { application: string; time?: TimeInput; visibleAt?: TimeInput }): void {
    const now = this.clock.now();
    const timeMs = options.time === undefined ? now : toMs(options.time, 'time');
    const visibleAt = options.visibleAt === undefined ? now : toMs(options.visibleAt, 'visibleAt');
    this.log.insert({ application: options.application, timeMs, uniqueQualifier: `raw-${this.prng.hex(8)}`, visibleAtMs: Math.max(visibleAt, now), actorEmail: null, body: cloneJson(raw) });
  }

  /** The activities of an application (default all) in [since, until), newest first, visible or not. */
  activitiesFor(query: { application?: string; since?: TimeInput; until?: TimeInput; actorEmail?: string } = {}): Json[] {
    const since = query.since === undefined ? Number.NEGATIVE_INFINITY : toMs(query.since, 'since');
    const until = query.until === undefined ? Number.POSITIVE_INFINITY : toMs(query.until, 'until');
    const actor = query.actorEmail?.toLowerCase();
    return this.log.entries(query.application)
      .filter((e) => e.timeMs >= since && e.timeMs < until && (actor === undefined || e.actorEmail === actor))
      .map((e) => cloneJson(e.body) as Json);
  }

  private entryOf(body: Json, application: string, timeMs: number, visibleAtMs: number): Omit<StoredActivity, 'seq'> {
    const email = body.actor?.email;
    return { application, timeMs, uniqueQualifier: String(body.id.uniqueQualifier), visibleAtMs, actorEmail: typeof email === 'string' ? email.toLowerCase() : null, body };
  }
}
