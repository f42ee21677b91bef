/**
 * Policy benchmark, part of `npm run bench` (bench/ingest.bench.ts runs it last) or on its own:
 *   node --import tsx bench/policy.bench.ts
 * Prints policy evaluation throughput (events/s, one core) with every built-in policy enabled, and the
 * time from an event entering Kafka to its alert on the alert topic (p50/p95/p99), through a real
 * policy processor. BENCH_POLICY_EVENTS sets the events evaluated (default 300,000; N is read too);
 * MODE=failures makes every event a failed login (threshold-heavy worst case); BENCH_ALERTS the
 * alerts the latency is measured over (default 400); BENCH_POLICY_KAFKA_EVENTS the events a processor
 * consumes from Kafka for its throughput (default 100,000); KAFKA_BROKERS a broker (else the local one).
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKafkaBus } from '../core/kafka.js';
import { localKafkaOptionsFromEnv, resolveKafkaBrokers } from '../core/local-kafka.js';
import { createLogger, type Logger } from '../core/logger.js';
import { FOLDER_POLICY_VERSION } from '../processors/policy/from-config.js';
import { buildTestEvents, compilePolicy, Evaluator, loadGeoIpLocator, loadPolicyFiles, type GeoLocator } from '../processors/policy/index.js';
import { PolicyProcessor } from '../processors/policy/processor.js';
import { auditKey } from '../schemas/keys.js';
import { decode, encode } from '../schemas/registry.js';
import type { Alert, AuditEvent } from '../schemas/types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const POLICIES = path.join(ROOT, 'policies');
const GOLDEN = path.join(ROOT, 'ingestors/okta/testdata/golden');

export interface PolicyBenchOptions {
  brokers: string[];
  log: Logger;
  out: (line: string) => void;
  events?: number;
  alerts?: number;
  /** Events produced beforehand and then consumed by the processor, for its throughput. */
  kafkaEvents?: number;
}

const LIVE = { now: Date.now, maxEventAgeMs: 3_600_000, maxTargetsPerHour: 50, budgetMs: 5, strikes: 20 };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Real Okta events (the normalizer's golden outputs), re-stamped for many users and addresses. */
function benchEvents(n: number, failuresOnly: boolean): AuditEvent[] {
  const samples = buildTestEvents({ id: 'bench', kind: 'activity', providers: null }, 0,
    readdirSync(GOLDEN).filter((f) => /^\d+-.*\.expected\.json$/.test(f)).map((f) => JSON.parse(readFileSync(path.join(GOLDEN, f), 'utf8'))), () => {})
    .map((e) => e.record as AuditEvent);
  const users = 5000;
  const start = Date.parse('2024-03-01T00:00:00Z');
  const failing = failuresOnly ? { category: 'logon' as const, action: 'login' as const, outcome: 'failure' as const } : {};
  const events: AuditEvent[] = [];
  for (let i = 0; i < n; i++) {
    const s = samples[i % samples.length]!;
    const u = (i * 7919) % users;
    events.push({
      ...s, ...failing, event_id: `e${i}`, occurred_at: start + i * 20,
      actor: { ...s.actor, email: `user${u}@example.com` }, source: { ...s.source, ip: `198.51.${u % 250}.${(i >> 3) % 250}` },
    });
  }
  return events;
}

export async function runPolicyBench(options: PolicyBenchOptions): Promise<void> {
  const { out, log } = options;
  const { policies, problems } = await loadPolicyFiles([POLICIES], { version: FOLDER_POLICY_VERSION });
  if (problems.length > 0) throw new Error(`the built-in policies do not load: ${problems.length} problems`);
  const compiled = policies.map((p) => p.compiled);
  const geo: GeoLocator = await loadGeoIpLocator();

  // 1. Evaluation alone, one core: the evaluator and its in-memory state, no Kafka.
  const n = options.events ?? 300_000;
  const events = benchEvents(n, process.env.MODE === 'failures');
  const enricher = { actorAccount: () => ({ status: 'active' as const, groups: [], deleted: false }) };
  for (const round of [1, 2, 3]) {
    // Live settings, as the processor runs them: wall-clock limits and the sampled per-policy time budget.
    const evaluator = new Evaluator(compiled, { geo, enricher, live: LIVE });
    let alerts = 0;
    const t0 = performance.now();
    for (const e of events) alerts += evaluator.process(e).alerts.length;
    const ms = performance.now() - t0;
    out(`policy evaluation, round ${round}: ${compiled.length} built-in policies, ${n.toLocaleString('en-US')} events in ${Math.round(ms)} ms = ${Math.round((n / ms) * 1000).toLocaleString('en-US')} events/s (${alerts} alert updates)`);
  }

  // 2. Event into Kafka -> alert on the alert topic, through a policy processor with every built-in.
  const alertsWanted = options.alerts ?? 400;
  const bus = createKafkaBus({ brokers: options.brokers, clientId: 'bench-policy', prefix: `bench_${randomBytes(4).toString('hex')}`, partitions: 6, replicationFactor: 1, log });
  await bus.ensureTopics();
  // One alert per MFA reset (mfa-factor-reset-or-disabled), its daily alert limit raised for the run.
  const latencyPolicies = compiled.map((p) => (p.id !== 'mfa-factor-reset-or-disabled' ? p
    : compilePolicy({ ...p.document, alert: { ...p.document.alert, daily_limit: 1_000_000 } }, { version: FOLDER_POLICY_VERSION })));
  const processor = new PolicyProcessor({
    bus, log, groupId: `bench-policy-${randomBytes(4).toString('hex')}`, policies: latencyPolicies, lateArrivalMs: 3_600_000, store: null, loadGeo: async () => geo, live: LIVE, signingKey: randomBytes(32),
  });
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  try {
    await processor.start();
    const consumer = await bus.consume({
      groupId: `bench-alerts-${randomBytes(4).toString('hex')}`, topics: [bus.topics.alert], fromBeginning: true,
      eachBatch: async (batch) => {
        const at = performance.now();
        for (const r of batch.records) {
          const alert = decode(r.value!).record as Alert;
          const sent = sentAt.get(alert.event_ids[0] ?? '');
          if (sent !== undefined) {
            latencies.push(at - sent);
            sentAt.delete(alert.event_ids[0]!);
          }
        }
      },
    });
    // About 50 events a second, each sent alone (acks=all), timed from just before the send.
    const now = Date.now();
    for (let i = 0; i < alertsWanted; i++) {
      const event: AuditEvent = {
        ...events[0]!, event_id: `latency-${i}`, occurred_at: now + i, ingested_at: now + i, category: 'user', action: 'mfa_factor_reset',
        action_raw: 'user.mfa.factor.reset_all', outcome: 'success', outcome_reason: null,
        actor: { id: `admin${i}`, email: `admin${i}@example.com`, name: null, type: 'user' },
        targets: [{ type: 'user', type_raw: 'User', id: `u${i}`, name: null, email: `user${i}@example.com` }],
      };
      const message = { key: auditKey(event), value: Buffer.from(encode('audit-event', event)) };
      sentAt.set(event.event_id, performance.now());
      await bus.send(bus.topics.audit, [message]);
      await new Promise((r) => setTimeout(r, 20));
    }
    const deadline = Date.now() + 60_000;
    while (latencies.length < alertsWanted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await consumer.stop();
    latencies.sort((a, b) => a - b);
    if (latencies.length === 0) throw new Error('no alert arrived');
    out(`event into Kafka -> alert on the alert topic (${latencies.length} alerts, ${compiled.length} built-in policies): p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms`);

    // 3. The processor's throughput through Kafka (decode, evaluate, publish, save state, commit): a
    //    backlog on the audit topic, read by a processor of a new group from the first record to the last.
    const backlog = events.slice(0, Math.min(events.length, options.kafkaEvents ?? 100_000));
    for (let i = 0; i < backlog.length; i += 10_000) {
      await bus.send(bus.topics.audit, backlog.slice(i, i + 10_000).map((e) => ({ key: auditKey(e), value: Buffer.from(encode('audit-event', e)) })));
    }
    const total = backlog.length + alertsWanted;
    const readerGroup = `bench-policy-${randomBytes(4).toString('hex')}`;
    const reader = new PolicyProcessor({
      bus, log, groupId: readerGroup, policies: latencyPolicies, lateArrivalMs: 3_600_000, store: null, loadGeo: async () => geo, live: LIVE, signingKey: randomBytes(32),
    });
    try {
      await reader.start();
      const until = Date.now() + 600_000;
      let first = 0;
      while (Date.now() < until) {
        if (!first && reader.stats().records > 0) first = performance.now();
        const lag = (await bus.fetchLag(readerGroup, [bus.topics.audit])).reduce((n, p) => n + p.lag, 0);
        if (first && lag === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const ms = performance.now() - first;
      out(`policy processor through Kafka (1 process, 6 partitions, state saved per batch): ${total.toLocaleString('en-US')} events in ${Math.round(ms)} ms = ${Math.round((total / ms) * 1000).toLocaleString('en-US')} events/s`);
    } finally {
      await reader.stop();
    }
  } finally {
    await processor.stop();
    await bus.deleteTopics().catch(() => undefined);
    await bus.disconnect();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const log = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });
  const kafka = await resolveKafkaBrokers(process.env, localKafkaOptionsFromEnv(process.env, ROOT, log));
  try {
    await runPolicyBench({
      brokers: kafka.brokers, log, out: (line) => process.stdout.write(`${line}\n`),
      events: Number(process.env.BENCH_POLICY_EVENTS ?? process.env.N ?? 300_000),
      alerts: Number(process.env.BENCH_ALERTS ?? 400),
      kafkaEvents: Number(process.env.BENCH_POLICY_KAFKA_EVENTS ?? 100_000),
    });
  } finally {
    await kafka.stop();
  }
  process.exit(0);
}
