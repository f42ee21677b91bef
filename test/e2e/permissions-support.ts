import assert from 'node:assert/strict';
import { startTestStack, type TestStack } from '../support/appwarden.js';
import { FAST_INSTANCE } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';

export interface StreamStatus { stream: string; kind: string; state: string; published: number; lastSuccessAt: string | null }
export interface ConnectorStatus {
  provider: string; instance: string; phase: string;
  credentials: { ok: boolean; missing: Array<{ capability: string; reason: string; permission?: string }> } | null;
  streams: StreamStatus[];
}

/** A test stack stopped by `cleanups`. */
export async function permissionStack(cleanups: Array<() => Promise<unknown>>, ...args: Parameters<typeof startTestStack>): Promise<TestStack> {
  const s = await startTestStack(...args);
  cleanups.push(() => s.stop());
  return s;
}

/** The one instance of the stack, as `/v1/connectors` shows it. */
export async function status(s: TestStack): Promise<ConnectorStatus> {
  const items = (await s.api<{ items: ConnectorStatus[] }>('/v1/connectors')).body.items;
  assert.equal(items.length, 1);
  return items[0]!;
}

export const stream = (st: ConnectorStatus, name: string): StreamStatus => st.streams.find((s) => s.stream === name)!;
export const missingOf = (st: ConnectorStatus, capability: string) => st.credentials?.missing.find((m) => m.capability === capability);

/** Permissions checked again every second, so that a grant shows soon. */
export const RECHECK_OFTEN = { schedule: { ...FAST_INSTANCE.schedule, permissionsRecheckMs: 1000 } };

// A loaded machine makes a scan take seconds; these waits allow for it.
export const SLOW = { timeoutMs: 150_000 };

/** Waits until `stream` has published more than `after` events, and returns how many. */
export async function publishes(s: TestStack, name: string, after = 0): Promise<number> {
  return waitFor(async () => {
    const published = stream(await status(s), name).published;
    return published > after ? published : 0;
  }, { what: `${name} publishing`, ...SLOW });
}

/** Waits until `capability` is no longer listed missing. */
export async function notMissing(s: TestStack, ...capabilities: string[]): Promise<void> {
  await waitFor(async () => {
    const st = await status(s);
    return capabilities.every((c) => missingOf(st, c) === undefined);
  }, { what: `${capabilities.join(', ')} no longer missing`, ...SLOW });
}
