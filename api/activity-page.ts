import type { ClickHouse } from '../core/clickhouse.js';
import { latestActivities } from '../processors/sink/catalogue/index.js';

/** At most this many keys of matches are read for one page. */
const MAX_CANDIDATES = 10_000;

export interface ActivityPageQuery {
  /** The selected columns of `activities`; they must include `event_id` and `ingested_at`. */
  columns: string;
  /** The read's own filter (unqualified columns of `activities`) and its bound parameters. */
  where: string;
  params: Record<string, unknown>;
  /** The ORDER BY, a total order (ties broken by event_id). */
  order: string;
  /** Rows wanted (a keyset page asks for its size + 1). */
  rows: number;
}

type VersionKey = { event_id: string; ingested_at: string };

/**
 * The first `rows` rows of `activities` matching `where` in `order`, each its event id's newest version:
 * what `latestActivities` gives, without its cost over every match of a long range. Usually two steps:
 * the first `rows` matches, read without FINAL (the engine reads the other columns for those rows
 * alone), then their ids' newest versions. When one of them is not its id's newest version (a revision
 * read again, or a replay not yet merged), `pageOfCandidates` makes the page.
 */
export async function latestActivitiesPage<R extends Record<string, unknown>>(clickhouse: ClickHouse, page: ActivityPageQuery): Promise<R[]> {
  const first = await clickhouse.query<R & VersionKey>(
    `SELECT ${page.columns} FROM activities WHERE ${page.where} ORDER BY ${page.order}, ingested_at DESC LIMIT {page_rows:UInt32}`,
    { ...page.params, page_rows: page.rows },
  );
  const newest = await newestVersions(clickhouse, first.map((r) => r.event_id));
  const ids = new Set<string>();
  for (const row of first) {
    if (newest.get(row.event_id) !== row.ingested_at || ids.has(row.event_id)) return pageOfCandidates(clickhouse, page);
    ids.add(row.event_id);
  }
  return first;
}

/**
 * The page when superseded versions are among its first matches:
 * 1. the keys of the first matches in the order (candidates), read without FINAL: cheap, whatever the range;
 * 2. the newest version of each candidate id: the newest versions among the first k matches are the
 *    first of all newest versions, since those are a subsequence of the matches in the same order;
 * 3. the page's own rows, by id.
 * When superseded versions leave fewer than `rows` among the candidates, or a write between the steps
 * changed a page's row, the whole check decides.
 */
async function pageOfCandidates<R extends Record<string, unknown>>(clickhouse: ClickHouse, page: ActivityPageQuery): Promise<R[]> {
  const candidates = Math.min(MAX_CANDIDATES, 4 * page.rows + 16);
  const order = `${page.order}, ingested_at DESC`;
  const matches = await clickhouse.query<VersionKey>(
    `SELECT event_id, ingested_at FROM activities WHERE ${page.where} ORDER BY ${order} LIMIT {page_candidates:UInt32}`,
    { ...page.params, page_candidates: candidates },
  );
  const newest = await newestVersions(clickhouse, matches.map((r) => r.event_id));
  // The page's versions, by id, and how far into the matches the last of them is.
  const kept = new Map<string, string>();
  let reach = 0;
  for (const [i, row] of matches.entries()) {
    if (kept.size === page.rows) break;
    // A replay of one version may be stored twice until a merge collapses it.
    if (newest.get(row.event_id) !== row.ingested_at || kept.has(row.event_id)) continue;
    kept.set(row.event_id, row.ingested_at);
    reach = i + 1;
  }
  if (kept.size < page.rows && matches.length === candidates) return wholeCheck(clickhouse, page);
  if (kept.size === 0) return [];
  const fetched = await clickhouse.query<R & VersionKey>(
    `SELECT ${page.columns} FROM activities WHERE (${page.where}) AND event_id IN {page_ids:Array(String)} ORDER BY ${order} LIMIT {page_reach:UInt32}`,
    { ...page.params, page_ids: [...kept.keys()], page_reach: reach },
  );
  const rows: R[] = [];
  for (const row of fetched) {
    if (kept.get(row.event_id) !== row.ingested_at) continue;
    kept.delete(row.event_id);
    rows.push(row);
  }
  return kept.size === 0 ? rows : wholeCheck(clickhouse, page);
}

function wholeCheck<R>(clickhouse: ClickHouse, page: ActivityPageQuery): Promise<R[]> {
  return clickhouse.query<R>(
    `SELECT ${page.columns} FROM activities FINAL WHERE ${latestActivities(page.where)} ORDER BY ${page.order} LIMIT {page_rows:UInt32}`,
    { ...page.params, page_rows: page.rows },
  );
}

/** The newest `ingested_at` of each id, as the engine formats it in results. */
async function newestVersions(clickhouse: ClickHouse, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await clickhouse.query<{ event_id: string; newest: string }>(
    'SELECT event_id, max(ingested_at) AS newest FROM activity_versions WHERE event_id IN {page_ids:Array(String)} GROUP BY event_id',
    { page_ids: [...new Set(ids)] },
  );
  return new Map(rows.map((r) => [r.event_id, r.newest]));
}
