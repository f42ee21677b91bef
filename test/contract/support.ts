import assert from 'node:assert/strict';
import { isAppwardenError } from '../../core/errors.js';
import type { ConsumedRecord } from '../../core/kafka.js';
import type { ConnectorDefinition } from '../../ingestors/contract.js';
import { CONNECTORS } from '../../ingestors/registry.js';
import { decode } from '../../schemas/registry.js';
import type { AuditEvent } from '../../schemas/types.js';
import type { TestStack } from '../support/appwarden.js';
import { freshName } from '../support/fresh.js';
import { FAST_INSTANCE } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import type { ContractFixture, ContractTenant } from './fixture.js';
import { FIXTURES } from './fixtures/index.js';

/** Every registered connector, each with its contract fixture (undefined when the provider supplies none). */
export function contractProviders(): Array<{ definition: ConnectorDefinition; fixture: ContractFixture | undefined }> {
  return [...CONNECTORS.values()].map((definition) => ({ definition, fixture: FIXTURES.get(definition.id) }));
}

export function requireFixture(definition: ConnectorDefinition, fixture: ContractFixture | undefined): ContractFixture {
  assert.ok(fixture, `${definition.id} has no contract fixture: add test/contract/fixtures/${definition.id.replace(/_/g, '-')}.ts and list it in fixtures/index.ts`);
  return fixture;
}

/**
 * A suite's setup, run by the first of its tests that runs (the others wait for it). Node runs a suite's
 * `before` hooks even when `--test-name-pattern` leaves it no test to run: one provider's cases would
 * start every provider's simulators and stack.
 */
export function onFirstTest(setup: () => Promise<void>): () => Promise<void> {
  let started: Promise<void> | undefined;
  return () => (started ??= setup());
}

/** Instance settings for a tenant: the shared fast timings, the tenant's own settings, then `extra`. */
export function instanceSettings(tenant: ContractTenant, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...FAST_INSTANCE, ...tenant.settings(), schedule: FAST_INSTANCE.schedule, activities: FAST_INSTANCE.activities, limits: FAST_INSTANCE.limits, ...extra };
}

/** The event ids the connector's own normalizer gives raw records, for one instance; a record it cannot normalize (a dead letter) gives none. */
export function eventIds(definition: ConnectorDefinition, raws: readonly unknown[], instance: string): string[] {
  return raws.flatMap((raw) => {
    let events;
    try {
      events = definition.normalizeActivity(raw, { instance, ingestedAt: 0 });
    } catch (err) {
      if (isAppwardenError(err, 'AW_NORMALIZE_FAILED')) return [];
      throw err;
    }
    return (Array.isArray(events) ? events : [events]).map((e) => e.event_id);
  });
}

export async function storedIds(s: TestStack, provider: string, instance: string): Promise<string[]> {
  const rows = await s.clickhouse.query<{ event_id: string }>(
    'SELECT event_id FROM activities FINAL WHERE provider = {provider:String} AND instance = {instance:String}', { provider, instance });
  return rows.map((r) => r.event_id).sort();
}

export async function countOf(s: TestStack, sql: string, params: Record<string, unknown>): Promise<number> {
  return Number((await s.clickhouse.query<{ n: number | string }>(sql, params))[0]?.n ?? 0);
}

/** Waits until ClickHouse holds exactly the events the tenant serves now (the target may grow while waiting). */
export async function everyActivityStored(s: TestStack, definition: ConnectorDefinition, tenant: ContractTenant, instance: string): Promise<string[]> {
  let expected: string[] = [];
  await waitFor(async () => {
    expected = [...new Set(eventIds(definition, tenant.expectedActivities(), instance))].sort();
    const stored = await storedIds(s, definition.id, instance);
    return stored.length === expected.length && stored.every((id, i) => id === expected[i]);
  }, { what: `every ${definition.id}.${instance} activity stored`, timeoutMs: 120_000 });
  return expected;
}

export async function waitStored(s: TestStack, eventId: string): Promise<void> {
  await waitFor(async () => (await countOf(s, 'SELECT count() AS n FROM activities FINAL WHERE event_id = {id:String}', { id: eventId })) === 1,
    { what: `event ${eventId} stored`, timeoutMs: 120_000 });
}

export interface ConnectorStatus {
  provider: string;
  instance: string;
  phase: string;
  http: { requests: number; throttled: number; throttleWaitMs: number };
  credentials: { ok: boolean; missing: Array<{ capability: string; reason: string; permission?: string }> } | null;
  streams: Array<{ stream: string; state: string; deadLettered: number; lastRunStartedAt: string | null; lastSuccessAt: string | null }>;
}

export async function connectorStatus(s: TestStack, provider: string, instance: string): Promise<ConnectorStatus> {
  const res = await s.api<{ items: ConnectorStatus[] }>('/v1/connectors');
  const found = res.body.items.find((i) => i.provider === provider && i.instance === instance);
  assert.ok(found, `/v1/connectors lists ${provider}.${instance}`);
  return found;
}

/** A consumer of some topics from their beginning, for the whole of a test file (one group join, not one per test). */
export interface TopicTap {
  /** Waits until the records read so far satisfy `until`, and answers them. */
  until(topic: string, until: (records: ConsumedRecord[]) => boolean): Promise<ConsumedRecord[]>;
  stop(): Promise<void>;
}

export async function tapTopics(s: TestStack, topics: readonly string[]): Promise<TopicTap> {
  const byTopic = new Map<string, ConsumedRecord[]>(topics.map((t) => [t, []]));
  const consumer = await s.bus.consume({
    groupId: freshName('contract'), topics: [...topics], fromBeginning: true,
    eachBatch: async (batch) => { for (const r of batch.records) byTopic.get(r.topic)?.push(r); },
  });
  return {
    async until(topic, until) {
      const records = byTopic.get(topic)!;
      await waitFor(() => until(records), { what: `records on ${topic}`, timeoutMs: 120_000 });
      return records;
    },
    stop: () => consumer.stop(),
  };
}

/** Every record of a topic so far, read by a fresh consumer group, once `until` holds. */
export async function readTopic(s: TestStack, topic: string, until: (records: ConsumedRecord[]) => boolean): Promise<ConsumedRecord[]> {
  const records: ConsumedRecord[] = [];
  const consumer = await s.bus.consume({
    groupId: freshName('contract'), topics: [topic], fromBeginning: true,
    eachBatch: async (batch) => { records.push(...batch.records); },
  });
  try {
    await waitFor(() => until(records), { what: `records on ${topic}`, timeoutMs: 120_000 });
    return records;
  } finally {
    await consumer.stop();
  }
}

/** The audit events on the topic, decoded. */
export function auditEvents(records: readonly ConsumedRecord[]): AuditEvent[] {
  return records.filter((r) => r.value).map((r) => decode(r.value!).record as AuditEvent);
}
