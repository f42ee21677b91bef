import { createHash } from 'node:crypto';
import type { ClickHouse, RecordEncoder } from '../../core/clickhouse.js';
import { RowBlock } from '../../core/row-block.js';
import { isAppwardenError } from '../../core/errors.js';
import type { ConsumedBatch, ConsumerHandle, KafkaBus, ProcessedPosition } from '../../core/kafka.js';
import type { Logger } from '../../core/logger.js';
import { sleep } from '../../core/sleep.js';
import { deadLetterFrom, deadLetterMessage } from '../../ingestors/runtime/dead-letter.js';
import { decode } from '../../schemas/registry.js';
import type { GovernanceCommand } from '../../schemas/types.js';
import { readEnvelope, SIGNATURE_HEADER, verifyCommand, type SigningKey } from '../governance/command-message.js';
import { ensureTables } from './tables.js';
import { auditTrailMessageToEntry } from './audit-trail-table.js';
import {
  ACCOUNTS, ACTIVITIES, ALERTS, AUDIT_TRAIL, FILES, GOVERNANCE_COMMANDS, GOVERNANCE_LOG, type CatalogueTable,
} from './catalogue/index.js';

export interface SinkOptions {
  bus: KafkaBus;
  clickhouse: ClickHouse;
  /** A ClickHouse cluster: the tables are made replicated with Distributed tables over them (`catalogue/cluster.ts`). */
  cluster?: { cluster: string; database: string };
  log: Logger;
  groupId: string;
  /** Rows buffered before an insert is forced; ClickHouse wants thousands of rows per insert. */
  maxBatchRows: number;
  /** Longest time a row waits in the buffer; about one insert a second per table. */
  flushIntervalMs: number;
  /**
   * The governance signing key: a message on the command topic that it does not sign is not stored,
   * so a forger cannot rewrite how a command reads in the governance log (the executor ignores it too).
   */
  governanceSigningKey: SigningKey;
}

interface TableRoute {
  table: string;
  /** The table's catalogue: how its records become rows. */
  encoder: RecordEncoder<unknown>;
  /**
   * The record of a message value; throws when the value is not what the topic carries; null for a
   * message that is refused without being a dead letter (an unsigned governance command).
   */
  toRecord: (value: Buffer, headers: Readonly<Record<string, string>>) => unknown;
}

/** A route for an Avro topic: the record must be of the topic's schema; `accept` may refuse it. */
function avro<R>(
  table: CatalogueTable<R>, schema: string,
  accept?: (record: R, headers: Readonly<Record<string, string>>) => boolean,
): TableRoute {
  return {
    table: table.name,
    encoder: table as RecordEncoder<unknown>,
    toRecord: (value, headers) => {
      const decoded = decode(value);
      if (decoded.schema.name !== schema) throw new Error(`a ${decoded.schema.name} record on the ${table.name} topic`);
      if (accept && !accept(decoded.record as R, headers)) return null;
      return decoded.record;
    },
  };
}


export interface SinkStats {
  rowsInserted: Record<string, number>;
  /** Milliseconds spent decoding messages (Avro) and encoding their rows (RowBinary), and in inserts (the engine's write), for the bench's breakdown. */
  decodeMs: number;
  insertMs: number;
  inserts: number;
  deadLettered: number;
  lastFlushAt: string | null;
  buffered: number;
  /** failing: the last insert failed (ClickHouse down, disk full, read-only); nothing past the stored rows is committed meanwhile. */
  state: 'ok' | 'failing';
  /** When the inserts started failing (null while they succeed). */
  failingSince: string | null;
  /** Inserts failed in a row. */
  failedInserts: number;
  lastError: { message: string; at: string } | null;
}

/**
 * Consumes the audit, account, file, alert and governance topics and inserts them into ClickHouse in large batches.
 * Offsets are committed only after the insert returned; replays are harmless because each insert
 * carries a deduplication token and the tables collapse rows with the same id.
 */
export class ClickHouseSink {
  private readonly routes: Map<string, TableRoute>;
  private readonly log: Logger;
  /** Per table, the rows accepted since the last flush, already encoded (no decoded objects are held). */
  private buffers = new Map<string, RowBlock>();
  /** First and last offset buffered per topic-partition, for the dedup token and the commit. */
  private ranges: SinkRanges = new Map();
  private buffered = 0;
  private flushing: Promise<void> = Promise.resolve();
  /** True while a block is being written; the next block is accepted meanwhile. */
  private writing = false;
  private timer: NodeJS.Timeout | null = null;
  private consumer: ConsumerHandle | null = null;
  private readonly abort = new AbortController();
  private readonly stats: SinkStats = { rowsInserted: {}, decodeMs: 0, insertMs: 0, inserts: 0, deadLettered: 0, lastFlushAt: null, buffered: 0,
    state: 'ok', failingSince: null, failedInserts: 0, lastError: null };

  constructor(private readonly options: SinkOptions) {
    this.log = options.log.child({ component: 'sink' });
    const { topics } = options.bus;
    this.routes = new Map<string, TableRoute>([
      [topics.audit, avro(ACTIVITIES, 'audit-event')],
      [topics.account, avro(ACCOUNTS, 'account-event')],
      [topics.file, avro(FILES, 'file-event')],
      [topics.alert, avro(ALERTS, 'alert')],
      [topics.governanceCommand, avro(GOVERNANCE_COMMANDS, 'governance-command',
        (command: GovernanceCommand, headers) => this.signed(command, headers))],
      [topics.governanceResult, avro(GOVERNANCE_LOG, 'governance-result')],
      [topics.auditTrail, { table: AUDIT_TRAIL.name, encoder: AUDIT_TRAIL as RecordEncoder<unknown>, toRecord: auditTrailMessageToEntry }],
    ]);
  }

  async start(): Promise<void> {
    await ensureTables(this.options.clickhouse, this.options.cluster ? { cluster: this.options.cluster } : {});
    this.consumer = await this.options.bus.consume({
      groupId: this.options.groupId,
      topics: [...this.routes.keys()],
      fromBeginning: true,
      eachBatch: (batch, ctx) => this.accept(batch, ctx.heartbeat),
    });
    this.timer = setInterval(() => void this.flush().catch(() => undefined), this.options.flushIntervalMs);
    this.timer.unref();
    this.log.info({ groupId: this.options.groupId, topics: [...this.routes.keys()] }, 'sink started');
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush().catch((err) => this.log.warn({ err }, 'final flush failed; the rows will be consumed again'));
    this.abort.abort();
    await this.consumer?.stop();
    this.log.info({ ...this.getStats() }, 'sink stopped');
  }

  /** The topics it consumes. */
  get topics(): string[] {
    return [...this.routes.keys()];
  }

  getStats(): SinkStats {
    return { ...this.stats, rowsInserted: { ...this.stats.rowsInserted }, buffered: this.buffered, lastError: this.stats.lastError && { ...this.stats.lastError } };
  }

  private async accept(batch: ConsumedBatch, heartbeat: () => Promise<void>): Promise<void> {
    const route = this.routes.get(batch.topic);
    if (!route || batch.records.length === 0) return;
    // The batch's rows join the table's buffer only together with their offsets (below), after its
    // dead letters are acknowledged; until then they are a block of their own, about the batch's size.
    let bytes = 0;
    for (const record of batch.records) bytes += record.value?.length ?? 0;
    const rows = new RowBlock(route.encoder, bytes + (bytes >> 2));
    const dead = [];
    const decodeStart = performance.now();
    for (const record of batch.records) {
      let stage: 'decode' | 'encode' = 'decode';
      try {
        if (!record.value) throw new Error('the message has no value');
        const row = route.toRecord(record.value, record.headers);
        stage = 'encode';
        if (row !== null) rows.add(row);
      } catch (err) {
        dead.push(deadLetterFrom(err, {
          stage, provider: null, instance: null, stream: null,
          raw: record.value ? record.value.toString('base64') : '',
          origin: { topic: record.topic, partition: record.partition, offset: String(record.offset) },
        }));
      }
    }
    this.stats.decodeMs += performance.now() - decodeStart;
    // Dead letters are acknowledged before their offsets can be committed by a flush.
    if (dead.length > 0) {
      await this.options.bus.send(this.options.bus.topics.deadLetter, dead.map((d) =>
        deadLetterMessage(d, d.origin ? `${d.origin.topic}/${d.origin.partition}` : null, this.options.bus.maxMessageBytes)));
      this.stats.deadLettered += dead.length;
      this.log.warn({ count: dead.length, topic: batch.topic, partition: batch.partition, reason: dead[0]?.reason }, 'undecodable messages sent to the dead-letter topic');
    }
    // From here to the end of the method nothing awaits, so a flush sees the rows and their offsets together.
    const buffer = this.buffers.get(route.table);
    if (buffer) buffer.append(rows);
    else this.buffers.set(route.table, rows);
    this.addRange(batch.topic, batch.partition, batch.records[0]!.offset, batch.records[batch.records.length - 1]!.offset);
    this.buffered += batch.records.length;
    // A full buffer is written while the next one fills (the engine's write overlaps the decoding);
    // backpressure when that one is full too, or when the last write failed and its rows came back.
    if (this.buffered >= this.options.maxBatchRows) {
      if (this.writing || this.buffered >= 2 * this.options.maxBatchRows) await this.flushUntilDone(heartbeat);
      else void this.flush().catch((err: unknown) => this.log.warn({ err }, 'insert failed; the rows are written with the next block'));
    }
  }

  /** False for a command message the governance key does not sign (logged; the executor records it rejected). */
  private signed(command: GovernanceCommand, headers: Readonly<Record<string, string>>): boolean {
    if (verifyCommand(command, readEnvelope(headers), headers[SIGNATURE_HEADER], this.options.governanceSigningKey)) return true;
    this.log.warn({ security: true, claimedCommandId: command.command_id }, 'security: an unsigned or wrongly signed governance command was not stored');
    return false;
  }

  private addRange(topic: string, partition: number, first: number, last: number): void {
    const id = `${topic}/${partition}`;
    const range = this.ranges.get(id);
    this.ranges.set(id, { topic, partition, first: range?.first ?? first, last: Math.max(range?.last ?? last, last) });
  }

  /** Writes what is buffered, then commits the offsets it covers. Flushes never overlap. */
  flush(): Promise<void> {
    this.flushing = this.flushing.catch(() => undefined).then(() => this.flushOnce());
    return this.flushing;
  }

  private async flushUntilDone(heartbeat: () => Promise<void>): Promise<void> {
    for (let attempt = 0; !this.abort.signal.aborted; attempt++) {
      try {
        await this.flush();
        return;
      } catch (err) {
        this.log.error({ err, attempt }, 'insert failed; retrying with the same deduplication token');
        await heartbeat().catch(() => undefined);
        await sleep(Math.min(30_000, 250 * 2 ** attempt), this.abort.signal);
      }
    }
  }

  private async flushOnce(): Promise<void> {
    if (this.buffered === 0) return;
    this.writing = true;
    try {
      await this.writeBlock();
    } finally {
      this.writing = false;
    }
  }

  private async writeBlock(): Promise<void> {
    // Take the block; batches that arrive during the insert go to the next one.
    const buffers = this.buffers;
    const ranges = this.ranges;
    const count = this.buffered;
    this.buffers = new Map();
    this.ranges = new Map();
    this.buffered = 0;
    // The token names exactly the offsets the block holds, so retrying this block inserts it once.
    const token = createHash('sha256').update([...ranges.values()]
      .map((r) => `${r.topic}:${r.partition}:${r.first}-${r.last}`).sort().join(',')).digest('hex').slice(0, 32);
    const insertStart = performance.now();
    try {
      for (const [table, block] of buffers) {
        if (block.rows > 0) await this.options.clickhouse.insertBlock(table, block, { dedupToken: `${table}:${token}` });
      }
    } catch (err) {
      this.putBack(buffers, ranges, count);
      this.failed(err);
      throw err;
    }
    this.stats.insertMs += performance.now() - insertStart;
    for (const [table, block] of buffers) this.stats.rowsInserted[table] = (this.stats.rowsInserted[table] ?? 0) + block.rows;
    this.stats.inserts++;
    this.stats.lastFlushAt = new Date().toISOString();
    if (this.stats.state === 'failing') this.log.warn({ failedInserts: this.stats.failedInserts, failingSince: this.stats.failingSince }, 'inserts succeed again');
    Object.assign(this.stats, { state: 'ok', failingSince: null, failedInserts: 0 });
    const positions: ProcessedPosition[] = [...ranges.values()].map((r) => ({ topic: r.topic, partition: r.partition, offset: r.last }));
    try {
      await this.consumer?.commit(positions);
    } catch (err) {
      // The rows are stored; a failed commit (e.g. during a rebalance) only means they are consumed, and collapsed, again.
      if (!isAppwardenError(err)) throw err;
      this.log.warn({ err }, 'offset commit failed after a successful insert');
    }
  }

  private failed(err: unknown): void {
    const at = new Date().toISOString();
    this.stats.lastError = { message: err instanceof Error ? err.message : String(err), at };
    this.stats.failedInserts++;
    if (this.stats.state === 'ok') {
      Object.assign(this.stats, { state: 'failing', failingSince: at });
      this.log.error({ err }, 'insert failed; the rows stay buffered and their offsets uncommitted until an insert succeeds');
    }
  }

  /** A failed block goes back in front of what arrived meanwhile, so nothing is committed past it. */
  private putBack(buffers: Map<string, RowBlock>, ranges: SinkRanges, count: number): void {
    for (const [table, newer] of this.buffers) {
      const older = buffers.get(table);
      if (older) older.append(newer);
      else buffers.set(table, newer);
    }
    for (const r of this.ranges.values()) {
      const id = `${r.topic}/${r.partition}`;
      const older = ranges.get(id);
      ranges.set(id, older ? { ...older, last: Math.max(older.last, r.last) } : r);
    }
    this.buffers = buffers;
    this.ranges = ranges;
    this.buffered += count;
  }
}

type SinkRanges = Map<string, { topic: string; partition: number; first: number; last: number }>;

