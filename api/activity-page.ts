import type { ClickHouse } from '../core/clickhouse.js';
import { latestActivities } from '../processors/sink/catalogue/index.js';

/** The engine reads a page's other columns only for its top rows up to this LIMIT (`query_plan_max_limit_for_lazy_materialization`). */
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

type VersionedRow = Record<string, unknown> & { event_id: string; ingested_at: string };

/**
 * The first `rows` rows of `activities` matching `where` in `order`, each its event id's newest version:
 * what `latestActivities` gives, without its cost over every match of a long range. The newest-version
 * check runs on the page's candidates only (the first matches of the order, read without FINAL, so the
 * engine reads the other columns for those rows alone). The newest versions among the first k matches
 * are the first of all newest versions, since those are a subsequence of the matches in the same order.
 * When superseded versions leave fewer than `rows` of them among k matches, the whole check decides.
 */
export async function latestActivitiesPage<R extends Record<string, unknown>>(clickhouse: ClickHouse, page: ActivityPageQuery): Promise<R[]> {
  const candidates = Math.min(MAX_CANDIDATES, 2 * page.rows + 16);
  const matches = await clickhouse.query<VersionedRow>(
    `SELECT ${page.columns} FROM activities WHERE ${page.where} ORDER BY ${page.order}, ingested_at DESC LIMIT {page_candidates:UInt32}`,
    { ...page.params, page_candidates: candidates },
  );
  const newest = await newestVersions(clickhouse, matches.map((r) => r.event_id));
  const kept: VersionedRow[] = [];
  const seen = new Set<string>();
  for (const row of matches) {
    // A replay of one version may be stored twice until a merge collapses it (FINAL's job in the whole check).
    if (newest.get(row.event_id) !== row.ingested_at || seen.has(row.event_id)) continue;
    seen.add(row.event_id);
    kept.push(row);
    if (kept.length === page.rows) return kept as R[];
  }
  if (matches.length < candidates) return kept as R[];
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
