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
