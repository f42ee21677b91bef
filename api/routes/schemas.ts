import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import { AppwardenError } from '../../core/errors.js';
import { listSchemas, schemaByFingerprint } from '../../schemas/registry.js';
import { ErrorBodySchema } from '../schemas.js';

/** The Avro schemas of every topic, so a consumer can resolve the fingerprint of a message it reads. */
export function schemaRoutes(app: FastifyInstance): void {
  app.get('/v1/schemas', {
    schema: { summary: 'List the published Avro schemas with their CRC-64-AVRO fingerprints', tags: ['schemas'] },
  }, async () => ({ items: listSchemas() }));

  app.get('/v1/schemas/:fingerprint', {
    schema: {
      summary: 'The Avro schema (.avsc JSON) with this fingerprint',
      description: 'The fingerprint is the 8 bytes after the single-object header `C3 01`, as 16 hex digits (as written in the message) or as a decimal.',
      tags: ['schemas'],
      params: Type.Object({ fingerprint: Type.String({ minLength: 1, maxLength: 32 }) }),
      response: { 404: ErrorBodySchema, 400: ErrorBodySchema },
    },
  }, async (request) => {
    const { fingerprint } = request.params as { fingerprint: string };
    const schema = schemaByFingerprint(fingerprint);
    if (!schema) throw new AppwardenError('AW_SCHEMA_UNKNOWN', `no schema has the fingerprint ${fingerprint}`);
    return schema;
  });
}
