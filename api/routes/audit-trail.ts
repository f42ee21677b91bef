import Type, { type Static } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { ClickHouse } from '../../core/clickhouse.js';
import { formatDateTime64 } from '../../core/clickhouse.js';
import { AUDIT_TRAIL } from '../../processors/sink/catalogue/index.js';
import { Conditions, keysetPage } from '../conditions.js';
import { badRequest } from '../errors.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor, invalidCursor, pageLimit } from '../pagination.js';
import { ErrorBodySchema } from '../schemas.js';

const NullableString = Type.Union([Type.String(), Type.Null()]);
/** An entry as the catalogue (`audit_trail`) describes it. */
const EntrySchema = AUDIT_TRAIL.apiSchema();
const QuerySchema = Type.Object({
  actor: Type.Optional(Type.String({ minLength: 1, description: 'actor id (`key:<id>`, `oidc:<subject>`) or name' })),
  action: Type.Optional(Type.String({ minLength: 1, description: 'exact action, e.g. `PUT /v1/policies/:id`' })),
  target: Type.Optional(Type.String({ minLength: 1 })),
  from: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}', description: 'ISO 8601' })),
  to: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}', description: 'ISO 8601' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, description: `page size, default ${DEFAULT_PAGE_SIZE}` })),
  cursor: Type.Optional(Type.String({ minLength: 1 })),
}, { additionalProperties: false });

type Entry = Static<typeof EntrySchema> & { at: string; entry_id: string };

/** `GET /v1/audit-trail`: who changed what, newest first. Read only: no route changes the trail. */
export function auditTrailRoutes(app: FastifyInstance, deps: { clickhouse: ClickHouse; maxPageSize: number }): void {
  app.get('/v1/audit-trail', {
    config: { role: 'admin' },
    schema: {
      summary: 'Every change made through the API or the CLI',
      description: 'Who (from the credential), role, when, from where and what, newest first. Filters combine with AND.',
      tags: ['audit'],
      querystring: QuerySchema,
      response: { 200: Type.Object({ items: Type.Array(EntrySchema), next_cursor: NullableString }), 400: ErrorBodySchema },
    },
  }, async (request) => {
    const query = request.query as Static<typeof QuerySchema>;
    const limit = pageLimit(query.limit, deps.maxPageSize);
    const where = new Conditions({ limit: limit + 1 }).equals('action', 'action', query.action).equals('target', 'target', query.target);
    if (query.actor !== undefined) where.add('(actor_id = {actor:String} OR actor_name = {actor:String})', { actor: query.actor });
    const from = time(query.from, 'from');
    const to = time(query.to, 'to');
    if (from !== undefined && to !== undefined && from >= to) throw badRequest('querystring.from must be before querystring.to', 'from');
    if (from !== undefined) where.add('at >= {from:DateTime64(3)}', { from: formatDateTime64(from) });
    if (to !== undefined) where.add('at < {to:DateTime64(3)}', { to: formatDateTime64(to) });
    if (query.cursor !== undefined) {
      const [t, id] = decodeCursor(query.cursor, 2) as [string, string];
      const at = Date.parse(t);
      if (!Number.isFinite(at)) throw invalidCursor();
      where.add('(at, entry_id) < ({c_at:DateTime64(3)}, {c_id:String})', { c_at: formatDateTime64(at), c_id: id });
    }
    const rows = await deps.clickhouse.query<Entry>(
      `SELECT ${AUDIT_TRAIL.apiColumns()} FROM ${AUDIT_TRAIL.name} FINAL WHERE ${where} ORDER BY at DESC, entry_id DESC LIMIT {limit:UInt32}`, where.params,
    );
    return keysetPage(rows, limit, (r) => r, (last) => encodeCursor([last.at, last.entry_id]));
  });
}

function time(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (!Number.isFinite(t)) throw badRequest(`querystring.${field} must be an ISO 8601 date-time`, field);
  return t;
}
