import Type, { type Static } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { ClickHouse } from '../../core/clickhouse.js';
import { ActivityFilterProperties, activityConditions, timeRangeOf, type ActivityFilters } from '../activity-query.js';
import { badRequest } from '../errors.js';
import { ErrorBodySchema } from '../schemas.js';
import { latestActivities } from '../../processors/sink/catalogue/index.js';

/** What a count may be grouped by: the SQL of its key (and of a display name), over `activities`. */
const DIMENSIONS = {
  user: { key: 'user_key', name: 'anyLast(actor_name)', skip: "user_key != ''" },
  action: { key: 'action' },
  action_raw: { key: 'action_raw' },
  category: { key: 'category' },
  outcome: { key: 'outcome' },
  provider: { key: 'provider' },
  instance: { key: "concat(provider, '.', instance)" },
  ip: { key: 'assumeNotNull(src_ip)', skip: 'src_ip IS NOT NULL' },
  country: { key: 'assumeNotNull(country)', skip: 'country IS NOT NULL' },
  // One event counts once for each of its targets.
  target: { key: "concat(tupleElement(t, 1), ':', ifNull(tupleElement(t, 2), ''))", name: 'anyLast(tupleElement(t, 3))', join: 'ARRAY JOIN arrayZip(target_types, target_ids, target_names) AS t' },
} as const satisfies Record<string, { key: string; name?: string; skip?: string; join?: string }>;
type Dimension = keyof typeof DIMENSIONS;
const DIMENSION_NAMES = Object.keys(DIMENSIONS) as Dimension[];

const INTERVALS = { '1m': 60, '5m': 300, '15m': 900, '1h': 3600, '6h': 21_600, '1d': 86_400, '7d': 604_800 } as const;
const MAX_BUCKETS = 5000;

const TopQuerySchema = Type.Object({
  ...ActivityFilterProperties,
  by: Type.Enum(DIMENSION_NAMES, { description: 'what to count by; target: type:id of each target' }),
  top: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'how many of the top keys, default 10' })),
}, { additionalProperties: false });

const HistogramQuerySchema = Type.Object({
  ...ActivityFilterProperties,
  interval: Type.Optional(Type.Enum(Object.keys(INTERVALS) as Array<keyof typeof INTERVALS>, { description: 'bucket width, default 1h; buckets are aligned to UTC' })),
  by: Type.Optional(Type.Enum(DIMENSION_NAMES, { description: 'also one series per key of the top keys over the range' })),
  top: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, description: 'series of `by`, default 5' })),
}, { additionalProperties: false });

const TopSchema = Type.Object({
  by: Type.String(),
  total: Type.Integer({ description: 'events matching the filters (for target: event-target pairs)' }),
  items: Type.Array(Type.Object({ key: Type.String(), name: Type.Union([Type.String(), Type.Null()]), count: Type.Integer() })),
});

const HistogramSchema = Type.Object({
  interval: Type.String(),
  buckets: Type.Array(Type.Object({ start: Type.String(), count: Type.Integer() })),
  series: Type.Optional(Type.Array(Type.Object({ key: Type.String(), total: Type.Integer(), counts: Type.Array(Type.Integer(), { description: 'one per bucket, in the order of `buckets`' }) }))),
});

type TopQuery = Static<typeof TopQuerySchema> & ActivityFilters;
type HistogramQuery = Static<typeof HistogramQuerySchema> & ActivityFilters;

/**
 * `GET /v1/aggregations/top` and `/v1/aggregations/histogram`: counts of the activities the filters
 * select (the same filters as `/v1/activities`), by key or over time buckets.
 */
export function aggregationRoutes(app: FastifyInstance, deps: { clickhouse: ClickHouse; maxQueryRangeDays: number }): void {
  app.get('/v1/aggregations/top', {
    config: { role: 'analyst' },
    schema: {
      summary: 'Top-N: the keys with the most activities (who downloaded most files this week)',
      tags: ['aggregations'],
      querystring: TopQuerySchema,
      response: { 200: TopSchema, 400: ErrorBodySchema },
    },
  }, async (request) => {
    const query = request.query as TopQuery;
    const dim: { key: string; name?: string; skip?: string; join?: string } = DIMENSIONS[query.by];
    const where = activityConditions(query, deps.maxQueryRangeDays, { top: query.top ?? 10 });
    if (dim.skip) where.add(dim.skip);
    const from = `FROM activities FINAL ${dim.join ?? ''} WHERE ${latestActivities(String(where))}`;
    const [items, totals] = await Promise.all([
      deps.clickhouse.query<{ key: string; name: string | null; count: number }>(
        `SELECT ${dim.key} AS key, ${dim.name ?? 'NULL'} AS name, count() AS count ${from} GROUP BY key ORDER BY count DESC, key LIMIT {top:UInt32}`, where.params),
      deps.clickhouse.query<{ total: number }>(`SELECT count() AS total ${from}`, where.params),
    ]);
    return { by: query.by, total: totals[0]?.total ?? 0, items: items.map((i) => ({ key: i.key, name: i.name || null, count: i.count })) };
  });

  app.get('/v1/aggregations/histogram', {
    config: { role: 'analyst' },
    schema: {
      summary: 'Counts over time buckets (failed logons per hour), optionally one series per top key (by country)',
      description: 'Every bucket of the range is answered, empty ones with 0. At most 5000 buckets.',
      tags: ['aggregations'],
      querystring: HistogramQuerySchema,
      response: { 200: HistogramSchema, 400: ErrorBodySchema },
    },
  }, async (request) => {
    const query = request.query as HistogramQuery;
    const interval = query.interval ?? '1h';
    const step = INTERVALS[interval];
    const { from, to } = timeRangeOf(query, deps.maxQueryRangeDays);
    const where = activityConditions(query, deps.maxQueryRangeDays, { step });
    const first = Math.floor(from / (step * 1000)) * step * 1000;
    const count = Math.ceil((to - first) / (step * 1000));
    if (count > MAX_BUCKETS) throw badRequest(`querystring.interval: ${interval} buckets over this range make ${count}; at most ${MAX_BUCKETS} (choose a wider interval or a shorter range)`, 'interval');
    const starts = Array.from({ length: count }, (_, i) => first + i * step * 1000);
    const index = new Map(starts.map((s, i) => [s, i]));
    const bucketSql = 'toUnixTimestamp(toStartOfInterval(occurred_at, toIntervalSecond({step:UInt32}))) * 1000';
    const rows = await deps.clickhouse.query<{ bucket: number; count: number }>(
      `SELECT ${bucketSql} AS bucket, count() AS count FROM activities FINAL WHERE ${latestActivities(String(where))} GROUP BY bucket`, where.params);
    const totals = new Array<number>(count).fill(0);
    for (const r of rows) {
      const i = index.get(Number(r.bucket));
      if (i !== undefined) totals[i] = r.count;
    }
    const answer: Static<typeof HistogramSchema> = { interval, buckets: starts.map((s, i) => ({ start: new Date(s).toISOString(), count: totals[i]! })) };
    if (query.by !== undefined) {
      const dim: { key: string; skip?: string; join?: string } = DIMENSIONS[query.by];
      if (dim.skip) where.add(dim.skip);
      where.params.top = query.top ?? 5;
      const from = `FROM activities FINAL ${dim.join ?? ''} WHERE ${latestActivities(String(where))}`;
      const series = await deps.clickhouse.query<{ key: string; bucket: number; count: number }>(
        `WITH top_keys AS (SELECT ${dim.key} AS key ${from} GROUP BY key ORDER BY count() DESC, key LIMIT {top:UInt32})
         SELECT ${dim.key} AS key, ${bucketSql} AS bucket, count() AS count ${from} AND ${dim.key} IN (SELECT key FROM top_keys)
         GROUP BY key, bucket`, where.params);
      const byKey = new Map<string, number[]>();
      for (const r of series) {
        const counts = byKey.get(r.key) ?? new Array<number>(count).fill(0);
        const i = index.get(Number(r.bucket));
        if (i !== undefined) counts[i] = r.count;
        byKey.set(r.key, counts);
      }
      answer.series = [...byKey].map(([key, counts]) => ({ key, total: counts.reduce((a, b) => a + b, 0), counts }))
        .sort((a, b) => b.total - a.total || a.key.localeCompare(b.key));
    }
    return answer;
  });
}
