import type { Prng } from '../common/prng.js';
import type { Directory } from './directory.js';
import type { EventKind } from './event-kinds.js';
import type { GeneratedEntry } from './event-store.js';
import { stableHash } from './ids.js';
import { HOME_LOCATION_COUNT, LOCATIONS } from './locations.js';

export interface GeneratorOptions {
  eventsPerDay: number;
  /** Fraction of events that become readable only `lateByMs` after they were published. */
  lateFraction: number;
  lateByMs: number;
}

const DAY = 86_400_000;

/**
 * Makes System Log activity: a history spread over a window, and (when asked) the activity that
 * happened since the last call, at `eventsPerDay`. Kinds are drawn by weight; users by their status.
 */
export class EventGenerator {
  private readonly kinds: EventKind[];
  private readonly totalWeight: number;
  private generatedUntil = 0;
  private pending = 0;

  constructor(
    private readonly prng: Prng,
    private readonly directory: Directory,
    kinds: Iterable<EventKind>,
    private readonly options: GeneratorOptions,
  ) {
    const hasGroups = directory.groups.some((g) => g.type === 'OKTA_GROUP');
    this.kinds = [...kinds].filter((k) => k.weight > 0 && (hasGroups || !k.targets?.includes('group')));
    this.totalWeight = this.kinds.reduce((sum, k) => sum + k.weight, 0);
  }

  /** `count` events published uniformly in [fromMs, toMs); later calls to `since` continue from `toMs`. */
  history(fromMs: number, toMs: number, count: number): GeneratedEntry[] {
    const pools = this.userPools();
    const entries: GeneratedEntry[] = [];
    for (let i = 0; i < count; i++) entries.push(this.one(fromMs + Math.floor(this.prng.next() * (toMs - fromMs)), pools));
    this.generatedUntil = toMs;
    return entries;
  }

  /** The activity published between the previous call (or the end of the history) and `nowMs`. */
  since(nowMs: number): GeneratedEntry[] {
    const from = this.generatedUntil;
    if (nowMs <= from) return [];
    this.pending += ((nowMs - from) * this.options.eventsPerDay) / DAY;
    const count = Math.floor(this.pending);
    this.pending -= count;
    this.generatedUntil = nowMs;
    if (count === 0) return [];
    const pools = this.userPools();
    const entries: GeneratedEntry[] = [];
    for (let i = 0; i < count; i++) entries.push(this.one(from + Math.floor(this.prng.next() * (nowMs - from)), pools));
    return entries;
  }

  private userPools() {
    const active: number[] = [];
    const any: number[] = [];
    const admins: number[] = [];
    this.directory.users.forEach((user, index) => {
      if (user.status === 'ACTIVE') active.push(index);
      if (user.status !== 'STAGED' && user.status !== 'PROVISIONED') any.push(index);
      if (user.status === 'ACTIVE' && this.directory.userRoles.has(user.id)) admins.push(index);
    });
    return { active, any, admins };
  }

  private pickKind(): EventKind {
    let roll = this.prng.next() * this.totalWeight;
    for (const kind of this.kinds) {
      roll -= kind.weight;
      if (roll < 0) return kind;
    }
    return this.kinds[this.kinds.length - 1]!;
  }

  private one(publishedMs: number, pools: { active: number[]; any: number[]; admins: number[] }): GeneratedEntry {
    const prng = this.prng;
    const kind = this.pickKind();
    const uuid = prng.uuid();
    const admin = pools.admins.length > 0 ? prng.pick(pools.admins) : 0;
    const pool = kind.users === 'any' ? pools.any : pools.active;
    const user = pool.length > 0 ? prng.pick(pool) : 0;
    // Admin actions are done to someone else; other events happen to the actor.
    const actor = kind.actor === 'admin' ? admin : kind.actor === 'user' ? user : -1;
    const subject = kind.actor === 'admin' && kind.name !== 'admin-app' ? user : actor >= 0 ? actor : user;
    const home = stableHash(this.directory.users[subject]!.id) % HOME_LOCATION_COUNT;
    const location = prng.chance(0.03) ? prng.int(0, LOCATIONS.length) : home;
    const groupCount = this.directory.groups.length;
    const late = this.options.lateFraction > 0 && prng.chance(this.options.lateFraction);
    return {
      source: 'generated',
      uuid,
      publishedMs,
      visibleAtMs: late ? publishedMs + this.options.lateByMs : publishedMs,
      seq: 0,
      kind,
      actor,
      subject,
      app: prng.int(0, this.directory.apps.length),
      // Index 0 is Everyone, which nobody is added to or removed from.
      group: groupCount > 1 ? prng.int(1, groupCount) : 0,
      location,
    };
  }
}
