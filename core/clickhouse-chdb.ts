import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ChdbResult, Session } from 'chdb';
import { chdbErrorFacts, newChdbSession, openSharedSession } from './clickhouse-chdb-sessions.js';
import { ensurePrivateDirSync } from './private-files.js';
import type { Logger } from './logger.js';
import { RowBlock } from './row-block.js';
import {
  assertIdentifier, clickHouseFailure, closedError, normalizeParams,
  qualifiedTable, settingsClause, type ClickHouse, type InsertOptions, type QueryOptions,
  type RecordEncoder,
} from './clickhouse.js';

export interface EmbeddedOptions {
  dataDir: string;
  database: string;
  log: Logger;
  maxInsertChunkBytes?: number;
}

const DEFAULT_INSERT_CHUNK_BYTES = 8 * 1024 * 1024;

export async function openEmbeddedClickHouse(options: EmbeddedOptions): Promise<ClickHouse> {
  assertIdentifier(options.database, 'database');
  const { session, release } = await openSharedSession(path.resolve(options.dataDir), options.database, options.log);
  return new EmbeddedClickHouse(session, options, release);
}

class EmbeddedClickHouse implements ClickHouse {
  readonly kind = 'embedded' as const;
  readonly database: string;
  readonly #session: Session;
  readonly #release: () => Promise<void>;
  readonly #maxChunkBytes: number;
  readonly #dir: string;
  readonly #running = new Set<Promise<unknown>>();
  readonly #spool: string;
  #closed = false;

  constructor(session: Session, options: EmbeddedOptions, release: () => Promise<void>) {
    this.database = options.database;
    this.#session = session;
    this.#release = release;
    this.#maxChunkBytes = options.maxInsertChunkBytes ?? DEFAULT_INSERT_CHUNK_BYTES;
    this.#spool = path.join(path.resolve(options.dataDir), 'insert-spool');
    this.#dir = path.resolve(options.dataDir);
  }

  table(name: string): string {
    return qualifiedTable(this.database, name);
  }

  async exec(sql: string, params?: Record<string, unknown>): Promise<void> {
    await this.#run('exec', sql, params);
  }

  async query<T = Record<string, unknown>>(sql: string, params?: Record<string, unknown>, options?: QueryOptions): Promise<T[]> {
    // chdb takes no per-query settings beside the statement: they go in its SETTINGS clause.
    const settings = settingsClause(options?.settings);
    const result = await this.#run('query', settings ? `${sql.trimEnd().replace(/;+$/, '')}\n${settings}` : sql, params);
    const rows: T[] = [];
    // JSON escapes newlines inside strings, so every raw newline ends a row.
    for (const line of result.text().split('\n')) {
      if (line.length > 0) rows.push(JSON.parse(line) as T);
    }
    return rows;
  }

  /**
   * chdb serves one stream per connection and ends it when the connection runs another statement, so
   * each stream gets a connection of its own on the same folder (they share the engine), closed after.
   */
  async *stream<T = Record<string, unknown>>(sql: string, params?: Record<string, unknown>, options?: QueryOptions): AsyncGenerator<T[]> {
    if (this.#closed) throw closedError(this.kind, 'stream');
    const settings = settingsClause(options?.settings);
    const text = settings ? `${sql.trimEnd().replace(/;+$/, '')}\n${settings}` : sql;
    const bound = normalizeParams(params) ?? {};
    const abort = new AbortController();
    let own: Session | undefined;
    try {
      own = newChdbSession(this.#dir);
      await own.queryAsync(`USE \`${this.database}\``);
      const rows = own.queryStreamBind(text, bound, { format: 'JSONEachRow', signal: abort.signal });
      for await (const chunk of rows) yield chunk.rows<T>();
    } catch (err) {
      throw clickHouseFailure('stream', this.kind, err, chdbErrorFacts(err));
    } finally {
      abort.abort();
      own?.close();
    }
  }

  async insert(table: string, rows: readonly object[], options: InsertOptions = {}): Promise<void> {
    assertIdentifier(table, 'table');
    if (this.#closed) throw closedError(this.kind, 'insert');
    if (rows.length === 0) return;
    const target = `${this.database}.${table}`;
    let lines: string[] = [];
    let size = 0;
    let chunk = 0;
    // The engine writes one chunk off the event loop while the next one is serialized here.
    let writing: Promise<unknown> = Promise.resolve();
    const flush = async (): Promise<void> => {
      // Each chunk is its own statement; suffixing the token keeps a retry of the whole batch
      // deduplicated chunk by chunk, while chunks with different rows never share a token.
      const token = options.dedupToken === undefined ? undefined : chunk === 0 ? options.dedupToken : `${options.dedupToken}:${chunk}`;
      const payload = Buffer.from(lines.join('\n'), 'utf8');
      lines = [];
      size = 0;
      chunk += 1;
      await writing;
      writing = this.#track(
        this.#session.insert({
          table: target,
          values: payload,
          format: 'JSONEachRow',
          ...(token === undefined ? {} : { settings: { insert_deduplication_token: token } }),
        }),
        'insert',
      );
      writing.catch(() => {}); // observed by the next flush or the final await
    };
    try {
      for (const row of rows) {
        const line = serializeRow(row);
        lines.push(line);
        size += line.length + 1;
        if (size >= this.#maxChunkBytes) await flush();
      }
      if (lines.length > 0) await flush();
    } finally {
      await writing.catch(() => {});
    }
    await writing;
  }

  /**
   * RowBinary, measured the fastest format this engine takes (`npm run bench` prints the comparison):
   * chdb's in-memory insert takes text formats only, so the records are encoded into a `RowBlock`
   * and each of its chunks is written to a file in the data folder and read with
   * `INSERT … FROM INFILE … FORMAT RowBinary`.
   */
  async insertRecords<R>(table: string, records: readonly R[], encoder: RecordEncoder<R>, options: InsertOptions = {}): Promise<void> {
    if (records.length === 0) return;
    const block = new RowBlock(encoder);
    for (let i = 0; i < records.length; i++) block.add(records[i]!);
    await this.insertBlock(table, block as RowBlock<unknown>, options);
  }

  /** One `INSERT … FROM INFILE` per chunk; the next chunk's file is written while the engine reads the previous one. */
  async insertBlock(table: string, block: RowBlock<unknown>, options: InsertOptions = {}): Promise<void> {
    const { encoder } = block;
    assertIdentifier(table, 'table');
    for (const column of encoder.insertColumns) assertIdentifier(column, 'column');
    if (this.#closed) throw closedError(this.kind, 'insert');
    if (block.rows === 0) return;
    ensurePrivateDirSync(this.#spool);
    const fixed = Object.entries(encoder.insertSettings ?? {}).map(([name, value]) => {
      assertIdentifier(name, 'setting');
      if (!Number.isFinite(value)) throw closedError(this.kind, 'insert');
      return `${name} = ${value}`;
    });
    const statement = (file: string, token: string | undefined) => {
      const settings = [...(token === undefined ? [] : [`insert_deduplication_token = '${token.replace(/[^A-Za-z0-9:_-]/g, '')}'`]), ...fixed];
      return `INSERT INTO ${this.database}.${table} (${encoder.insertColumns.join(', ')})
      FROM INFILE '${file}'${settings.length > 0 ? ` SETTINGS ${settings.join(', ')}` : ''} FORMAT RowBinary`;
    };
    let writing: Promise<unknown> = Promise.resolve();
    try {
      for (let chunk = 0; chunk < block.chunks.length; chunk++) {
        const w = block.chunks[chunk]!;
        if (w.pos === 0) continue;
        const token = options.dedupToken === undefined ? undefined : chunk === 0 ? options.dedupToken : `${options.dedupToken}:${chunk}`;
        const file = path.join(this.#spool, `${table}-${randomBytes(8).toString('hex')}.bin`);
        await writeFile(file, w.bytes(), { mode: 0o600 });
        await writing;
        writing = this.#track(this.#session.queryAsync(statement(file, token)), 'insert')
          .finally(() => rm(file, { force: true }));
        writing.catch(() => {}); // observed by the next chunk or the final await
      }
    } finally {
      await writing.catch(() => {});
    }
    await writing;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#running]);
    await this.#release();
  }

  #run(operation: string, sql: string, params?: Record<string, unknown>): Promise<ChdbResult> {
    if (this.#closed) return Promise.reject(closedError(this.kind, operation));
    const bound = normalizeParams(params);
    const started = bound && Object.keys(bound).length > 0
      ? this.#session.queryBindAsync(sql, bound, { format: 'JSONEachRow' })
      : this.#session.queryAsync(sql, { format: 'JSONEachRow' });
    return this.#track(started, operation);
  }

  async #track<R>(started: Promise<R>, operation: string): Promise<R> {
    this.#running.add(started);
    try {
      return await started;
    } catch (err) {
      throw clickHouseFailure(operation, this.kind, err, chdbErrorFacts(err));
    } finally {
      this.#running.delete(started);
    }
  }
}

function serializeRow(row: object): string {
  try {
    return JSON.stringify(row);
  } catch (err) {
    throw clickHouseFailure('insert', 'embedded', err, { retriable: false, message: `a row cannot be written as JSON: ${(err as Error).message}` });
  }
}
