/**
 * ClickHouse's RowBinary format, written straight from the records: every value in column order,
 * strings as a LEB128 length and their UTF-8 bytes, integers little-endian, Nullable as a null byte
 * then the value, Array and Map as a length then the items, DateTime64(3) as Int64 milliseconds.
 * One growing buffer per batch; no row objects, no JSON text for the engine to parse.
 */
export class RowBinaryWriter {
  buf: Buffer;
  pos = 0;

  constructor(initialBytes = 1 << 20) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /** Room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** The bytes written so far (a view, valid until the next write). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** Forget what was written; the buffer is reused. */
  reset(): void {
    this.pos = 0;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  varUInt(n: number): void {
    this.ensure(10);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
  }

  string(s: string): void {
    const chars = s.length;
    this.ensure(10 + chars * 3);
    const buf = this.buf;
    const start = this.pos;
    if (chars < 128) {
      // Short ASCII (ids, names, enums): copy the bytes; the length is one byte.
      let p = start + 1;
      for (let i = 0; i < chars; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) return this.text(s, 1);
        buf[p++] = c;
      }
      buf[start] = chars;
      this.pos = p;
      return;
    }
    this.text(s, varSize(chars));
  }

  /** The text after a `reserved`-byte length, moved when its UTF-8 length needs another size. */
  private text(s: string, reserved: number): void {
    const start = this.pos;
    const written = utf8Write.call(this.buf, s, start + reserved);
    const size = varSize(written);
    if (size !== reserved) this.buf.copyWithin(start + size, start + reserved, start + reserved + written);
    let n = written;
    let p = start;
    while (n >= 0x80) {
      this.buf[p++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[p] = n;
    this.pos = start + size + written;
  }

  uint(n: number, bytes: 1 | 2 | 4 | 8): void {
    this.ensure(8);
    if (bytes === 8) {
      this.buf.writeUInt32LE(n % 0x1_0000_0000, this.pos);
      this.buf.writeUInt32LE(Math.floor(n / 0x1_0000_0000), this.pos + 4);
    } else this.buf.writeUIntLE(n, this.pos, bytes);
    this.pos += bytes;
  }

  int64(n: number): void {
    this.ensure(8);
    const lo = n % 0x1_0000_0000;
    this.buf.writeUInt32LE(lo < 0 ? lo + 0x1_0000_0000 : lo, this.pos);
    this.buf.writeInt32LE(Math.floor(n / 0x1_0000_0000), this.pos + 4);
    this.pos += 8;
  }
}

// Buffer#utf8Write skips the argument handling of Buffer#write (as in schemas/avro-writer.ts).
const utf8Write = (Buffer.prototype as unknown as { utf8Write: (this: Buffer, s: string, offset: number) => number }).utf8Write;

function varSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}

