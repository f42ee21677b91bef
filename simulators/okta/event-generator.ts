import { AnchoredHistory } from '../common/anchored-history.js';
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
 * Makes System Log activity at `eventsPerDay`, anchored to fixed times (see `AnchoredHistory`): a
 * history over a window, and (when asked) the activity published since the last call. A restarted
 * simulator with the same seed serves the same events. Kinds are drawn by weight; users by their
 * status when the simulator started.
 */
export class EventGenerator {
  private readonly kinds: EventKind[];
  private readonly totalWeight: number;
  private readonly pools: { active: number[]; any: number[]; admins: number[] };
  private readonly anchored: AnchoredHistory<GeneratedEntry>;
  private generatedUntil = 0;

  constructor(
    seed: string,
    private readonly directory: Directory,
    kinds: Iterable<EventKind>,
    private readonly options: GeneratorOptions,
  ) {
    const hasGroups = directory.groups.some((g) => g.type === 'OKTA_GROUP');
    this.kinds = [...kinds].filter((k) => k.weight > 0 && (hasGroups || !k.targets?.includes('group')));
    this.totalWeight = this.kinds.reduce((sum, k) => sum + k.weight, 0);
    this.pools = this.userPools();
    this.anchored = new AnchoredHistory(seed, options.eventsPerDay, (prng, atMs) => this.one(prng, atMs));
  }

  /** The events published in the `days` before `nowMs` (from the start of that hour); later calls to `since` continue from `nowMs`. */
  history(nowMs: number, days: number): GeneratedEntry[] {
    this.generatedUntil = nowMs;
    return days > 0 ? this.anchored.between(this.anchored.anchor(nowMs - days * DAY), nowMs) : [];
  }

  /** The activity published between the previous call (or the end of the history) and `nowMs`. */
  since(nowMs: number): GeneratedEntry[] {
    const from = this.generatedUntil;
    if (nowMs <= from) return [];
    this.generatedUntil = nowMs;
    return this.anchored.between(from, nowMs);
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

  private pickKind(prng: Prng): EventKind {
    let roll = prng.next() * this.totalWeight;
    for (const kind of this.kinds) {
      roll -= kind.weight;
      if (roll < 0) return kind;
    }
    return this.kinds[this.kinds.length - 1]!;
  }

  private one(prng: Prng, publishedMs: number): GeneratedEntry {
    const pools = this.pools;
    const kind = this.pickKind(prng);
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
