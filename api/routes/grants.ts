import Type, { type Static } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { ClickHouse } from '../../core/clickhouse.js';
import { Conditions, keysetPage } from '../conditions.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor, pageLimit } from '../pagination.js';
import { ErrorBodySchema } from '../schemas.js';

const QuerySchema = Type.Object({
  provider: Type.Optional(Type.String({ minLength: 1 })),
  instance: Type.Optional(Type.String({ minLength: 1 })),
  user: Type.Optional(Type.String({ minLength: 1, description: "the granting user's email (case-insensitive) or provider id" })),
  app: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: "the app's id, or a case-insensitive substring of its name" })),
  scope: Type.Optional(Type.String({ minLength: 1, description: 'the grant includes this scope, exact' })),
  include_deleted: Type.Optional(Type.Boolean({ description: 'also list revoked grants a scan found gone; default false' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, description: `page size, default ${DEFAULT_PAGE_SIZE} (at most the configured maximum page size)` })),
  cursor: Type.Optional(Type.String({ minLength: 1, description: 'next_cursor of the previous page' })),
}, { additionalProperties: false });

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

const GrantSchema = Type.Object({
  record_id: Type.String(),
  provider: Type.String(),
  instance: Type.String(),
  observed_at: Type.String(),
  user: Type.Object({ id: Nullable(Type.String()), email: Nullable(Type.String()), name: Nullable(Type.String()) }),
  app: Type.Object({ id: Nullable(Type.String()), name: Nullable(Type.String()) }),
  scopes: Type.Array(Type.String()),
  created_at: Nullable(Type.String()),
  deleted: Type.Boolean(),
  attributes: Type.Record(Type.String(), Type.String()),
});

type Query = Static<typeof QuerySchema>;
type Grant = Static<typeof GrantSchema>;

interface GrantRow {
  record_id: string; provider: string; instance: string; observed_at: string; subject_id: string | null; subject_email: string | null;
  subject_name: string | null; app_id: string | null; app_name: string | null; app_scopes: string[]; created_at: string | null;
  deleted: boolean | number; attributes: Record<string, string>;
}

/** `GET /v1/grants`: OAuth app grants (third-party apps users connected), from the account scans. */
export function grantRoutes(app: FastifyInstance, deps: { clickhouse: ClickHouse; maxPageSize: number }): void {
  app.get('/v1/grants', {
    config: { role: 'analyst' },
    schema: {
      summary: 'List OAuth app grants: which user gave which app which scopes',
      description: 'Ordered by provider, instance and record id; pass `next_cursor` back as `cursor` for the next page.',
      tags: ['accounts'],
      querystring: QuerySchema,
      response: { 200: Type.Object({ items: Type.Array(GrantSchema), next_cursor: Type.Union([Type.String(), Type.Null()]) }), 400: ErrorBodySchema },
    },
  }, async (request) => {
    const query = request.query as Query;
    const limit = pageLimit(query.limit, deps.maxPageSize);
    const where = new Conditions({ limit: limit + 1 })
      .add("kind = 'app_grant'")
      .equals('provider', 'provider', query.provider)
      .equals('instance', 'instance', query.instance);
    if (query.include_deleted !== true) where.add('NOT deleted');
    if (query.user !== undefined) where.add('(user_key = lower({user:String}) OR subject_id = {user:String})', { user: query.user });
    if (query.app !== undefined) where.add("(app_id = {app:String} OR positionCaseInsensitiveUTF8(ifNull(app_name, ''), {app:String}) > 0)", { app: query.app });
    if (query.scope !== undefined) where.add('has(app_scopes, {scope:String})', { scope: query.scope });
    if (query.cursor !== undefined) {
      const [provider, instance, id] = decodeCursor(query.cursor, 3);
      where.add("(provider, instance, kind, record_id) > ({c_provider:String}, {c_instance:String}, 'app_grant', {c_id:String})", { c_provider: provider, c_instance: instance, c_id: id });
    }
    const rows = await deps.clickhouse.query<GrantRow>(
      `SELECT record_id, provider, instance, observed_at, subject_id, subject_email, subject_name, app_id, app_name, app_scopes, created_at, deleted, attributes
       FROM accounts FINAL
       WHERE ${where}
       ORDER BY provider, instance, kind, record_id
       LIMIT {limit:UInt32}`,
      where.params,
    );
    return keysetPage(rows, limit, toGrant, (last) => encodeCursor([last.provider, last.instance, last.record_id]));
  });
}

function toGrant(row: GrantRow): Grant {
  return {
    record_id: row.record_id,
    provider: row.provider,
    instance: row.instance,
    observed_at: row.observed_at,
    user: { id: row.subject_id, email: row.subject_email, name: row.subject_name },
    app: { id: row.app_id, name: row.app_name },
    scopes: row.app_scopes,
    created_at: row.created_at,
    deleted: Boolean(row.deleted),
    attributes: row.attributes,
  };
}
