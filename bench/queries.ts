/**
 * Query latencies of `npm run bench` over the stored history: the user + 24 h page, and the non-key
 * filters (an IP, a target id, a word of the raw record, an action over a week), each through
 * `GET /v1/activities`, with the data-skipping index each one used (EXPLAIN indexes = 1).
 */
import type { FastifyInstance } from 'fastify';
import type { ClickHouse } from '../core/clickhouse.js';
import { hasRawWords, rawWords, TARGET_IDS_INDEXED } from '../processors/sink/catalogue/index.js';
import type { AuditEvent } from '../schemas/types.js';
import type { Out } from './stages.js';

const DAY = 86_400_000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface QueryBench {
  app: FastifyInstance;
  ch: ClickHouse;
  authorization: string;
  events: readonly AuditEvent[];
  users: readonly string[];
  /** Days of history the stored day was copied into. */
  days: number;
  queries: number;
  out: Out;
}

async function timed(b: QueryBench, urls: (i: number) => string, n: number): Promise<{ p50: number; p95: number; rows: number }> {
  const latencies: number[] = [];
  let rows = 0;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const res = await b.app.inject({ headers: { authorization: b.authorization }, url: urls(i) });
    latencies.push(performance.now() - t);
    if (res.statusCode !== 200) throw new Error(`query failed: ${res.body}`);
    rows += (res.json() as { items: unknown[] }).items.length;
  }
  latencies.sort((a, c) => a - c);
  return { p50: percentile(latencies, 50), p95: percentile(latencies, 95), rows: Math.round(rows / n) };
}

const range = (from: number, to: number) => `from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`;

/** The index names that EXPLAIN says dropped granules for `where`, with the granules kept. */
async function indexesUsed(ch: ClickHouse, where: string, params: Record<string, unknown>): Promise<string> {
  const plan = (await ch.query<{ explain: string }>(`EXPLAIN indexes = 1 SELECT event_id FROM activities WHERE ${where}`, params)).map((r) => r.explain).join('\n');
  return [...plan.matchAll(/Name: (idx_\w+)[\s\S]*?Granules: (\d+\/\d+)/g)].map((m) => `${m[1]} ${m[2]}`).join(', ') || 'no skipping index';
}

export async function queryStage(b: QueryBench): Promise<void> {
  const now = Date.now();
  const span = Math.max(1, b.days) * DAY;
  const user = await timed(b, (i) => {
    const to = now - ((i * 104_729_000) % span);
    return `/v1/activities?user=${encodeURIComponent(b.users[(i * 7919) % b.users.length]!)}&${range(to - DAY, to)}&limit=100`;
  }, b.queries);
  b.out(`/v1/activities user + 24 h: p50 ${user.p50.toFixed(1)} ms, p95 ${user.p95.toFixed(1)} ms  (${b.queries} queries, ${user.rows} rows each on average)`);

  // Rare values: an IP seen a few times, a target id, a word of one raw record, a rare action.
  const byIp = new Map<string, number>();
  for (const e of b.events) if (e.source.ip) byIp.set(e.source.ip, (byIp.get(e.source.ip) ?? 0) + 1);
  const ips = [...byIp].sort((x, y) => x[1] - y[1]).slice(0, 20).map(([ip]) => ip);
  const targets = b.events.flatMap((e) => e.targets.map((t) => t.id)).filter((id): id is string => id !== null).slice(0, 2000).filter((_, i) => i % 97 === 0);
  const words = b.events.filter((_, i) => i % 9973 === 0).map((e) => (JSON.parse(e.raw) as { uuid?: string }).uuid?.split('-')[0]).filter((w): w is string => !!w);
  const actions = [...new Set(b.events.map((e) => e.action))];
  const week = range(now - 7 * DAY, now);
  const weekParams = { from: new Date(now - 7 * DAY).toISOString().replace('T', ' ').slice(0, 23), to: new Date(now).toISOString().replace('T', ' ').slice(0, 23) };
  const filters: Array<[string, string[], (v: string) => string, string]> = [
    ['an IP', ips, (v) => `ip=${encodeURIComponent(v)}`, 'src_ip = {v:String}'],
    ['a target id', targets, (v) => `target_id=${encodeURIComponent(v)}`, `has(${TARGET_IDS_INDEXED}, {v:String})`],
    ['a word in raw (q, substring)', words, (v) => `q=${encodeURIComponent(v)}`, 'positionCaseInsensitiveUTF8(raw, {v:String}) > 0'],
    ['a whole word in raw (words, word index)', words, (v) => `words=${encodeURIComponent(v)}`, hasRawWords('v')],
    ['an action', actions, (v) => `action=${encodeURIComponent(v)}`, 'action = {v:String}'],
  ];
  for (const [label, values, param, condition] of filters) {
    if (values.length === 0) continue;
    const r = await timed(b, (i) => `/v1/activities?${week}&${param(values[i % values.length]!)}&limit=100`, Math.min(b.queries, 60));
    const v = condition === hasRawWords('v') ? rawWords(values[0]!) : values[0];
    const used = await indexesUsed(b.ch, `occurred_at >= {from:DateTime64(3)} AND occurred_at < {to:DateTime64(3)} AND ${condition}`, { ...weekParams, v });
    b.out(`/v1/activities ${label} over a week: p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms  (${r.rows} rows each on average; ${used})`);
  }
}
