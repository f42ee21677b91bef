import type { AlertState } from './alerts.js';
import type { CompiledPolicy } from './compile.js';
import type { PolicyState } from './state.js';
import { travelHorizonMs, type HistoryState, type LocationState, type WindowState } from './stateful.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * The keys of state that no record at or after `now` (the newest record time) can need: windows
 * older than their window, histories older than their lookback, last locations from which no travel
 * is impossible any more, alerts one period past their bucket, and counters of past days and hours.
 * State of policies not in `policies` is left alone.
 */
export function staleKeys(state: PolicyState, policies: ReadonlyMap<string, CompiledPolicy>, now: number): string[] {
  const stale: string[] = [];
  for (const key of state.keys()) {
    const [policyId = '', tag = '', rest = ''] = key.split('\u001f');
    const policy = policies.get(policyId);
    if (!policy) continue;
    const value = state.get(key);
    switch (tag) {
      case 'w': {
        const win = value as WindowState;
        const newest = win.e.at(-1)?.[1] ?? -Infinity;
        if (newest < now - (policy.windowMs ?? 0)) stale.push(key);
        break;
      }
      case 'n': {
        const history = value as HistoryState;
        if (Object.values(history.v).every(([last]) => last < now - (policy.lookbackMs ?? 0))) stale.push(key);
        break;
      }
      case 't': {
        const spec = policy.policy.impossible_travel;
        if ((value as LocationState).t < now - travelHorizonMs(spec?.max_speed_kmh ?? 1000)) stale.push(key);
        break;
      }
      case 'a': {
        // Kept one period past its bucket, for records that arrive late.
        const alert = (value as AlertState).alert;
        const bucketEnd = (Math.floor(alert.created_at / policy.periodMs) + 1) * policy.periodMs;
        if (bucketEnd + policy.periodMs < now) stale.push(key);
        break;
      }
      case 'm':
      case 'l':
        if (parseInt(rest, 10) < Math.floor(now / DAY_MS) - 1) stale.push(key);
        break;
      case 's':
        if (Number(rest) < Math.floor(now / HOUR_MS) - 1) stale.push(key);
        break;
    }
  }
  return stale;
}
