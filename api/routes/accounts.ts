import Type, { type Static } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { ClickHouse } from '../../core/clickhouse.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor, pageLimit } from '../pagination.js';
import { Conditions, keysetPage } from '../conditions.js';
import { ErrorBodySchema } from '../schemas.js';

const KINDS = ['user', 'group', 'membership', 'privilege', 'app_grant'] as const;

const QuerySchema = Type.Object({
  provider: Type.Optional(Type.String({ minLength: 1 })),
  instance: Type.Optional(Type.String({ minLength: 1 })),
  kind: Type.Optional(Type.Enum(KINDS)),
  status: Type.Optional(Type.String({ minLength: 1, description: 'active, suspended, deprovisioned, staged, locked, password_expired, unknown' })),
  email: Type.Optional(Type.String({ minLength: 1, description: "the subject's email, case-insensitive" })),
  subject_id: Type.Optional(Type.String({ minLength: 1, description: "the provider's id of the user or group" })),
  include_deleted: Type.Optional(Type.Boolean({ description: 'also list what a complete scan or a change feed found deleted (`deleted: true`); default false' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, description: `page size, default ${DEFAULT_PAGE_SIZE} (at most the configured maximum page size)` })),
  cursor: Type.Optional(Type.String({ minLength: 1, description: 'next_cursor of the previous page' })),
}, { additionalProperties: false });

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

const AccountSchema = Type.Object({
  record_id: Type.String(),
  provider: Type.String(),
  instance: Type.String(),
  kind: Type.String(),
  observed_at: Type.String(),
  subject: Type.Object({ type: Type.String(), id: Nullable(Type.String()), email: Nullable(Type.String()), name: Nullable(Type.String()) }),
  status: Nullable(Type.String()),
  status_raw: Nullable(Type.String()),
  created_at: Nullable(Type.String()),
  last_login_at: Nullable(Type.String()),
  group: Type.Union([Type.Object({ id: Nullable(Type.String()), name: Nullable(Type.String()) }), Type.Null()]),
  privilege: Type.Union([Type.Object({ id: Nullable(Type.String()), name: Nullable(Type.String()), type: Nullable(Type.String()) }), Type.Null()]),
  app: Type.Union([Type.Object({ id: Nullable(Type.String()), name: Nullable(Type.String()), scopes: Type.Array(Type.String()) }), Type.Null()]),
  deleted: Type.Boolean(),
  attributes: Type.Record(Type.String(), Type.String()),
});

type Query = Static<typeof QuerySchema>;
type Account = Static<typeof AccountSchema>;

interface AccountRow {
  record_id: string; provider: string; instance: string; kind: string; observed_at: string;
  subject_type: string; subject_id: string | null; subject_email: string | null; subject_name: string | null;
  status: string | null; status_raw: string | null; created_at: string | null; last_login_at: string | null;
  group_id: string | null; group_name: string | null;
  privilege_id: string | null; privilege_name: string | null; privilege_type: string | null;
  app_id: string | null; app_name: string | null; app_scopes: string[];
  deleted: boolean | number; attributes: Record<string, string>;
}

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
    const rows = await deps.clickhouse.query<AccountRow>(
      `SELECT record_id, provider, instance, kind, observed_at, subject_type, subject_id, subject_email, subject_name,
              status, status_raw, created_at, last_login_at, group_id, group_name, privilege_id, privilege_name,
              privilege_type, app_id, app_name, app_scopes, deleted, attributes
       FROM accounts FINAL
       WHERE ${where}
       ORDER BY provider, instance, kind, record_id
       LIMIT {limit:UInt32}`,
      where.params,
    );
    return keysetPage(rows, limit, toAccount, (last) => encodeCursor([last.provider, last.instance, last.kind, last.record_id]));
  });
}

function toAccount(row: AccountRow): Account {
  return {
    record_id: row.record_id,
    provider: row.provider,
    instance: row.instance,
    kind: row.kind,
    observed_at: row.observed_at,
    subject: { type: row.subject_type, id: row.subject_id, email: row.subject_email, name: row.subject_name },
    status: row.status,
    status_raw: row.status_raw,
    created_at: row.created_at,
    last_login_at: row.last_login_at,
    group: row.group_id === null && row.group_name === null ? null : { id: row.group_id, name: row.group_name },
    privilege: row.privilege_id === null && row.privilege_name === null ? null : { id: row.privilege_id, name: row.privilege_name, type: row.privilege_type },
    app: row.app_id === null && row.app_name === null ? null : { id: row.app_id, name: row.app_name, scopes: row.app_scopes },
    deleted: Boolean(row.deleted),
    attributes: row.attributes,
  };
}
