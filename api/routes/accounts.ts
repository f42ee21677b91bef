import Type, { type Static } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { ClickHouse } from '../../core/clickhouse.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor, pageLimit } from '../pagination.js';
import { Conditions, keysetPage } from '../conditions.js';
import { ErrorBodySchema } from '../schemas.js';
import { ACCOUNTS } from '../../processors/sink/catalogue/index.js';
import { ACCOUNT_KINDS, ACCOUNT_STATUSES } from '../../schemas/vocabulary.js';

const QuerySchema = Type.Object({
  provider: Type.Optional(Type.String({ minLength: 1 })),
  instance: Type.Optional(Type.String({ minLength: 1 })),
  kind: Type.Optional(Type.Enum(ACCOUNT_KINDS)),
  status: Type.Optional(Type.String({ minLength: 1, description: ACCOUNT_STATUSES.join(', ') })),
  email: Type.Optional(Type.String({ minLength: 1, description: "the subject's email, case-insensitive" })),
  subject_id: Type.Optional(Type.String({ minLength: 1, description: "the provider's id of the user or group" })),
  include_deleted: Type.Optional(Type.Boolean({ description: 'also list what a complete scan or a change feed found deleted (`deleted: true`); default false' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, description: `page size, default ${DEFAULT_PAGE_SIZE} (at most the configured maximum page size)` })),
  cursor: Type.Optional(Type.String({ minLength: 1, description: 'next_cursor of the previous page' })),
}, { additionalProperties: false });

/** One account object as the API answers it: derived from the `accounts` catalogue. */
const AccountSchema = ACCOUNTS.apiSchema();

type Query = Static<typeof QuerySchema>;

/** `GET /v1/accounts`: the latest known state of users, groups, memberships, privileges and app grants. */
export function accountRoutes(app: FastifyInstance, deps: { clickhouse: ClickHouse; maxPageSize: number }): void {
  app.get('/v1/accounts', {
    config: { role: 'analyst' },
    schema: {
      summary: 'List accounts, groups, memberships, privileges and OAuth app grants',
      tags: ['accounts'],
      querystring: QuerySchema,
      response: { 200: Type.Object({ items: Type.Array(AccountSchema), next_cursor: Type.Union([Type.String(), Type.Null()]) }), 400: ErrorBodySchema },
    },
  }, async (request) => {
    const query = request.query as Query;
    const limit = pageLimit(query.limit, deps.maxPageSize);
    const where = new Conditions({ limit: limit + 1 })
      .equals('provider', 'provider', query.provider)
      .equals('instance', 'instance', query.instance)
      .equals('kind', 'kind', query.kind)
      .equals('status', 'status', query.status)
      .equals('subject_id', 'subject_id', query.subject_id);
    if (query.include_deleted !== true) where.add('NOT deleted');
    if (query.email !== undefined) where.add('lower(subject_email) = {email:String}', { email: query.email.toLowerCase() });
    if (query.cursor !== undefined) {
      const [provider, instance, kind, id] = decodeCursor(query.cursor, 4);
      where.add('(provider, instance, kind, record_id) > ({c_provider:String}, {c_instance:String}, {c_kind:String}, {c_id:String})',
        { c_provider: provider, c_instance: instance, c_kind: kind, c_id: id });
    }
    const rows = await deps.clickhouse.query<Record<string, unknown>>(
      `SELECT ${ACCOUNTS.apiColumns()}
       FROM accounts FINAL
       WHERE ${where}
       ORDER BY provider, instance, kind, record_id
       LIMIT {limit:UInt32}`,
      where.params,
    );
    return keysetPage(rows, limit, (row) => ACCOUNTS.toApi(row), (last) => encodeCursor([last.provider, last.instance, last.kind, last.record_id].map(String)));
  });
}
