import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type avsc from 'avsc';
import { AppwardenError } from '../core/errors.js';
import { parseFingerprint } from './fingerprint.js';
import { compileSchemaEntry, configError, encodeError, SCHEMA_FILE, schemaFileId, type SchemaEntry, type SchemaInfo } from './schema-entry.js';
import { decodeError, HEADER_SIZE, readHeaderFingerprint } from './single-object.js';
import type { SchemaName, SchemaRecords } from './types.js';

/** The folder of the published `.avsc` files. */
export const SCHEMA_DIR = fileURLToPath(new URL('./avro/', import.meta.url));

// Messages are written one after another into a slab and returned as views of it: one allocation
// per slab instead of one per message. Small enough that a view kept long does not pin much.
const SLAB_SIZE = 128 * 1024;
// Far above any broker's message limit; a record this large is a bug, not data.
const MAX_MESSAGE_SIZE = 64 * 1024 * 1024;

/** `audit-event` (the highest version known) or `audit-event.v1`. */
export type SchemaRef<N extends string = SchemaName> = N | `${N}.v${number}`;

export interface Decoded<R = unknown> {
  /** The writer schema of the message. */
  schema: SchemaInfo;
  record: R;
}

/**
 * The Avro schemas Appwarden reads and writes, keyed by name, version and fingerprint. Messages are
 * Avro single-object encoded: `C3 01`, the schema's 8-byte little-endian CRC-64-AVRO fingerprint,
 * then the Avro binary body, so any consumer can find the writer schema from the message alone.
 */
export class SchemaRegistry {
  private readonly entries: SchemaEntry[] = [];
  /** By `name.vN` and by `name` (the highest version). */
  private readonly byRef = new Map<string, SchemaEntry>();
  private readonly resolvers = new Map<string, avsc.Resolver>();
  private slab = Buffer.allocUnsafe(SLAB_SIZE);
  private slabPos = 0;

  /** Loads every `<name>.v<N>.avsc` file of the given folders. */
  static fromDirectories(dirs: string[]): SchemaRegistry {
    const registry = new SchemaRegistry();
    for (const dir of dirs) {
      for (const file of readdirSync(dir).sort()) {
        if (SCHEMA_FILE.test(file)) registry.add(file, JSON.parse(readFileSync(join(dir, file), 'utf8')));
      }
    }
    return registry;
  }

  /** Adds one schema; `file` must be named `<name>.v<N>.avsc`. */
  add(file: string, json: unknown): SchemaInfo {
    const { name, version, id } = schemaFileId(file);
    if (this.byRef.has(id)) throw configError(`schema ${id} is defined twice`, file);
    const entry = compileSchemaEntry(file, json);
    const clash = this.entries.find((e) => e.fingerprint === entry.fingerprint);
    if (clash) throw configError(`schema ${id} has the same canonical form as ${clash.info.id}`, file);
    this.entries.push(entry);
    this.byRef.set(id, entry);
    const current = this.byRef.get(name);
    if (!current || current.info.version < version) this.byRef.set(name, entry);
    return entry.info;
  }

  /** Every schema, in load order. */
  listSchemas(): SchemaInfo[] {
    return this.entries.map((e) => ({ ...e.info }));
  }

  /** The schema a reference names; unknown → AW_SCHEMA_UNKNOWN. */
  info(ref: string): SchemaInfo {
    return { ...this.entry(ref).info };
  }

  /** The schema's JSON, as in its `.avsc` file. */
  schemaJson(ref: string): unknown {
    return this.entry(ref).json;
  }

  /** The schema's Parsing Canonical Form. */
  canonicalForm(ref: string): string {
    return this.entry(ref).canonicalForm;
  }

  /**
   * The `.avsc` JSON (a copy) of the schema with that fingerprint: 16 hex digits (either byte
   * order, with or without `0x`) or a decimal (signed or unsigned 64-bit). Unknown →
   * AW_SCHEMA_UNKNOWN; not a fingerprint → AW_BAD_REQUEST.
   */
  schemaByFingerprint(fingerprint: string | bigint): unknown {
    return structuredClone(this.entryByFingerprint(fingerprint).json);
  }

  /** What `listSchemas()` says about the schema with that fingerprint (same lookup rules). */
  infoByFingerprint(fingerprint: string | bigint): SchemaInfo {
    return { ...this.entryByFingerprint(fingerprint).info };
  }

  /**
   * Avro single-object encoding of a record. A record that does not match → AW_ENCODE_FAILED naming
   * the fields. The buffer is a view of a shared slab: copy it if you keep it for long.
   */
  encode<N extends SchemaName>(ref: SchemaRef<N>, record: SchemaRecords[N]): Buffer;
  encode(ref: string, record: unknown): Buffer;
  encode(ref: string, record: unknown): Buffer {
    const entry = this.entry(ref);
    for (;;) {
      const start = this.slabPos;
      const slab = this.slab;
      let end = -1;
      if (start + HEADER_SIZE <= slab.length) {
        const header = entry.header;
        for (let i = 0; i < HEADER_SIZE; i++) slab[start + i] = header[i]!;
        try {
          end = entry.write(record, slab, start + HEADER_SIZE);
        } catch (err) {
          throw encodeError(entry, record, err);
        }
      }
      if (end >= 0) {
        this.slabPos = end;
        return slab.subarray(start, end);
      }
      // Did not fit: start a new slab, twice as large when even an empty one was too small.
      if (start === 0 && slab.length >= MAX_MESSAGE_SIZE) {
        throw new AppwardenError('AW_ENCODE_FAILED', `the ${entry.info.id} record encodes to more than ${MAX_MESSAGE_SIZE} bytes`, {
          details: { schema: entry.info.id, fields: [] },
        });
      }
      this.slab = Buffer.allocUnsafe(start === 0 ? slab.length * 2 : SLAB_SIZE);
      this.slabPos = 0;
    }
  }

  /** Decodes a single-object message with its own writer schema. */
  decode(message: Uint8Array): Decoded {
    const entry = this.writerOf(message);
    return { schema: { ...entry.info }, record: this.readOwn(entry, message) };
  }

  /**
   * Decodes a message into the shape of `readerRef`, resolving from the writer schema (Avro schema
   * resolution: fields the reader lacks are skipped, fields the writer lacks take their default).
   */
  decodeAs<N extends SchemaName>(message: Uint8Array, readerRef: SchemaRef<N>): Decoded<SchemaRecords[N]>;
  decodeAs(message: Uint8Array, readerRef: string): Decoded;
  decodeAs(message: Uint8Array, readerRef: string): Decoded {
    const writer = this.writerOf(message);
    const reader = this.entry(readerRef);
    if (writer === reader) return { schema: { ...writer.info }, record: this.readOwn(writer, message) };
    const key = `${writer.info.id}>${reader.info.id}`;
    let resolver = this.resolvers.get(key);
    if (!resolver) {
      try {
        resolver = reader.type.createResolver(writer.type);
      } catch (err) {
        throw new AppwardenError('AW_DECODE_FAILED', `a ${writer.info.id} message cannot be read as ${reader.info.id}: ${(err as Error).message}`, {
          cause: err, details: { reason: 'incompatible schemas', writer: writer.info.id, reader: reader.info.id },
        });
      }
      this.resolvers.set(key, resolver);
    }
    return { schema: { ...writer.info }, record: this.readBody(writer, reader.type, message, resolver) };
  }

  private entryByFingerprint(fingerprint: string | bigint): SchemaEntry {
    for (const fp of parseFingerprint(fingerprint)) {
      const entry = this.entries.find((e) => e.fingerprint === fp);
      if (entry) return entry;
    }
    throw new AppwardenError('AW_SCHEMA_UNKNOWN', `no schema has the fingerprint ${String(fingerprint)}`, {
      details: { fingerprint: String(fingerprint) },
    });
  }

  private entry(ref: string): SchemaEntry {
    const entry = this.byRef.get(ref);
    if (!entry) {
      throw new AppwardenError('AW_SCHEMA_UNKNOWN', `no schema is named ${ref}`, { details: { schema: ref } });
    }
    return entry;
  }

  private writerOf(message: Uint8Array): SchemaEntry {
    const { lo, hi, hex } = readHeaderFingerprint(message);
    for (const entry of this.entries) {
      if (entry.lo === lo && entry.hi === hi) return entry;
    }
    const fp = hex();
    throw new AppwardenError('AW_SCHEMA_UNKNOWN', `no schema has the fingerprint ${fp}`, { details: { fingerprint: fp } });
  }

  /** The body read with its writer schema: the compiled reader checks as it reads, in one pass. */
  private readOwn(entry: SchemaEntry, message: Uint8Array): unknown {
    if (entry.read === null) return this.readBody(entry, entry.type, message, undefined);
    const buf = Buffer.isBuffer(message) ? message : Buffer.from(message.buffer, message.byteOffset, message.length);
    return entry.read(buf, HEADER_SIZE);
  }

  private readBody(writer: SchemaEntry, type: avsc.Type, message: Uint8Array, resolver: avsc.Resolver | undefined): unknown {
    const buf = Buffer.isBuffer(message) ? message : Buffer.from(message.buffer, message.byteOffset, message.length);
    const end = writer.check(buf, HEADER_SIZE);
    if (end !== buf.length) throw decodeError(`${buf.length - end} bytes follow the ${writer.info.id} record`);
    try {
      const { value, offset } = type.decode(buf, HEADER_SIZE, resolver);
      if (offset !== buf.length) throw new Error('the body does not end where the record ends');
      return value;
    } catch (err) {
      throw decodeError(`the body is not a valid ${writer.info.id} record: ${(err as Error).message}`, err);
    }
  }
}

let defaultRegistry: SchemaRegistry | undefined;

/** The registry of the published schemas (`schemas/avro/`), loaded on first use. */
export function schemaRegistry(): SchemaRegistry {
  defaultRegistry ??= SchemaRegistry.fromDirectories([SCHEMA_DIR]);
  return defaultRegistry;
}

/** Encodes a record with a published schema (see `SchemaRegistry.encode`). */
export function encode<N extends SchemaName>(ref: SchemaRef<N>, record: SchemaRecords[N]): Buffer {
  return schemaRegistry().encode(ref, record);
}

/** Decodes a message with its writer schema (see `SchemaRegistry.decode`). */
export function decode(message: Uint8Array): Decoded {
  return schemaRegistry().decode(message);
}

/** Decodes a message into a reader schema's shape (see `SchemaRegistry.decodeAs`). */
export function decodeAs<N extends SchemaName>(message: Uint8Array, readerRef: SchemaRef<N>): Decoded<SchemaRecords[N]> {
  return schemaRegistry().decodeAs(message, readerRef);
}

/** The `.avsc` JSON of a published schema by fingerprint (for `GET /v1/schemas/:fingerprint`). */
export function schemaByFingerprint(fingerprint: string | bigint): unknown {
  return schemaRegistry().schemaByFingerprint(fingerprint);
}

/** The published schemas with name, version, fingerprint and topic. */
export function listSchemas(): SchemaInfo[] {
  return schemaRegistry().listSchemas();
}
