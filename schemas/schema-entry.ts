import avsc from 'avsc';
import { AppwardenError } from '../core/errors.js';
import { compileAvroReader, type AvroReader } from './avro-reader.js';
import { compileAvroWriter, type AvroWriter } from './avro-writer.js';
import { compileBodyCheck, type BodyCheck } from './body-check.js';
import { parsingCanonicalForm } from './canonical-form.js';
import { fingerprintBytesLE, fingerprintHex, fingerprintSigned, rabinFingerprint } from './fingerprint.js';
import { singleObjectHeader } from './single-object.js';
import { TOPIC_SUFFIXES } from './topics.js';

export const SCHEMA_FILE = /^([a-z][a-z0-9-]*)\.v(\d+)\.avsc$/;

/** What `listSchemas()` tells about each schema. */
export interface SchemaInfo {
  /** The file name without version, e.g. `audit-event`. */
  name: string;
  version: number;
  /** `name.vN`, e.g. `audit-event.v1`. */
  id: string;
  /** The Avro full name, e.g. `dev.appwarden.AuditEvent` (the subject under a record-name strategy). */
  fullName: string;
  /** CRC-64-AVRO of the Parsing Canonical Form, 16 hex digits, most significant first. */
  fingerprint: string;
  /** The same fingerprint as a signed 64-bit decimal (Java's `parsingFingerprint64`). */
  fingerprintDecimal: string;
  /** The topic it is published on, after the prefix (`<prefix>.<topic>`); null for schemas not on a topic. */
  topic: string | null;
  file: string;
}

/** One loaded schema with everything compiled that encoding and decoding need. */
export interface SchemaEntry {
  info: SchemaInfo;
  json: unknown;
  canonicalForm: string;
  fingerprint: bigint;
  header: Buffer;
  /** Fingerprint bytes 2..6 and 6..10 of the header as little-endian uint32, for a lookup without allocation. */
  lo: number;
  hi: number;
  type: avsc.Type;
  /** Writes the body; returns the end position, or a negative number when the buffer is too small. */
  write: AvroWriter;
  /** Reads and bounds-checks the body with this schema as reader; null when avsc reads it (after `check`). */
  read: AvroReader | null;
  /** Bounds-checks a body before avsc decodes it (schema resolution, or a schema `read` does not support). */
  check: BodyCheck;
}

/** The name, version and `name.vN` id a schema file's name gives; not `<name>.v<N>.avsc` → AW_CONFIG_INVALID. */
export function schemaFileId(file: string): { name: string; version: number; id: string } {
  const match = SCHEMA_FILE.exec(file);
  if (!match) throw configError(`schema file name ${file} is not <name>.v<N>.avsc`, file);
  const name = match[1]!;
  const version = Number(match[2]);
  return { name, version, id: `${name}.v${version}` };
}

/** Compiles one schema; `file` must be named `<name>.v<N>.avsc`. Not valid Avro → AW_CONFIG_INVALID. */
export function compileSchemaEntry(file: string, json: unknown): SchemaEntry {
  const { name, version, id } = schemaFileId(file);

  let type: avsc.Type;
  try {
    type = avsc.Type.forSchema(json as avsc.Schema);
  } catch (err) {
    throw configError(`schema ${file} is not valid Avro: ${(err as Error).message}`, file, err);
  }
  const canonicalForm = parsingCanonicalForm(json);
  const fingerprint = rabinFingerprint(canonicalForm);
  const fpBytes = fingerprintBytesLE(fingerprint);
  const info: SchemaInfo = {
    name,
    version,
    id,
    fullName: (type as { name?: string }).name ?? name,
    fingerprint: fingerprintHex(fingerprint),
    fingerprintDecimal: fingerprintSigned(fingerprint).toString(),
    topic: (TOPIC_SUFFIXES as Record<string, string>)[name] ?? null,
    file,
  };
  return {
    info, json, canonicalForm, fingerprint, header: singleObjectHeader(fpBytes), type,
    lo: fpBytes.readUInt32LE(0), hi: fpBytes.readUInt32LE(4),
    write: compileAvroWriter(json) ?? ((value, buf, pos) => type.encode(value, buf, pos)),
    read: compileAvroReader(type, id),
    check: compileBodyCheck(json),
  };
}

export function configError(message: string, file: string, cause?: unknown): AppwardenError {
  return new AppwardenError('AW_CONFIG_INVALID', message, { cause, details: { file } });
}

/** A record that does not match the schema → AW_ENCODE_FAILED naming up to ten fields at fault. */
export function encodeError(entry: SchemaEntry, record: unknown, cause: unknown): AppwardenError {
  const problems: string[] = [];
  entry.type.isValid(record, {
    errorHook: (path: string[], value: unknown) => {
      if (problems.length < 10) problems.push(`${path.join('.') || '(record)'}: ${JSON.stringify(value) ?? 'undefined'}`);
    },
  });
  const where = problems.length > 0 ? problems.join('; ') : (cause as Error).message;
  return new AppwardenError('AW_ENCODE_FAILED', `the record does not match ${entry.info.id}: ${where}`, {
    cause, details: { schema: entry.info.id, fields: problems },
  });
}
