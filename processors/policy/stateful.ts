import type { CompiledPolicy } from './compile.js';
import { distanceKm, MAX_DISTANCE_KM, type GeoLocator } from './geo.js';
import type { RecordContext } from './record-context.js';
import type { PolicyState } from './state.js';

/** The conclusion of a policy's stateful section for one matching record. */
export interface Firing {
  /** How many matching events the firing stands for (threshold: the window's events). */
  count: number;
  /** Their ids, oldest first. */
  eventIds: string[];
  firstSeen: number;
  /** Values for the title template (`count`, `new_value`, `from`...). */
  variables: Record<string, unknown>;
  /** Facts for the alert's attributes. */
  attributes: Record<string, string>;
}

/** The record was seen before (a replay): it must change nothing. */
export const REPLAYED = 'replayed' as const;

/** Most entries a threshold window keeps per group (the oldest go first). */
export const MAX_WINDOW_ENTRIES = 10_000;

/** `[event id, time, distinct value]`, oldest first. */
export type WindowEntry = [string, number, string | null];
export interface WindowState { e: WindowEntry[] }
/** value → [last seen, id of the record that last set it]. */
export interface HistoryState { v: Record<string, [number, string]> }
export interface LocationState { t: number; id: string; ip: string; lat: number; lon: number; country: string | null; city: string | null }

/** The key of one piece of a policy's state: policy id, kind of entry, and the rest (group, day...). */
export function stateKey(policyId: string, tag: string, rest: string): string {
  return `${policyId}\u001f${tag}\u001f${rest}`;
}

export function threshold(policy: CompiledPolicy, state: PolicyState, group: string, ctx: RecordContext, id: string, t: number): Firing | typeof REPLAYED | null {
  const spec = policy.policy.threshold!;
  const distinct = spec.distinct ? policy.distinctValue(ctx) : null;
  if (spec.distinct && distinct === null) return null;
  const key = stateKey(policy.id, 'w', group);
  const win = (state.get(key) as WindowState | undefined) ?? { e: [] };
  const entries = win.e;
  for (const e of entries) if (e[0] === id) return REPLAYED;

  let at = entries.length;
  while (at > 0 && entries[at - 1]![1] > t) at--;
  entries.splice(at, 0, [id, t, distinct]);
  const newest = entries[entries.length - 1]![1];
  const start = newest - policy.windowMs!;
  let drop = 0;
  while (drop < entries.length && entries[drop]![1] < start) drop++;
  drop = Math.max(drop, entries.length - MAX_WINDOW_ENTRIES);
  if (drop > 0) entries.splice(0, drop);
  state.set(key, win);

  if (!entries.some((e) => e[0] === id)) return null; // older than the window
  const count = spec.distinct ? new Set(entries.map((e) => e[2])).size : entries.length;
  if (count < spec.count) return null;
  return {
    count: entries.length,
    eventIds: entries.map((e) => e[0]),
    firstSeen: entries[0]![1],
    variables: { count },
    attributes: { count: String(count), window: spec.within, ...(spec.distinct ? { distinct_field: spec.distinct } : {}) },
  };
}

export function newValue(policy: CompiledPolicy, state: PolicyState, group: string, ctx: RecordContext, id: string, t: number): Firing | typeof REPLAYED | null {
  const value = policy.newValue(ctx);
  if (value === null) return null;
  const key = stateKey(policy.id, 'n', group);
  const history = (state.get(key) as HistoryState | undefined) ?? { v: {} };
  const since = t - policy.lookbackMs!;
  const seen = Object.hasOwn(history.v, value) ? history.v[value]! : null;
  if (seen && seen[1] === id) return REPLAYED;

  const isNew = seen === null || seen[0] < since;
  if (seen === null || t >= seen[0]) history.v[value] = [t, id];
  let known: string[] | null = null;
  for (const v in history.v) {
    if (v === value) continue;
    if (history.v[v]![0] < since) delete history.v[v];
    else if (isNew) (known ??= []).push(v);
  }
  state.set(key, history);

  // The first value of a group with no history is learned: nothing to compare it with.
  if (!isNew || known === null) return null;
  return {
    count: 1,
    eventIds: [id],
    firstSeen: t,
    variables: { new_value: value },
    attributes: { new_value: value, known_values: known.sort().join(', '), lookback: policy.policy.new_value!.lookback },
  };
}

export function impossibleTravel(
  policy: CompiledPolicy, state: PolicyState, geo: GeoLocator, group: string, ctx: RecordContext, id: string, t: number,
): Firing | typeof REPLAYED | null {
  const spec = policy.policy.impossible_travel!;
  const ip = policy.travelIp(ctx);
  if (ip === null) return null;
  const key = stateKey(policy.id, 't', group);
  const last = state.get(key) as LocationState | undefined;
  if (last && (last.id === id || t < last.t)) return REPLAYED;
  const here = geo.locate(ip);
  if (!here) return null;
  state.set(key, { t, id, ip, lat: here.lat, lon: here.lon, country: here.country, city: here.city } satisfies LocationState);
  if (!last || last.ip === ip) return null;

  const km = distanceKm(last, here);
  if (km < spec.min_distance_km) return null;
  const hours = (t - last.t) / 3_600_000;
  const speed = hours > 0 ? km / hours : Infinity;
  if (speed <= spec.max_speed_kmh) return null;
  const place = (city: string | null, country: string | null, address: string) => `${[city, country].filter(Boolean).join(', ') || 'unknown place'} (${address})`;
  const from = place(last.city, last.country, last.ip);
  const to = place(here.city, here.country, ip);
  const variables = { from, to, distance_km: Math.round(km), speed_kmh: Number.isFinite(speed) ? Math.round(speed) : 'instant' };
  return {
    count: 2,
    eventIds: [last.id, id],
    firstSeen: last.t,
    variables,
    attributes: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(v)])),
  };
}

/** How long a last location can still make travel impossible: the farthest trip at the maximum speed. */
export function travelHorizonMs(maxSpeedKmh: number): number {
  return Math.ceil((MAX_DISTANCE_KM / maxSpeedKmh) * 3_600_000);
}
