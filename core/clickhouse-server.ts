import { ClickHouseError, createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { RowBlock } from './row-block.js';
import { AppwardenError } from './errors.js';
import type { Logger } from './logger.js';
import {
  OUTPUT_SETTINGS, assertIdentifier, clickHouseFailure, closedError, engineErrorType, normalizeParams, qualifiedTable,
  settingsClause, type ClickHouse, type EngineErrorFacts, type InsertOptions, type QueryOptions,
  type RecordEncoder,
} from './clickhouse.js';

export interface ServerOptions {
  url: string;
  username?: string;
  password?: string;
  tls?: { caFile: string; certFile?: string; keyFile?: string };
  database: string;
  log: Logger;
}

const SETTINGS: ClickHouseSettings = { ...OUTPUT_SETTINGS };

/** A ClickHouse server over HTTP through `@clickhouse/client`. */
export async function openServerClickHouse(options: ServerOptions): Promise<ClickHouse> {
  assertIdentifier(options.database, 'database');
  const credentials = {
    url: options.url,
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password }),
    ...serverTls(options),
    application: 'appwarden',
  };
  if (!options.password && !isLoopbackUrl(options.url)) {
    options.log.warn({ url: redactUrl(options.url) }, 'ClickHouse server without a password: set CLICKHOUSE_PASSWORD');
  }
  // The database has to exist before a client can make it its default.
  const bootstrap = createClient(credentials);
  try {
    await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS \`${options.database}\`` });
  } catch (err) {
    throw clickHouseFailure('open', 'server', err, serverErrorFacts(err));
  } finally {
    await bootstrap.close();
  }
  const client = createClient({ ...credentials, database: options.database, clickhouse_settings: SETTINGS });
  options.log.info({ url: redactUrl(options.url), database: options.database }, 'ClickHouse server connected');
  return new ServerClickHouse(client, options);
}

/** `tls` for @clickhouse/client; the PEM files are read at start, so a wrong path fails with its setting named. */
export function serverTls(options: Pick<ServerOptions, 'url' | 'tls'>): { tls?: { ca_cert: Buffer; cert: Buffer; key: Buffer } | { ca_cert: Buffer } } {
  if (!options.tls) return {};
  if (!options.url.startsWith('https://')) {
    throw new AppwardenError('AW_CONFIG_INVALID', 'clickhouse.tls: the server url must be https:// when TLS files are set');
  }
  const { caFile, certFile, keyFile } = options.tls;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new AppwardenError('AW_CONFIG_INVALID', 'clickhouse.tls: certFile and keyFile go together (mutual TLS)');
  }
  const ca_cert = readSetting(caFile, 'clickhouse.tls.caFile');
  if (certFile && keyFile) return { tls: { ca_cert, cert: readSetting(certFile, 'clickhouse.tls.certFile'), key: readSetting(keyFile, 'clickhouse.tls.keyFile') } };
  return { tls: { ca_cert } };
}

function readSetting(file: string, setting: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new AppwardenError('AW_CONFIG_INVALID', `${setting}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || /^127\./.test(host);
  } catch {
    return false;
  }
}

class ServerClickHouse implements ClickHouse {
  readonly kind = 'server' as const;
  readonly database: string;
  readonly #client: ClickHouseClient;
  readonly #log: Logger;
  readonly #running = new Set<Promise<unknown>>();
  #closed = false;

  constructor(client: ClickHouseClient, options: ServerOptions) {
    this.#client = client;
    this.database = options.database;
    this.#log = options.log;
  }

  table(name: string): string {
    return qualifiedTable(this.database, name);
  }

  async exec(sql: string, params?: Record<string, unknown>): Promise<void> {
    const query_params = normalizeParams(params);
    await this.#track('exec', () => this.#client.command({ query: sql, ...(query_params ? { query_params } : {}) }));
  }

  async query<T = Record<string, unknown>>(sql: string, params?: Record<string, unknown>, options?: QueryOptions): Promise<T[]> {
    const query_params = normalizeParams(params);
    settingsClause(options?.settings); // the same checks as embedded mode
    // The client types 64-bit settings as text.
    const settings: ClickHouseSettings | undefined = options?.settings
      ? { ...SETTINGS, ...Object.fromEntries(Object.entries(options.settings).map(([k, v]) => [k, String(v)])) }
      : undefined;
    return this.#track('query', async () => {
      const result = await this.#client.query({
        query: sql, format: 'JSONEachRow', ...(query_params ? { query_params } : {}), ...(settings ? { clickhouse_settings: settings } : {}),
      });
      return result.json<T>();
    });
  }

  async *stream<T = Record<string, unknown>>(sql: string, params?: Record<string, unknown>, options?: QueryOptions): AsyncGenerator<T[]> {
    if (this.#closed) throw closedError(this.kind, 'stream');
    const query_params = normalizeParams(params);
    settingsClause(options?.settings);
    const settings: ClickHouseSettings = { ...SETTINGS, ...Object.fromEntries(Object.entries(options?.settings ?? {}).map(([k, v]) => [k, String(v)])) };
    const abort = new AbortController();
    try {
      const result = await this.#client.query({
        query: sql, format: 'JSONEachRow', abort_signal: abort.signal, ...(query_params ? { query_params } : {}), clickhouse_settings: settings,
      });
      // Each chunk of the HTTP body is a batch of rows; the socket is read only as fast as they are taken.
      for await (const batch of result.stream<T>()) {
        yield (batch as Array<{ json<R>(): R }>).map((row) => row.json<T>());
      }
    } catch (err) {
      throw clickHouseFailure('stream', this.kind, err, serverErrorFacts(err));
    } finally {
      abort.abort();
    }
  }

  async insert(table: string, rows: readonly object[], options: InsertOptions = {}): Promise<void> {
    assertIdentifier(table, 'table');
    if (rows.length === 0) {
      if (this.#closed) throw closedError(this.kind, 'insert');
      return;
    }
    await this.#track('insert', () => this.#client.insert({
      table: `${this.database}.${table}`,
      values: rows as object[],
      format: 'JSONEachRow',
      ...(options.dedupToken === undefined ? {} : { clickhouse_settings: { insert_deduplication_token: options.dedupToken } }),
    }));
  }

  /** JSONEachRow: the client library sends no RowBinary body (a measured comparison on a server is future work). */
  async insertRecords<R>(table: string, records: readonly R[], encoder: RecordEncoder<R>, options: InsertOptions = {}): Promise<void> {
    assertIdentifier(table, 'table');
    if (records.length === 0) return;
    await this.#track('insert', () => this.#client.insert({
      table: `${this.database}.${table}`,
      values: records.map((r) => encoder.toJsonRow(r)),
      format: 'JSONEachRow',
      clickhouse_settings: {
        ...encoder.insertSettings,
        ...(options.dedupToken === undefined ? {} : { insert_deduplication_token: options.dedupToken }),
      },
    }));
  }

  /** RowBinary chunks as the body of `INSERT … FORMAT RowBinary`, one statement per chunk. */
  async insertBlock(table: string, block: RowBlock<unknown>, options: InsertOptions = {}): Promise<void> {
    assertIdentifier(table, 'table');
    for (const column of block.encoder.insertColumns) assertIdentifier(column, 'column');
    for (let chunk = 0; chunk < block.chunks.length; chunk++) {
      const w = block.chunks[chunk]!;
      if (w.pos === 0) continue;
      const token = options.dedupToken === undefined ? undefined : chunk === 0 ? options.dedupToken : `${options.dedupToken}:${chunk}`;
      await this.#track('insert', async () => {
        const result = await this.#client.exec({
          query: `INSERT INTO ${this.database}.${table} (${block.encoder.insertColumns.join(', ')}) FORMAT RowBinary`,
          values: Readable.from([w.bytes()]),
          clickhouse_settings: {
            ...block.encoder.insertSettings,
            ...(token === undefined ? {} : { insert_deduplication_token: token }),
          },
        });
        result.stream.resume();
        await finished(result.stream);
      });
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#running]);
    await this.#client.close();
    this.#log.info({ database: this.database }, 'ClickHouse server disconnected');
  }

  async #track<R>(operation: string, start: () => Promise<R>): Promise<R> {
    if (this.#closed) throw closedError(this.kind, operation);
    const running = start();
    this.#running.add(running);
    try {
      return await running;
    } catch (err) {
      throw clickHouseFailure(operation, this.kind, err, serverErrorFacts(err));
    } finally {
      this.#running.delete(running);
    }
  }
}

/** The server answers with its code and type; anything else is the network or a timeout. */
function serverErrorFacts(err: unknown): EngineErrorFacts {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof ClickHouseError) {
    const facts: EngineErrorFacts = { retriable: false, message };
    const code = Number(err.code);
    if (Number.isInteger(code)) facts.code = code;
    const type = err.type ?? engineErrorType(message);
    if (type !== undefined) facts.type = type;
    return facts;
  }
  return { retriable: true, message };
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '[unparsable url]';
  }
}
