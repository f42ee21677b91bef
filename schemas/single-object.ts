import { AppwardenError } from '../core/errors.js';
import { fingerprintHex } from './fingerprint.js';

/** Avro single-object encoding marker (Avro specification, "Single-object encoding"). */
const MAGIC_0 = 0xc3;
const MAGIC_1 = 0x01;
/** The marker and the schema's 8-byte little-endian fingerprint that precede the body. */
export const HEADER_SIZE = 10;

/** The header of a message written with the schema whose fingerprint bytes (little-endian) are given. */
export function singleObjectHeader(fingerprintLE: Buffer): Buffer {
  return Buffer.concat([Buffer.from([MAGIC_0, MAGIC_1]), fingerprintLE]);
}

/** The writer fingerprint a message's header names, as two little-endian uint32 halves (no allocation). */
export interface HeaderFingerprint {
  lo: number;
  hi: number;
  /** 16 hex digits, for the error when no schema has it. */
  hex(): string;
}

/** Checks a message's header and reads the writer fingerprint from it; not a message → AW_DECODE_FAILED. */
export function readHeaderFingerprint(message: Uint8Array): HeaderFingerprint {
  if (!(message instanceof Uint8Array)) throw decodeError('the message is not a byte buffer');
  if (message.length < HEADER_SIZE) throw decodeError(`the message has ${message.length} bytes, fewer than the 10-byte header`);
  if (message[0] !== MAGIC_0 || message[1] !== MAGIC_1) throw decodeError('the message does not start with the single-object marker C3 01');
  const view = Buffer.from(message.buffer, message.byteOffset, message.length);
  return { lo: view.readUInt32LE(2), hi: view.readUInt32LE(6), hex: () => fingerprintHex(view.readBigUInt64LE(2)) };
}

export function decodeError(reason: string, cause?: unknown): AppwardenError {
  return new AppwardenError('AW_DECODE_FAILED', `cannot decode the message: ${reason}`, { cause, details: { reason } });
}
