import type { Ctx } from './context.js';
import type { TimeRange } from './filters.js';
import { bucketWidth, type Bucket } from './histogram.js';

/**
 * Counts of activities over time from the API, when it offers an aggregation route (the issue's
 * "counts over time buckets"); null when it does not, and the activity log draws the rows it loaded.
 * The route is found in the API document: a GET under /v1/activities or /v1/aggregations whose path
 * says histogram, timeseries or counts.
 */
export async function loadHistogram(ctx: Ctx, filters: Record<string, string>, range: TimeRange): Promise<{ buckets: Bucket[]; width: number } | null> {
  const path = ctx.caps.find('get', /^\/v1\/(activities\/(histogram|timeseries|counts?)|aggregations\/(activities|histogram|timeseries))$/);
  if (!path) return null;
  const described = ctx.caps.queryParams('get', path);
  const params = described.map((p) => p.name);
  // The widths the API allows (`interval` enum, e.g. 1m 5m 15m 1h 6h 1d 7d): the narrowest giving at most 120 bars.
  const allowed = (described.find((p) => p.name === 'interval')?.enum ?? []).map((v) => [v, intervalMs(v)] as const).filter(([, ms]) => ms > 0).sort((a, b) => a[1] - b[1]);
  const span = range.toMs - range.fromMs;
  const chosen = allowed.find(([, ms]) => span / ms <= 120) ?? allowed[allowed.length - 1];
  const width = chosen ? chosen[1] : bucketWidth(span);
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(filters)) if (params.includes(k)) query[k] = v;
  const intervalParam = ['interval', 'bucket', 'bucket_ms', 'step'].find((n) => params.includes(n));
  if (intervalParam) query[intervalParam] = chosen ? chosen[0] : intervalParam === 'bucket_ms' ? String(width) : intervalText(width);
  const answer = await ctx.api.get<Record<string, unknown>>(path, query);
  const rows = (answer.buckets ?? answer.items ?? []) as Array<Record<string, unknown>>;
  const buckets = rows.map((r) => ({ t: Date.parse(String(r.t ?? r.start ?? r.bucket ?? r.time ?? r.at)), n: Number(r.count ?? r.n ?? 0) }))
    .filter((b) => Number.isFinite(b.t));
  const answeredWidth = Number(answer.bucket_ms ?? answer.interval_ms ?? width);
  return { buckets: fill(buckets, range, answeredWidth), width: answeredWidth };
}

function intervalMs(text: string): number {
  const m = /^(\d+)([mhd])$/.exec(text);
  return m ? Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd'] : 0;
}

function intervalText(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  return `${ms / 60_000}m`;
}

/** Empty buckets between those the API answered (it may leave them out). */
function fill(buckets: Bucket[], range: TimeRange, width: number): Bucket[] {
  const byStart = new Map(buckets.map((b) => [b.t, b.n]));
  const out: Bucket[] = [];
  for (let t = Math.floor(range.fromMs / width) * width; t < range.toMs; t += width) out.push({ t, n: byStart.get(t) ?? 0 });
  return out;
}
