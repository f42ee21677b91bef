import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import { listSchemas, schemaByFingerprint } from '../../schemas/registry.js';
import { ErrorBodySchema } from '../schemas.js';

const SchemaInfoSchema = Type.Object({
  name: Type.String({ description: 'the file name without version, e.g. audit-event' }),
  version: Type.Integer(),
  id: Type.String({ description: 'name.vN, e.g. audit-event.v1' }),
  fullName: Type.String({ description: 'the Avro full name, e.g. dev.appwarden.AuditEvent' }),
  fingerprint: Type.String({ description: 'CRC-64-AVRO of the Parsing Canonical Form, 16 hex digits, most significant first' }),
  fingerprintDecimal: Type.String({ description: 'the same fingerprint as a signed 64-bit decimal (Java\'s parsingFingerprint64)' }),
  topic: Type.Union([Type.String({ description: 'the topic after the prefix, e.g. audit for <prefix>.audit' }), Type.Null()]),
  file: Type.String(),
});

// The .avsc JSON of a record schema; open, so that every attribute of the file is answered.
const AvroSchemaSchema = Type.Object({
  type: Type.String(),
  name: Type.String(),
  namespace: Type.Optional(Type.String()),
  doc: Type.Optional(Type.String()),
  fields: Type.Array(Type.Unknown()),
}, { additionalProperties: true });

/** The Avro schemas of every topic, so a consumer can resolve the fingerprint of a message it reads. */
export function schemaRoutes(app: FastifyInstance): void {
  app.get('/v1/schemas', {
    config: { role: 'analyst' },
    schema: {
      summary: 'List the published Avro schemas with their CRC-64-AVRO fingerprints',
      tags: ['schemas'],
      response: { 200: Type.Object({ items: Type.Array(SchemaInfoSchema) }) },
    },
  }, async () => ({ items: listSchemas() }));

  app.get('/v1/schemas/:fingerprint', {
    config: { role: 'analyst' },
    schema: {
      summary: 'The Avro schema (.avsc JSON) with this fingerprint',
      description: 'The fingerprint as `GET /v1/schemas` lists it: 16 hex digits, most significant first. A message carries '
        + 'the same 8 bytes little-endian after the single-object header `C3 01`, so the hex of those bytes as written in the '
        + 'message is accepted too, as is the decimal form (signed or unsigned 64-bit).',
      tags: ['schemas'],
      params: Type.Object({ fingerprint: Type.String({ minLength: 1, maxLength: 32 }) }),
      response: { 200: AvroSchemaSchema, 404: ErrorBodySchema, 400: ErrorBodySchema },
    },
  }, async (request) => {
    const { fingerprint } = request.params as { fingerprint: string };
    // Unknown → AW_SCHEMA_UNKNOWN (404); not a fingerprint → AW_BAD_REQUEST (400).
    return schemaByFingerprint(fingerprint);
  });
}
