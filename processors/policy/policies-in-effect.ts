import type { Logger } from '../../core/logger.js';
import type { CompiledPolicy } from './compile.js';
import type { GeoLocator } from './geo.js';
import { loadGeoIpLocator } from './geoip.js';
import type { PolicySet } from './partition-work.js';
import type { PolicyStore } from './policy-store.js';
import { Regrouping } from './regroup.js';

/** A policy in effect, and where it came from. */
export interface ActivePolicy {
  id: string;
  version: number;
  enabled: boolean;
  source: 'folder' | 'store';
}

export interface PoliciesInEffectOptions {
  /** The policies of the policy folders. */
  policies: readonly CompiledPolicy[];
  /** The store whose deployed versions replace the folders' by id, and whose removals remove them. */
  store: PolicyStore | null;
  /** Loads the GeoIP locator, once an impossible-travel policy is enabled. Default: geoip-lite's database. */
  loadGeo?: () => Promise<GeoLocator>;
  log: Logger;
  /** Called with each new set, and the ids of the policies the store removed since the last one. */
  onChange: (set: PolicySet, removed: readonly string[]) => void;
}

/**
 * Which policies are in effect: the folders' policies, replaced or removed by the store's versions,
 * without the impossible-travel ones when no GeoIP database loads; split into the policies evaluated
 * on their input partition and the ones regrouped first. Recomputed one refresh at a time; a refresh
 * that fails leaves the previous set running.
 */
export class PoliciesInEffect {
  private base: readonly CompiledPolicy[];
  private active: CompiledPolicy[] = [];
  private sources = new Map<string, ActivePolicy['source']>();
  private current: PolicySet = { aligned: [], regrouping: new Regrouping([]), geo: null };
  private refreshing: Promise<void> = Promise.resolve();

  constructor(private readonly options: PoliciesInEffectOptions) {
    this.base = [...options.policies];
  }

  /** The set the evaluators run now. */
  get set(): PolicySet {
    return this.current;
  }

  get count(): number {
    return this.active.length;
  }

  list(): ActivePolicy[] {
    return this.active.map((p) => ({ id: p.id, version: p.version, enabled: p.policy.enabled, source: this.sources.get(p.id) ?? 'folder' }));
  }

  /** Replaces the folders' policies, then refreshes. */
  setBase(policies: readonly CompiledPolicy[]): Promise<void> {
    this.base = [...policies];
    return this.refresh();
  }

  /** Recomputes the set after the refreshes already asked for; rejects when this one fails. */
  refresh(): Promise<void> {
    const run = this.refreshing.then(() => this.apply());
    this.refreshing = run.catch((err: unknown) => this.options.log.error({ err }, 'could not apply the policies; the previous ones keep running'));
    return run;
  }

  /** Settles when the refreshes asked for so far have. */
  settled(): Promise<void> {
    return this.refreshing;
  }

  private async apply(): Promise<void> {
    const { store, log } = this.options;
    const removed = new Set(store?.removedIds() ?? []);
    const deployed = store?.compiled() ?? [];
    const deployedIds = new Set(deployed.map((p) => p.id));
    let policies = [...this.base.filter((p) => !removed.has(p.id) && !deployedIds.has(p.id)), ...deployed];
    let geo = this.current.geo;
    if (!geo && policies.some((p) => p.policy.enabled && p.needs.geo)) {
      try {
        geo = await (this.options.loadGeo ?? loadGeoIpLocator)();
      } catch (err) {
        const left = policies.filter((p) => p.policy.enabled && p.needs.geo).map((p) => p.id);
        log.error({ err, policies: left }, 'no GeoIP database: impossible-travel policies do not run');
        policies = policies.filter((p) => !p.needs.geo);
      }
    }
    const regrouping = new Regrouping(policies);
    const set: PolicySet = { aligned: policies.filter((p) => !regrouping.policies.has(p.id)), regrouping, geo };
    const before = new Map(this.active.map((p) => [p.id, p.version]));
    const gone = [...before.keys()].filter((id) => removed.has(id) && !policies.some((p) => p.id === id));
    this.options.onChange(set, gone);
    this.current = set;
    this.active = policies;
    this.sources = new Map(policies.map((p) => [p.id, deployedIds.has(p.id) ? 'store' : 'folder']));
    const fresh = policies.filter((p) => before.get(p.id) !== p.version);
    if (fresh.length > 0 || gone.length > 0) {
      log.info({
        policies: policies.length, changed: fresh.slice(0, 50).map((p) => `${p.id}@${p.version}`), removed: gone, regrouped: [...regrouping.policies.keys()],
      }, 'policies in effect');
    }
  }
}
