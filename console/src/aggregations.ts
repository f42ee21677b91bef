import type { Ctx } from './context.js';
import type { TimeRange } from './filters.js';
import type { Bucket } from './histogram.js';

const HISTOGRAM = '/v1/aggregations/histogram';

/**
 * Counts of every matching activity over time, from `GET /v1/aggregations/histogram` with the activity
 * log's filters, at the narrowest of the API's intervals (its `interval` values) giving at most 120 bars.
 */
export async function loadHistogram(ctx: Ctx, filters: Record<string, string>, range: TimeRange): Promise<{ buckets: Bucket[]; width: number }> {
  const described = ctx.caps.queryParams('get', HISTOGRAM);
  const intervals = (described.find((p) => p.name === 'interval')?.enum ?? []).map((v) => [v, intervalMs(v)] as const)
    .filter(([, ms]) => ms > 0).sort((a, b) => a[1] - b[1]);
  const span = range.toMs - range.fromMs;
  const chosen = intervals.find(([, ms]) => span / ms <= 120) ?? intervals[intervals.length - 1];
  const query: Record<string, string> = {};
  for (const p of described) if (filters[p.name] !== undefined) query[p.name] = filters[p.name]!;
  if (chosen) query.interval = chosen[0];
  const answer = await ctx.api.get<{ interval: string; buckets: Array<{ start: string; count: number }> }>(HISTOGRAM, query);
  return { buckets: answer.buckets.map((b) => ({ t: Date.parse(b.start), n: b.count })), width: intervalMs(answer.interval) };
}

function intervalMs(text: string): number {
  const m = /^(\d+)([mhd])$/.exec(text);
  return m ? Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd'] : 0;
}
