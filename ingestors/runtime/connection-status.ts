import type { ConnectionApplier } from './connection-applier.js';
import type { ConnectionStore } from './connection-store.js';
import type { InstanceStatus } from './instance-status.js';
import { isDegraded } from './stream-status.js';

/** One word for an instance's health, as the connections page shows it. */
export type ConnectionHealth = 'connected' | 'connecting' | 'degraded' | 'error' | 'paused' | 'disconnected';

export function healthOf(status: InstanceStatus): ConnectionHealth {
  if (status.phase === 'error' || status.credentials?.ok === false) return 'error';
  if (status.phase === 'running' || status.phase === 'scanning_accounts') {
    const missing = (status.credentials?.missing.length ?? 0) > 0;
    return missing || status.streams.some((s) => isDegraded(s)) ? 'degraded' : 'connected';
  }
  if (status.phase === 'stopped') return 'paused';
  return 'connecting';
}

/**
 * The runners' statuses with the connections' state: each running instance with its `health`, and an
 * entry for every paused or disconnected one (and one whose settings could not be applied: error).
 */
export function withConnectionState(statuses: InstanceStatus[], store: ConnectionStore | null, applier: ConnectionApplier | null): Array<InstanceStatus & { health: ConnectionHealth; problem?: string }> {
  const out: Array<InstanceStatus & { health: ConnectionHealth; problem?: string }> = statuses.map((s) => ({
    ...s, health: healthOf(s), streams: s.streams.map((stream) => ({ ...stream, degraded: isDegraded(stream) })),
  }));
  for (const c of store?.list() ?? []) {
    const at = out.findIndex((s) => s.provider === c.provider && s.instance === c.instance);
    const problem = applier?.problem(c.provider, c.instance);
    const health: ConnectionHealth | null = c.state === 'disconnected' ? 'disconnected' : c.state === 'paused' ? 'paused' : problem ? 'error' : null;
    if (health === null) continue;
    const entry = {
      provider: c.provider, instance: c.instance, phase: 'stopped' as const, credentials: null, streams: [], http: null, source: 'runner' as const,
      health, ...(problem ? { problem } : {}),
    };
    if (at === -1) out.push(entry);
    else out[at] = { ...out[at]!, health, ...(problem ? { problem } : {}) };
  }
  return out;
}
