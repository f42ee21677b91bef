import { AppwardenError } from '../core/errors.js';

/**
 * CRC-64-AVRO, the 64-bit Rabin fingerprint of the Avro specification ("Schema Fingerprints"),
 * computed over the UTF-8 bytes of a schema's Parsing Canonical Form. Computed once per schema at
 * load time, so BigInt arithmetic is fast enough and keeps the algorithm readable.
 */

const EMPTY = 0xc15d213aa4d7a795n;

const TABLE: bigint[] = Array.from({ length: 256 }, (_, i) => {
  let fp = BigInt(i);
  for (let j = 0; j < 8; j++) fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n));
  return fp;
});

/** The fingerprint as an unsigned 64-bit value. */
export function rabinFingerprint(text: string): bigint {
  let fp = EMPTY;
  for (const byte of Buffer.from(text, 'utf8')) {
    fp = (fp >> 8n) ^ TABLE[Number((fp ^ BigInt(byte)) & 0xffn)]!;
  }
  return fp;
}

/** 16 hex digits, most significant first (Java's `Long.toHexString`, zero-padded). */
export function fingerprintHex(fp: bigint): string {
  return fp.toString(16).padStart(16, '0');
}

/** The signed decimal form used by Java (`SchemaNormalization.parsingFingerprint64`) and the Avro test data. */
export function fingerprintSigned(fp: bigint): bigint {
  return BigInt.asIntN(64, fp);
}

/** The 8 bytes as they appear in a single-object encoding header: little-endian. */
export function fingerprintBytesLE(fp: bigint): Buffer {
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64LE(fp);
  return buf;
}

/**
 * The fingerprints a user's text may mean: 16 hex digits (either byte order, with or without `0x`)
 * or a decimal (signed or unsigned 64-bit). Not a fingerprint → AW_BAD_REQUEST.
 */
export function parseFingerprint(input: string | bigint): bigint[] {
  if (typeof input === 'bigint') return [BigInt.asUintN(64, input)];
  const text = input.trim().toLowerCase();
  const hex = /^(?:0x)?([0-9a-f]{16})$/.exec(text);
  if (hex) {
    const value = BigInt(`0x${hex[1]}`);
    // A hex dump of a message shows the little-endian bytes; accept that order too.
    const swapped = Buffer.alloc(8);
    swapped.writeBigUInt64BE(value);
    return [value, swapped.readBigUInt64LE(0)];
  }
  if (/^-?\d{1,20}$/.test(text)) {
    const value = BigInt(text);
    if (value >= -(2n ** 63n) && value < 2n ** 64n) return [BigInt.asUintN(64, value)];
  }
  throw new AppwardenError('AW_BAD_REQUEST', `${input} is not a schema fingerprint (16 hex digits or a 64-bit decimal)`, {
    details: { field: 'fingerprint' },
  });
}
