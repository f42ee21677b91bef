import type { RecordEncoder } from './clickhouse.js';
import { RowBinaryWriter } from './row-binary-writer.js';

/** RowBinary statements of about this size: large enough for few parts, small enough to overlap writing and the engine's read. */
export const ROW_BLOCK_CHUNK_BYTES = 32 * 1024 * 1024;

/**
 * Rows of one table, encoded as RowBinary when they are added, so that a consumer holds bytes rather
 * than decoded objects until the insert (objects held for seconds survive into the old generation,
 * and collecting them cost as much as the rest of the sink: `npm run bench` prints it). The rows are
 * cut into chunks of about `chunkBytes`; the same rows added in the same order give the same chunks,
 * so a retried block deduplicates chunk by chunk (`ClickHouse.insertBlock`).
 */
export class RowBlock<R = unknown> {
  readonly chunks: RowBinaryWriter[] = [];
  /** Rows in each chunk. */
  readonly chunkRows: number[] = [];
  rows = 0;

  /** `expectedBytes`: about how much the rows will take (the first chunk starts that large). */
  constructor(readonly encoder: RecordEncoder<R>, private readonly expectedBytes = 1 << 20, private readonly chunkBytes = ROW_BLOCK_CHUNK_BYTES) {}

  /** Encodes one record; a record that does not fit its columns throws and leaves the block as it was. */
  add(record: R): void {
    let w = this.chunks[this.chunks.length - 1];
    if (!w || w.pos >= this.chunkBytes) {
      w = new RowBinaryWriter(Math.min(this.chunkBytes + (this.chunkBytes >> 3), Math.max(4096, this.expectedBytes)));
      this.chunks.push(w);
      this.chunkRows.push(0);
    }
    const start = w.pos;
    try {
      this.encoder.writeRowBinary(w, record);
    } catch (err) {
      w.pos = start;
      throw err;
    }
    this.chunkRows[this.chunkRows.length - 1]! += 1;
    this.rows += 1;
  }

  /** Appends another block's rows after these, copied into the last chunk while it is under the chunk size. */
  append(other: RowBlock<R>): void {
    for (let i = 0; i < other.chunks.length; i++) {
      const from = other.chunks[i]!;
      const last = this.chunks[this.chunks.length - 1];
      if (last && last.pos < this.chunkBytes) {
        last.ensure(from.pos);
        from.buf.copy(last.buf, last.pos, 0, from.pos);
        last.pos += from.pos;
        this.chunkRows[this.chunkRows.length - 1]! += other.chunkRows[i]!;
      } else {
        this.chunks.push(from);
        this.chunkRows.push(other.chunkRows[i]!);
      }
    }
    this.rows += other.rows;
  }

  /** Encoded bytes, for statistics. */
  bytes(): number {
    return this.chunks.reduce((n, w) => n + w.pos, 0);
  }
}
