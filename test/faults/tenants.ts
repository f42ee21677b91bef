/**
 * One small simulated tenant per registered provider (the contract fixtures), served from this
 * process so that they outlive every Appwarden process the suite kills; and the check of a case:
 * through the API, is every expected event stored, once?
 */
import type { ConnectorDefinition } from '../../ingestors/contract.js';
import { CONNECTORS } from '../../ingestors/registry.js';
import { faultsInSettings, type SimulatorFaults } from '../../simulators/common/faults.js';
import type { ContractTenant } from '../contract/fixture.js';
import { FIXTURES } from '../contract/fixtures/index.js';
import { eventIds } from '../contract/support.js';
import { FAST_INSTANCE } from '../support/stack.js';
import type { FaultStack } from './stack.js';

export const INSTANCE = 'f';

export interface Tenant {
  provider: string;
  definition: ConnectorDefinition;
  tenant: ContractTenant;
  faults: SimulatorFaults[];
}

/** Timings for a loaded 2-core machine: polls every second, a short HTTP timeout so a hang is seen quickly. */
const TIMINGS = {
  schedule: { ...FAST_INSTANCE.schedule, activitiesEveryMs: 1000, changesEveryMs: 1000 },
  // A provider's lateness window (if any) is swept every 30 s rather than its default minutes.
  activities: { ...FAST_INSTANCE.activities, lateSweepEveryMs: 30_000 },
  limits: { ...FAST_INSTANCE.limits, timeoutMs: 3000, maxAttempts: 4 },
};

export async function startTenants(seed: string, only?: readonly string[]): Promise<Tenant[]> {
  const tenants: Tenant[] = [];
  for (const definition of CONNECTORS.values()) {
    if (only && !only.includes(definition.id)) continue;
    const fixture = FIXTURES.get(definition.id);
    if (!fixture) throw new Error(`${definition.id} has no contract fixture (test/contract/fixtures)`);
    const tenant = await fixture.start(`${seed}-${definition.id}`);
    tenants.push({ provider: definition.id, definition, tenant, faults: faultsInSettings(tenant.settings()) });
  }
  return tenants;
}

/** Okta's System Log and ServiceNow's lists hold 1000 records a page by default: smaller ones so that a burst of events spans pages. */
const PAGING: Record<string, Record<string, unknown>> = { okta: { logPageSize: 100 }, servicenow: { pageSize: 100 } };

export function connectorSettings(tenants: readonly Tenant[]): Record<string, Record<string, unknown>> {
  return Object.fromEntries(tenants.map((t) => [t.provider, { [INSTANCE]: { ...FAST_INSTANCE, ...t.tenant.settings(), ...TIMINGS, ...PAGING[t.provider] } }]));
}

export interface Tally {
  expected: number;
  stored: number;
  duplicates: number;
  missing: number;
  /** Stored ids no tenant serves. */
  unexpected: number;
  byProvider: Record<string, { expected: number; stored: number; duplicates: number; missing: number; unexpected: number }>;
}

/** The event ids the API lists for one instance (every page of the NDJSON export), in order. */
export async function storedIds(stack: FaultStack, provider: string): Promise<string[]> {
  const from = new Date(Date.now() - 6 * 86_400_000).toISOString();
  const to = new Date(Date.now() + 86_400_000).toISOString();
  const res = await fetch(`${stack.apiUrl}/v1/activities?provider=${provider}&instance=${INSTANCE}&from=${from}&to=${to}&format=ndjson`, {
    headers: { authorization: `Bearer ${stack.adminKey}` }, signal: AbortSignal.timeout(60_000),
  });
  if (res.status !== 200) throw new Error(`GET /v1/activities for ${provider}: ${res.status} ${await res.text()}`);
  return (await res.text()).split('\n').filter((l) => l.trim() !== '').map((l) => (JSON.parse(l) as { event_id: string }).event_id);
}

/** Events the tenants do not serve but a case made Appwarden store (a replayed dead letter), by provider. */
export const EXTRA_EXPECTED = new Map<string, Set<string>>();

/** Events the tenants serve that must not be stored (an oversized record, dead-lettered though it normalizes), by provider. */
export const NOT_EXPECTED = new Map<string, Set<string>>();

export async function tally(stack: FaultStack, tenants: readonly Tenant[]): Promise<Tally> {
  const total: Tally = { expected: 0, stored: 0, duplicates: 0, missing: 0, unexpected: 0, byProvider: {} };
  for (const t of tenants) {
    const excluded = NOT_EXPECTED.get(t.provider);
    const served = eventIds(t.definition, t.tenant.expectedActivities(), INSTANCE).filter((id) => !excluded?.has(id));
    const expected = new Set([...served, ...(EXTRA_EXPECTED.get(t.provider) ?? [])]);
    const stored = await storedIds(stack, t.provider);
    const seen = new Set<string>();
    let duplicates = 0;
    for (const id of stored) {
      if (seen.has(id)) duplicates++;
      seen.add(id);
    }
    const missing = [...expected].filter((id) => !seen.has(id)).length;
    const unexpected = [...seen].filter((id) => !expected.has(id)).length;
    total.byProvider[t.provider] = { expected: expected.size, stored: stored.length, duplicates, missing, unexpected };
    total.expected += expected.size;
    total.stored += stored.length;
    total.duplicates += duplicates;
    total.missing += missing;
    total.unexpected += unexpected;
  }
  return total;
}

export async function poll(condition: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 1000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await Promise.resolve(condition()).catch(() => false)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
