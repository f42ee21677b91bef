// Policy evaluation throughput (events/s, one core) with every built-in policy enabled.
// Meant for bench/policy.bench.ts:   node --import tsx bench/policy.bench.ts
//   N=1000000 events; MODE=failures makes every event a failed login (threshold-heavy worst case).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildTestEvents, Evaluator, loadGeoIpLocator, loadPolicyFiles } from '../processors/policy/index.js';
import type { AuditEvent } from '../schemas/types.js';

const POLICIES = fileURLToPath(new URL('../policies/', import.meta.url));
const GOLDEN = fileURLToPath(new URL('../ingestors/okta/testdata/golden/', import.meta.url));
const { policies } = await loadPolicyFiles([POLICIES]);
const samples = buildTestEvents({ id: 'bench', kind: 'activity', providers: null }, 0,
  readdirSync(GOLDEN).filter((f) => /^\d+-.*\.expected\.json$/.test(f)).map((f) => JSON.parse(readFileSync(`${GOLDEN}${f}`, 'utf8'))), () => {})
  .map((e) => e.record as AuditEvent);

const N = Number(process.env.N ?? 500_000);
const USERS = 5000;
const start = Date.parse('2024-03-01T00:00:00Z');
const failing = process.env.MODE === 'failures' ? { category: 'logon' as const, action: 'login' as const, outcome: 'failure' as const } : {};
const events: AuditEvent[] = [];
for (let i = 0; i < N; i++) {
  const s = samples[i % samples.length]!;
  const u = (i * 7919) % USERS;
  events.push({
    ...s, ...failing, event_id: `e${i}`, occurred_at: start + i * 20,
    actor: { ...s.actor, email: `user${u}@example.com` }, source: { ...s.source, ip: `198.51.${u % 250}.${(i >> 3) % 250}` },
  });
}
const geo = await loadGeoIpLocator();
const enricher = { actorAccount: () => ({ status: 'active' as const, groups: [], deleted: false }) };
for (const round of [1, 2, 3]) {
  const evaluator = new Evaluator(policies.map((p) => p.compiled), { geo, enricher });
  const t0 = process.hrtime.bigint();
  for (const e of events) evaluator.process(e);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(`policy evaluation, round ${round}: ${policies.length} policies, ${N} events in ${seconds.toFixed(2)} s = ${Math.round(N / seconds)} events/s\n`);
}
