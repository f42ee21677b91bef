import Type, { type Static } from 'typebox';
import type { FastifyInstance } from 'fastify';
import { AppwardenError } from '../../core/errors.js';
import { principalOf } from '../auth/guard.js';
import type { KeyStore } from '../auth/key-store.js';
import { ROLES } from '../auth/roles.js';
import { ErrorBodySchema } from '../schemas.js';

const NullableString = Type.Union([Type.String(), Type.Null()]);
const KeyInfoSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Type.String({ description: ROLES.join(', ') }),
  raw: Type.Boolean({ description: "may read the providers' raw records (include_raw)" }),
  created_at: Type.String(),
  created_by: NullableString,
  revoked_at: NullableString,
  revoked_by: NullableString,
});
const CreateBodySchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200, description: 'who or what uses the key' }),
  role: Type.Enum(ROLES),
  raw: Type.Optional(Type.Boolean({ description: "may read the providers' raw records (include_raw), whatever the role" })),
}, { additionalProperties: false });
const IdParamsSchema = Type.Object({ id: Type.String({ pattern: '^[0-9a-z-]{1,64}$', description: 'a key id' }) });

/** `/v1/keys`: create (the key is answered once), list (never the key), revoke. Admins only. */
export function keyRoutes(app: FastifyInstance, deps: { keys: KeyStore | null }): void {
  const keys = (): KeyStore => {
    if (!deps.keys) throw new AppwardenError('AW_NOT_READY', 'this API process has no key store (it needs Kafka)');
    return deps.keys;
  };

  app.get('/v1/keys', {
    config: { role: 'admin' },
    schema: {
      summary: 'API keys (never the keys themselves)', tags: ['keys'],
      response: { 200: Type.Object({ items: Type.Array(KeyInfoSchema) }), 503: ErrorBodySchema },
    },
  }, async () => ({ items: keys().list() }));

  app.post('/v1/keys', {
    config: { role: 'admin' },
    schema: {
      summary: 'Create an API key',
      description: 'The answer holds the key: it is shown this once and stored only hashed. Send it as `Authorization: Bearer <key>`.',
      tags: ['keys'],
      body: CreateBodySchema,
      response: { 201: Type.Object({ key: Type.String(), info: KeyInfoSchema }), 400: ErrorBodySchema, 503: ErrorBodySchema },
    },
  }, async (request, reply) => {
    const body = request.body as Static<typeof CreateBodySchema>;
    const created = await keys().create({ name: body.name, role: body.role, raw: body.raw ?? false, createdBy: principalOf(request).id });
    request.auditNote = { target: created.info.id, summary: `created key ${created.info.id} "${body.name}" with role ${body.role}${body.raw ? ' and raw access' : ''}` };
    request.log.info({ keyId: created.info.id, role: body.role }, 'API key created');
    return reply.status(201).send(created);
  });

  app.delete('/v1/keys/:id', {
    config: { role: 'admin' },
    schema: {
      summary: 'Revoke an API key', description: 'It stops working in every API process within a second or so.', tags: ['keys'],
      params: IdParamsSchema,
      response: { 200: KeyInfoSchema, 400: ErrorBodySchema, 404: ErrorBodySchema, 409: ErrorBodySchema, 503: ErrorBodySchema },
    },
  }, async (request) => {
    const { id } = request.params as { id: string };
    const revoked = await keys().revoke(id, principalOf(request).id);
    request.auditNote = { target: id, summary: `revoked key ${id} "${revoked.name}"` };
    request.log.info({ keyId: id }, 'API key revoked');
    return revoked;
  });
}
