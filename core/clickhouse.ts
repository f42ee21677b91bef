import { AppwardenError } from './errors.js';
import type { Logger } from './logger.js';
import type { RowBinaryWriter } from './row-binary-writer.js';
import type { RowBlock } from './row-block.js';

/**
 * The one way Appwarden talks to ClickHouse. Two backends run the same SQL: chdb (the engine
 * in-process, data in a local folder) by default, and a ClickHouse server when a URL is configured.
 *
 * What callers can rely on, whichever backend runs:
 * - Unqualified table names resolve to `database` (`SELECT … FROM activities`). `table(name)` gives
 *   the qualified name for the rare statement that needs one.
 * - User input goes in `params` and is bound by the engine (`{name:Type}` placeholders), never
 *   pasted into SQL. A `Date` param is sent as `'YYYY-MM-DD hh:mm:ss.sss'` (UTC); pass epoch millis
 *   through `formatDateTime64` or `fromUnixTimestamp64Milli({t:Int64})`, because a bare number for
 *   a DateTime64 placeholder is read as seconds or as ticks depending on its size.
 * - Results: 64-bit integers (`count()`, UInt64 columns) come back as JSON numbers, exact up to
 *   2^53; DateTime/DateTime64 come back as ISO-8601 UTC strings (`2024-05-01T10:11:12.345Z`);
 *   Nullable columns as `null`; Map as an object; Array as an array.
 * - Every failure is `AppwardenError('AW_CLICKHOUSE_FAILED')` with `details.code` (the engine's
 *   numeric error code, e.g. 62) and `details.type` (its name, e.g. `SYNTAX_ERROR`) when the engine
 *   gave them. Rejected queries are not retriable; connection trouble and transient engine states are.
 */
export interface ClickHouse {
  readonly kind: 'embedded' | 'server';
  readonly database: string;
  /** DDL / statements without results; one statement per call (a server refuses several). */
  exec(sql: string, params?: Record<string, unknown>): Promise<void>;
  /**
   * SELECT returning rows as objects (JSONEachRow; write no FORMAT and no SETTINGS clause); params
   * bound server-side; `options.settings` limit this query alone.
   */
  query<T = Record<string, unknown>>(sql: string, params?: Record<string, unknown>, options?: QueryOptions): Promise<T[]>;
  /**
   * Bulk insert of many rows in one statement (JSONEachRow); `dedupToken` makes a retried insert of
   * the same rows in the same order a no-op on tables with a deduplication window. Rows are plain
   * objects keyed by column name; a missing key takes the column's default.
   */
  insert(table: string, rows: readonly object[], options?: InsertOptions): Promise<void>;
  /**
   * Bulk insert of records through their table's encoder, in the fastest format the backend takes
   * (embedded: RowBinary, written by the encoder straight from the records; server: JSONEachRow).
   * `dedupToken` as in `insert`: the same token and the same records store once.
   */
  insertRecords<R>(table: string, records: readonly R[], encoder: RecordEncoder<R>, options?: InsertOptions): Promise<void>;
  /**
   * Bulk insert of rows already encoded as RowBinary by their table's encoder (`RowBlock`), one
   * statement per chunk; the chunk number suffixes `dedupToken`, so a retried block stores once.
   */
  insertBlock(table: string, block: RowBlock<unknown>, options?: InsertOptions): Promise<void>;
  /**
   * A SELECT read block by block (JSONEachRow, same params and settings as `query`), for results too
   * large to hold: each yielded array is one block of rows, and the next is read only when asked for,
   * so memory stays that of one block. Breaking out of the loop cancels the query.
   */
  stream<T = Record<string, unknown>>(sql: string, params?: Record<string, unknown>, options?: QueryOptions): AsyncIterable<T[]>;
  /** `` `database`.`name` `` for a validated identifier. */
  table(name: string): string;
  /** Idempotent; waits for this handle's running statements. Later calls fail. */
  close(): Promise<void>;
}

/** How a table's records become rows: the catalogue of the table implements it. */
export interface RecordEncoder<R> {
  /** The columns every row carries, in order. */
  readonly insertColumns: readonly string[];
  /** Appends the record as one RowBinary row of `insertColumns`. */
  writeRowBinary(w: RowBinaryWriter, record: R): void;
  /** The record as a JSONEachRow row. */
  toJsonRow(record: R): Record<string, unknown>;
  /** Engine settings of every insert into the table (numbers only). */
  readonly insertSettings?: Readonly<Record<string, number>>;
}

export interface QueryOptions {
  settings?: QuerySettings;
}

/**
 * Engine limits of one query. Past them the engine stops the query with TIMEOUT_EXCEEDED (159) or
 * MEMORY_LIMIT_EXCEEDED (241), which `isQueryLimitError` recognizes.
 */
export interface QuerySettings {
  /** Seconds (fractions allowed). */
  max_execution_time?: number;
  /** Bytes. */
  max_memory_usage?: number;
  /** Rows per block: the size of each array `stream` yields. */
  max_block_size?: number;
}

/** Engine codes of a query stopped by its own limits rather than by a fault. */
const QUERY_LIMIT_CODES = new Set([
  159, // TIMEOUT_EXCEEDED
  241, // MEMORY_LIMIT_EXCEEDED
]);

/** True when `err` is a ClickHouse failure caused by the query's own time or memory limit. */
export function isQueryLimitError(err: unknown): boolean {
  return err instanceof AppwardenError && err.code === 'AW_CLICKHOUSE_FAILED' && QUERY_LIMIT_CODES.has(err.details.code as number);
}

/** `SETTINGS name = value, …` for a query's settings, '' when there are none. Values are checked numbers. */
export function settingsClause(settings: QuerySettings | undefined): string {
  const entries = Object.entries(settings ?? {}).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '';
  for (const [name, value] of entries) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new AppwardenError('AW_CLICKHOUSE_FAILED', `query setting ${name} must be a number >= 0, not ${String(value)}`, { retriable: false });
    }
    assertIdentifier(name, 'setting');
  }
  return `SETTINGS ${entries.map(([name, value]) => `${name} = ${value}`).join(', ')}`;
}

/** A handle whose every `query` carries `settings` (a query's own settings win), e.g. the API's limits. */
export function withQuerySettings(clickhouse: ClickHouse, settings: QuerySettings): ClickHouse {
  return {
    kind: clickhouse.kind,
    database: clickhouse.database,
    exec: (sql, params) => clickhouse.exec(sql, params),
    query: (sql, params, options) => clickhouse.query(sql, params, { ...options, settings: { ...settings, ...options?.settings } }),
    insert: (table, rows, options) => clickhouse.insert(table, rows, options),
    insertRecords: (table, records, encoder, options) => clickhouse.insertRecords(table, records, encoder, options),
    insertBlock: (table, block, options) => clickhouse.insertBlock(table, block, options),
    stream: (sql, params, options) => clickhouse.stream(sql, params, { ...options, settings: { ...settings, ...options?.settings } }),
    table: (name) => clickhouse.table(name),
    close: () => clickhouse.close(),
  };
}

export interface InsertOptions {
  /** Same token + same rows = inserted once (`insert_deduplication_token`). */
  dedupToken?: string;
}

export interface ClickHouseConfig {
  /** A ClickHouse server (`http://host:8123`); unset: embedded chdb in `dataDir`. */
  url?: string;
  username?: string;
  password?: string;
  /** Server only, with an https url: the CA that signed the server, and a client certificate for mutual TLS. */
  tls?: { caFile: string; certFile?: string; keyFile?: string };
  /** chdb's data folder. chdb serves one data folder per process. */
  dataDir: string;
  database: string;
  log: Logger;
  /**
   * Embedded only: the JSONEachRow payload of an insert is cut into statements of about this many
   * bytes (default 8 MiB), so a 50k-row batch never becomes one giant string.
   */
  maxInsertChunkBytes?: number;
}

/** Opens ClickHouse (server when `url` is set, else embedded) and creates `database` if missing. */
export async function openClickHouse(config: ClickHouseConfig): Promise<ClickHouse> {
  assertIdentifier(config.database, 'database');
  const log = config.log.child({ component: 'clickhouse' });
  if (config.url) {
    const { openServerClickHouse } = await import('./clickhouse-server.js');
    return openServerClickHouse({ ...config, url: config.url, log });
  }
  // Loaded only here so that server mode never maps the (large) native engine library.
  const { openEmbeddedClickHouse } = await import('./clickhouse-chdb.js');
  return openEmbeddedClickHouse({ ...config, log });
}

/**
 * Output settings both backends apply to every statement, so callers see the same values:
 * unquoted 64-bit integers and ISO-8601 UTC date-times.
 */
export const OUTPUT_SETTINGS = {
  output_format_json_quote_64bit_integers: 0,
  date_time_output_format: 'iso',
} as const;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Throws unless `name` is a plain identifier (letters, digits, `_`), safe to write into SQL. */
export function assertIdentifier(name: string, what: string): void {
  if (typeof name !== 'string' || !IDENTIFIER.test(name) || name.length > 200) {
    throw new AppwardenError('AW_CLICKHOUSE_FAILED', `invalid ${what} name ${JSON.stringify(name)}: letters, digits and _ only`, {
      retriable: false,
      details: { [what]: name },
    });
  }
}

export function qualifiedTable(database: string, name: string): string {
  assertIdentifier(name, 'table');
  return `\`${database}\`.\`${name}\``;
}

/**
 * Epoch millis → `'YYYY-MM-DD hh:mm:ss.sss'` (UTC): the DateTime64 text both backends parse, in
 * JSONEachRow rows and in `{t:DateTime64(3)}` params alike.
 */
export function formatDateTime64(ms: number): string {
  if (!Number.isFinite(ms)) {
    throw new AppwardenError('AW_CLICKHOUSE_FAILED', `not a timestamp: ${ms}`, { retriable: false });
  }
  const iso = new Date(ms).toISOString();
  if (iso.length !== 24) {
    throw new AppwardenError('AW_CLICKHOUSE_FAILED', `timestamp out of range: ${ms}`, { retriable: false });
  }
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/**
 * Makes params mean the same on both backends: the two client libraries format a `Date` and a
 * boolean differently, so those are turned into text/numbers every placeholder type accepts.
 */
export function normalizeParams(params: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!params) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) out[key] = normalizeParam(value);
  return out;
}

function normalizeParam(value: unknown): unknown {
  if (value instanceof Date) return formatDateTime64(value.getTime());
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (Array.isArray(value)) return value.map((v) => (v instanceof Date ? formatDateTime64(v.getTime()) : v));
  return value;
}

// Engine error codes that describe a passing state rather than a wrong statement.
// Numbers and names as in ClickHouse's src/Common/ErrorCodes.cpp.
const TRANSIENT_CODES = new Set([
  3, // UNEXPECTED_END_OF_FILE
  159, // TIMEOUT_EXCEEDED
  164, // READONLY (a replica in read-only mode)
  202, // TOO_MANY_SIMULTANEOUS_QUERIES
  203, // NO_FREE_CONNECTION
  209, // SOCKET_TIMEOUT
  210, // NETWORK_ERROR
  241, // MEMORY_LIMIT_EXCEEDED
  242, // TABLE_IS_READ_ONLY
  252, // TOO_MANY_PARTS
  319, // UNKNOWN_STATUS_OF_INSERT
  425, // SYSTEM_ERROR
  473, // DEADLOCK_AVOIDED
  999, // KEEPER_EXCEPTION
]);

/** What an engine error says about itself, parsed from either client library's error. */
export interface EngineErrorFacts {
  code?: number;
  type?: string;
  /** False when the request itself was refused by the engine (bad SQL, bad param, closed handle). */
  retriable: boolean;
  message: string;
}

/**
 * Wraps any error from a backend as AW_CLICKHOUSE_FAILED with the engine's code and type.
 * `facts` comes from the backend, which knows its client library's error shape.
 */
export function clickHouseFailure(operation: string, kind: ClickHouse['kind'], err: unknown, facts: EngineErrorFacts): AppwardenError {
  if (err instanceof AppwardenError) return err;
  const details: Record<string, unknown> = { operation, backend: kind };
  if (facts.code !== undefined) details.code = facts.code;
  if (facts.type !== undefined) details.type = facts.type;
  const retriable = facts.code !== undefined ? TRANSIENT_CODES.has(facts.code) : facts.retriable;
  return new AppwardenError('AW_CLICKHOUSE_FAILED', `ClickHouse ${operation} failed: ${firstLine(facts.message)}`, {
    cause: err,
    retriable,
    details,
  });
}

/** `(UNKNOWN_TABLE)` at the end of an engine message names the error; the last such group wins. */
export function engineErrorType(message: string): string | undefined {
  const found = [...message.matchAll(/\(([A-Z][A-Z0-9_]{2,})\)/g)];
  return found.length > 0 ? found[found.length - 1]?.[1] : undefined;
}

/** `Code: 62. DB::Exception: …` → 62. */
export function engineErrorCode(message: string): number | undefined {
  const m = /Code:\s*(\d+)/.exec(message);
  return m ? Number(m[1]) : undefined;
}

function firstLine(message: string): string {
  const line = message.split('\n', 1)[0] ?? '';
  return line.length > 1000 ? `${line.slice(0, 1000)}…` : line;
}

export function closedError(kind: ClickHouse['kind'], operation: string): AppwardenError {
  return new AppwardenError('AW_CLICKHOUSE_FAILED', `ClickHouse ${operation} failed: the connection is closed`, {
    retriable: false,
    details: { operation, backend: kind },
  });
}
