import { formatDateTime64, type ClickHouse } from '../../core/clickhouse.js';
import { AppwardenError } from '../../core/errors.js';
import {
  ACCOUNT_EVENT_COLUMNS, accountRowToAccountEvent, activityRowToAuditEvent, AUDIT_EVENT_COLUMNS, FILE_EVENT_COLUMNS, fileRowToFileEvent,
  type StoredAccountRow, type StoredActivityRow, type StoredFileRow,
} from '../sink/row-to-record.js';
import { latestActivities, TABLES } from '../sink/tables.js';
import type { Alert, GovernanceCommand } from '../../schemas/types.js';
import type { CompiledPolicy } from './compile.js';
import { Evaluator } from './evaluator.js';
import type { PolicyNotice } from './evaluation.js';
import type { PolicyKind } from './field-catalogue.js';
import type { GeoLocator } from './geo.js';
import { RecordContext, recordTime, type PolicyRecord, type RecordKind } from './record-context.js';
import { MemoryPolicyState } from './state.js';
import { travelHorizonMs } from './stateful.js';
import { StoredAccountsEnricher } from './stored-accounts-enricher.js';

export interface BacktestOptions {
  /** Start of the range (epoch ms, inclusive). */
  from: number;
  /** End of the range (epoch ms, exclusive). */
  to: number;
  /** How many matching records to return as samples (the first ones). Default 10. */
  samples?: number;
  /** How many alerts to return (the first raised); the totals count them all. Default 1000. */
  maxAlerts?: number;
  /** How many commands to return (the first requested). Default 1000. */
  maxCommands?: number;
  /** Rows read per query. Default 5000. */
  pageSize?: number;
  /**
   * Read from before `from` to rebuild the state the live run had at `from`: the policy's window,
   * lookback, dedup period or travel horizon, and at least back to the start of `from`'s UTC day
   * (daily counters). What those records cause is not reported. Default true.
   */
  warmup?: boolean;
  /** Required for impossible-travel policies. */
  geo?: GeoLocator | null;
  /** Stops the backtest between pages: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** What fired on one UTC day. */
export interface BacktestDay {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  /** Matches (records that made the policy fire, as the live evaluator reports them). */
  matches: number;
  /** New alerts. */
  alerts: number;
}

/** What the policy would have done over the range. Nothing was published. */
export interface BacktestResult {
  policy_id: string;
  kind: PolicyKind;
  from: number;
  to: number;
  /** Where reading started (before `from` when warming up). */
  read_from: number;
  /** Records of the policy's kind in the range. */
  records_scanned: number;
  /** Records in the range that the detection matches (before any threshold or other stateful test). */
  records_matched: number;
  /** Matches: records that made the policy fire (joined or raised an alert, or were dropped by the daily alert limit). */
  matches_total: number;
  /** New alerts raised in the range. */
  alerts_total: number;
  /** The latest state of the alerts raised or updated in the range, in the order they were raised (at most `maxAlerts`). */
  alerts: Alert[];
  per_day: BacktestDay[];
  /** The first matching records. */
  samples: PolicyRecord[];
  /** The governance commands new alerts would have requested (mode enforce or dry-run), at most `maxCommands`. */
  commands_that_would_be_requested: GovernanceCommand[];
  commands_total: number;
  /** What would have happened to the policy itself (auto-disabled, daily alert limit reached, actions stopped). */
  notices: PolicyNotice[];
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MIN_SLICE_MS = 60_000;
const MAX_SLICE_MS = 7 * DAY_MS;

/** Where each kind of record is stored, and how to read it back in time order. */
interface Source {
  table: string;
  time: string;
  id: string;
  columns: string;
  where: string | null;
  toRecord(row: Row): PolicyRecord;
}

type Row = Record<string, string>;

const SOURCES: Record<RecordKind, Source> = {
  audit: {
    table: TABLES.activities, time: 'occurred_at', id: 'event_id', columns: AUDIT_EVENT_COLUMNS, where: null,
    toRecord: (row) => activityRowToAuditEvent(row as unknown as StoredActivityRow),
  },
  // Files and accounts keep the latest state of each object: history is what the latest observations say.
  file: {
    table: TABLES.files, time: 'observed_at', id: 'record_id', columns: FILE_EVENT_COLUMNS, where: null,
    toRecord: (row) => fileRowToFileEvent(row as unknown as StoredFileRow),
  },
  account: {
    table: TABLES.accounts, time: 'observed_at', id: 'record_id', columns: ACCOUNT_EVENT_COLUMNS, where: "kind = 'app_grant'",
    toRecord: (row) => accountRowToAccountEvent(row as unknown as StoredAccountRow),
  },
};

/**
 * Runs a policy over the records stored in ClickHouse, in time order, with a fresh Evaluator: the
 * same evaluation the policy processor runs, so the same records give the same matches, alert ids
 * and counts. Reads in bounded pages; publishes nothing. A disabled policy is run as if enabled.
 * Enrichments (`actor_account.*`, `grant.user_count`) come from the latest stored account state.
 */
export async function backtestPolicy(clickhouse: ClickHouse, compiled: CompiledPolicy, options: BacktestOptions): Promise<BacktestResult> {
  const { from, to } = options;
  if (!(Number.isFinite(from) && Number.isFinite(to) && from < to)) {
    throw new AppwardenError('AW_BAD_REQUEST', 'a backtest needs a time range whose start is before its end', { details: { field: 'from' } });
  }
  const maxSamples = options.samples ?? 10;
  const maxAlerts = options.maxAlerts ?? 1000;
  const maxCommands = options.maxCommands ?? 1000;
  const policy: CompiledPolicy = compiled.policy.enabled ? compiled : { ...compiled, policy: { ...compiled.policy, enabled: true } };
  const enricher = new StoredAccountsEnricher(clickhouse);
  const state = new MemoryPolicyState();
  const evaluator = new Evaluator([policy], { state, enricher, geo: options.geo ?? null });
  const readFrom = options.warmup === false ? from : Math.min(from - stateHorizonMs(policy), Math.floor(from / DAY_MS) * DAY_MS);

  const result: BacktestResult = {
    policy_id: policy.id, kind: policy.policy.kind, from, to, read_from: readFrom,
    records_scanned: 0, records_matched: 0, matches_total: 0, alerts_total: 0, alerts: [], per_day: [], samples: [],
    commands_that_would_be_requested: [], commands_total: 0, notices: [],
  };
  const alerts = new Map<string, Alert>();
  const days = new Map<string, BacktestDay>();
  const dayOf = (t: number): BacktestDay => {
    const day = new Date(t).toISOString().slice(0, 10);
    let entry = days.get(day);
    if (!entry) days.set(day, (entry = { day, matches: 0, alerts: 0 }));
    return entry;
  };

  const providers = policy.policy.providers;
  for await (const page of readPages(clickhouse, SOURCES[policy.recordKind], readFrom, to, providers, options.pageSize ?? 5000, options.signal)) {
    await enricher.prepare(page, policy.needs);
    for (const record of page) {
      const t = recordTime(record);
      const counted = t >= from;
      if (counted) {
        result.records_scanned++;
        if (policy.test(new RecordContext(record, enricher))) result.records_matched++;
      }
      const out = evaluator.process(record);
      if (!counted) continue;
      if (out.matches.length > 0) {
        result.matches_total += out.matches.length;
        for (const m of out.matches) dayOf(m.at).matches++;
        if (result.samples.length < maxSamples) result.samples.push(record);
      }
      for (const { alert, isNew } of out.alerts) {
        if (isNew) {
          result.alerts_total++;
          dayOf(alert.created_at).alerts++;
        }
        if (alerts.has(alert.alert_id) || alerts.size < maxAlerts) alerts.set(alert.alert_id, alert);
      }
      result.commands_total += out.commands.length;
      for (const c of out.commands) if (result.commands_that_would_be_requested.length < maxCommands) result.commands_that_would_be_requested.push(c);
      result.notices.push(...out.notices);
    }
    state.takeChanges(); // nobody persists them; do not let the set of changed keys grow
  }
  result.alerts = [...alerts.values()];
  result.per_day = [...days.values()].sort((a, b) => (a.day < b.day ? -1 : 1));
  return result;
}

/** How far back state reaches that can change what a record at `from` causes. */
function stateHorizonMs(policy: CompiledPolicy): number {
  const travel = policy.policy.impossible_travel ? travelHorizonMs(policy.policy.impossible_travel.max_speed_kmh) : 0;
  // An alert opened in the previous dedup period bucket is still the one a record near its end joins.
  return Math.max(policy.windowMs ?? 0, policy.lookbackMs ?? 0, policy.periodMs, travel, HOUR_MS);
}

/**
 * The records of `[from, to)` in (time, id) order, one page per yield. Reads slices of time, each
 * with keyset pages, so that no query sorts more than a slice: a slice that took several pages is
 * halved for the next one, a sparse one doubled.
 */
async function* readPages(
  clickhouse: ClickHouse, source: Source, from: number, to: number, providers: readonly string[] | null, pageSize: number, signal?: AbortSignal,
): AsyncGenerator<PolicyRecord[]> {
  const filters = [
    ...(source.where ? [source.where] : []),
    ...(providers ? ['provider IN {providers:Array(String)}'] : []),
  ];
  const sql = (withCursor: boolean) => {
    const where = [
      `${source.time} >= {from:DateTime64(3)} AND ${source.time} < {to:DateTime64(3)}`,
      ...filters,
      ...(withCursor ? [`(${source.time}, ${source.id}) > ({cursor_t:DateTime64(3)}, {cursor_id:String})`] : []),
    ].join(' AND ');
    return `SELECT ${source.columns} FROM ${source.table} FINAL
    WHERE ${source.table === TABLES.activities ? latestActivities(where) : where}
    ORDER BY ${source.time}, ${source.id}
    LIMIT {limit:UInt32}`;
  };

  let sliceMs = HOUR_MS;
  for (let start = from; start < to;) {
    const end = Math.min(to, start + sliceMs);
    let cursor: { t: string; id: string } | null = null;
    let pages = 0;
    let rows = 0;
    for (;;) {
      signal?.throwIfAborted();
      const params: Record<string, unknown> = { from: formatDateTime64(start), to: formatDateTime64(end), limit: pageSize };
      if (providers) params.providers = [...providers];
      if (cursor) Object.assign(params, { cursor_t: formatDateTime64(Date.parse(cursor.t)), cursor_id: cursor.id });
      const page: Row[] = await clickhouse.query<Row>(sql(cursor !== null), params);
      pages++;
      rows += page.length;
      if (page.length > 0) yield page.map((row) => source.toRecord(row));
      if (page.length < pageSize) break;
      const last: Row = page[page.length - 1]!;
      cursor = { t: last[source.time]!, id: last[source.id]! };
    }
    start = end;
    if (pages > 2) sliceMs = Math.max(MIN_SLICE_MS, Math.floor(sliceMs / 2));
    else if (rows < pageSize / 2) sliceMs = Math.min(MAX_SLICE_MS, sliceMs * 2);
  }
}
