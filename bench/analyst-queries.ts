/**
 * The analyst benchmark's requests: the most common analyst queries, the console's first view and the
 * exports, each sent over HTTP to a listening API with a real key. Parameters (people, addresses,
 * files) are sampled from the stored rows beforehand, so every request asks about something that exists.
 */
import type { ClickHouse } from '../core/clickhouse.js';
import { TABLES } from '../processors/sink/tables.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Values the queries ask about, sampled from the data; each list has at least one entry. */
export interface Samples {
  /** People active in the last day (emails). */
  users: string[];
  /** Source addresses seen in the last week. */
  ips: string[];
  /** Files named by events of the last week. */
  files: string[];
}

/** Up to `n` distinct values of `expr` (spread by hash, not the busiest ones) over the last `rangeMs` before `end`. */
async function sample(ch: ClickHouse, expr: string, where: string, end: number, rangeMs: number, n: number, arrayJoin = ''): Promise<string[]> {
  const rows = await ch.query<{ v: string }>(
    `SELECT ${expr} AS v FROM ${TABLES.activities} ${arrayJoin}
     WHERE occurred_at >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND occurred_at < fromUnixTimestamp64Milli({to:Int64}, 'UTC') AND ${where}
     GROUP BY v ORDER BY cityHash64(v) LIMIT {n:UInt32}`,
    { from: end - rangeMs, to: end, n },
  );
  return rows.map((r) => r.v);
}

export async function sampleParameters(ch: ClickHouse, end: number, n: number): Promise<Samples> {
  const samples: Samples = {
    users: await sample(ch, 'user_key', "actor_type = 'user' AND user_key LIKE '%@%'", end, DAY, n),
    ips: await sample(ch, 'assumeNotNull(src_ip)', 'src_ip IS NOT NULL', end, 7 * DAY, n),
    files: await sample(ch, 'assumeNotNull(tid)', "tt = 'file' AND tid IS NOT NULL", end, 7 * DAY, n, 'ARRAY JOIN target_ids AS tid, target_types AS tt'),
  };
  for (const [name, values] of Object.entries(samples)) {
    if (values.length === 0) throw new Error(`analyst bench: no ${name} in the stored activities to ask about`);
  }
  return samples;
}

/** One analyst question: the request of its i-th repetition, and what counts as the rows of its answer. */
export interface BenchQuery {
  name: string;
  url(i: number): string;
}

const pick = <T>(list: T[], i: number): T => list[i % list.length]!;
const iso = (ms: number) => new Date(ms).toISOString();

/** The ten-odd questions analysts ask most, over the data ending at `end`. */
export function analystQueries(s: Samples, end: number): BenchQuery[] {
  const last = (ms: number) => `from=${iso(end - ms)}&to=${iso(end)}`;
  const q = (path: string, params: Record<string, string | number>, range: number) =>
    `${path}?${new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString()}&${last(range)}`;
  const activities = (params: Record<string, string | number>, range: number) => q('/v1/activities', { ...params, limit: 100 }, range);
  const net = (ip: string) => `${ip.split('.').slice(0, 3).join('.')}.0/24`;
  return [
    { name: 'activities: user, last 24 h', url: (i) => activities({ user: pick(s.users, i) }, DAY) },
    { name: 'activities: user, last 30 days', url: (i) => activities({ user: pick(s.users, i) }, 30 * DAY) },
    { name: 'activities: IP, last 7 days', url: (i) => activities({ ip: pick(s.ips, i) }, 7 * DAY) },
    { name: 'activities: CIDR /24, last 7 days', url: (i) => activities({ ip: net(pick(s.ips, i)) }, 7 * DAY) },
    { name: 'activities: target id (file), 7 days', url: (i) => activities({ target_id: pick(s.files, i) }, 7 * DAY) },
    // Free text over the raw records: a person's name as written in their email.
    { name: 'activities: free text q, last 24 h', url: (i) => activities({ q: pick(s.users, i).split('@')[0]! }, DAY) },
    { name: 'activities: free text q, last 7 days', url: (i) => activities({ q: pick(s.users, i).split('@')[0]! }, 7 * DAY) },
    { name: 'activities: whole words, last 7 days', url: (i) => activities({ words: pick(s.users, i).split('@')[0]! }, 7 * DAY) },
    { name: 'activities: whole words, last 30 days', url: (i) => activities({ words: pick(s.users, i).split('@')[0]! }, 30 * DAY) },
    { name: 'activities: action download, 7 days', url: () => activities({ action: 'file_download' }, 7 * DAY) },
    { name: 'timeline: user, 30 days', url: (i) => q(`/v1/timelines/users/${encodeURIComponent(pick(s.users, i))}`, { limit: 100 }, 30 * DAY) },
    { name: 'timeline: file, 30 days', url: (i) => q(`/v1/timelines/files/${encodeURIComponent(pick(s.files, i))}`, { limit: 100 }, 30 * DAY) },
    { name: 'top 10 users by downloads, 7 days', url: () => q('/v1/aggregations/top', { by: 'user', action: 'file_download', top: 10 }, 7 * DAY) },
    { name: 'top failed logons by country, 7 days', url: () => q('/v1/aggregations/top', { by: 'country', category: 'logon', outcome: 'failure', top: 10 }, 7 * DAY) },
    { name: 'histogram: all, 7 days by 1 h', url: () => q('/v1/aggregations/histogram', { interval: '1h' }, 7 * DAY) },
    { name: 'histogram: failed logons by country, 7 d', url: () => q('/v1/aggregations/histogram', { interval: '1h', category: 'logon', outcome: 'failure', by: 'country' }, 7 * DAY) },
  ];
}

/** The rows of an answer: a page's items, top-N's items, a histogram's non-empty buckets. */
export function answerRows(body: unknown): number {
  const b = body as { items?: unknown[]; buckets?: Array<{ count: number }> };
  if (b.items) return b.items.length;
  if (b.buckets) return b.buckets.filter((x) => x.count > 0).length;
  return 0;
}

export interface Client {
  base: string;
  key: string;
}

/** GET as the bench's key; anything but 200 stops the bench with the API's answer. */
export async function get(client: Client, url: string, auth = true): Promise<Response> {
  const res = await fetch(client.base + url, { headers: auth ? { authorization: `Bearer ${client.key}` } : {} }).catch((err: unknown) => {
    throw new Error(`analyst bench: GET ${url} failed: ${String((err as Error).cause ?? err)}`, { cause: err });
  });
  if (res.status !== 200) throw new Error(`analyst bench: GET ${url} answered ${res.status}: ${await res.text()}`);
  return res;
}

/**
 * The console's activity page as a browser opens it (`/console/activities`, last 24 hours): the page,
 * then its script and style, the API document and `/v1/me` together, then the first page of activities
 * and the histogram together (the console's first view). Times in ms: `data` the last step, `total` all.
 */
export async function consoleFirstView(client: Client, end: number): Promise<{ total: number; data: number; rows: number }> {
  const t0 = performance.now();
  const html = await (await get(client, '/console/activities', false)).text();
  const assets = [...html.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((m) => m[1]!);
  const [doc] = await Promise.all([
    get(client, '/docs/json', false).then((r) => r.json() as Promise<OpenApi>),
    get(client, '/v1/me').then((r) => r.arrayBuffer()),
    ...assets.map((a) => get(client, a, false).then((r) => r.arrayBuffer())),
  ]);
  const t1 = performance.now();
  const range = `from=${iso(end - DAY)}&to=${iso(end)}`;
  const [page] = await Promise.all([
    get(client, `/v1/activities?${range}&limit=100`).then((r) => r.json()),
    get(client, `/v1/aggregations/histogram?${range}&interval=${consoleInterval(doc, DAY)}`).then((r) => r.json()),
  ]);
  const t2 = performance.now();
  return { total: t2 - t0, data: t2 - t1, rows: answerRows(page) };
}

interface OpenApi {
  paths: Record<string, Record<string, { parameters?: Array<{ name: string; schema?: { enum?: string[] } }> }>>;
}

/** The interval the console asks for: the narrowest the API offers giving at most 120 bars over `spanMs`. */
function consoleInterval(doc: OpenApi, spanMs: number): string {
  const offered = doc.paths['/v1/aggregations/histogram']?.get?.parameters?.find((p) => p.name === 'interval')?.schema?.enum ?? [];
  const ms = (v: string) => Number(v.slice(0, -1)) * ({ m: 60_000, h: HOUR, d: DAY }[v.slice(-1)] ?? 0);
  const fits = offered.filter((v) => ms(v) > 0).sort((a, b) => ms(a) - ms(b)).find((v) => spanMs / ms(v) <= 120);
  if (!fits) throw new Error('analyst bench: the API document offers no histogram interval');
  return fits;
}

/**
 * A streamed export of every activity of the last `rangeMs` (`format=csv|ndjson`), read as it arrives.
 * Rows are counted by line ends (a CSV's header excluded); `peakRssMb` is this process's (API and
 * engine) largest resident size seen meanwhile; `cutShort` why the answer ended before its end, if it did.
 */
export async function exportRun(client: Client, format: 'csv' | 'ndjson', end: number, rangeMs: number): Promise<{ rows: number; bytes: number; ms: number; peakRssMb: number; cutShort: string | null }> {
  let peak = process.memoryUsage.rss();
  const watch = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 100);
  try {
    const t0 = performance.now();
    const res = await get(client, `/v1/activities?format=${format}&from=${iso(end - rangeMs)}&to=${iso(end)}`);
    let lines = 0;
    let bytes = 0;
    let cutShort: string | null = null;
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        bytes += chunk.length;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
      }
    } catch (err) {
      // The API cuts a stream short when its query fails midway (a limit, the engine): measured, and said.
      cutShort = String((err as Error).cause ?? err);
    }
    const ms = performance.now() - t0;
    return { rows: format === 'csv' ? Math.max(0, lines - 1) : lines, bytes, ms, peakRssMb: Math.round(peak / 1_048_576), cutShort };
  } finally {
    clearInterval(watch);
  }
}
