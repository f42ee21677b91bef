import Type, { type Static } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { ClickHouse } from '../../core/clickhouse.js';
import { AppwardenError } from '../../core/errors.js';
import { Conditions, keysetPage } from '../conditions.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor, pageLimit } from '../pagination.js';
import { ErrorBodySchema } from '../schemas.js';

const ListQuerySchema = Type.Object({
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'case-insensitive substring of the email or the name' })),
  provider: Type.Optional(Type.String({ minLength: 1, description: 'people with an account in this provider' })),
  status: Type.Optional(Type.String({ minLength: 1, description: 'people with an account in this status (active, suspended, ...)' })),
  privileged: Type.Optional(Type.Boolean({ description: 'true: people holding a privilege (admin role) in some app; false: none' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, description: `page size, default ${DEFAULT_PAGE_SIZE} (at most the configured maximum page size)` })),
  cursor: Type.Optional(Type.String({ minLength: 1, description: 'next_cursor of the previous page' })),
}, { additionalProperties: false });

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const InstanceRef = Type.Object({ provider: Type.String(), instance: Type.String() });

const PersonSummarySchema = Type.Object({
  email: Type.String({ description: 'lower-case: the key that correlates the accounts of one person across apps' }),
  name: Nullable(Type.String()),
  instances: Type.Array(InstanceRef, { description: 'where the person has an account' }),
  statuses: Type.Array(Type.String()),
  last_login_at: Nullable(Type.String()),
  groups: Type.Integer(),
  privileges: Type.Array(Type.String()),
  app_grants: Type.Integer(),
});

const PersonSchema = Type.Object({
  email: Type.String(),
  accounts: Type.Array(Type.Object({
    provider: Type.String(),
    instance: Type.String(),
    id: Nullable(Type.String()),
    name: Nullable(Type.String()),
    status: Nullable(Type.String()),
    status_raw: Nullable(Type.String()),
    created_at: Nullable(Type.String()),
    last_login_at: Nullable(Type.String()),
    groups: Type.Array(Type.Object({ id: Nullable(Type.String()), name: Nullable(Type.String()) })),
    privileges: Type.Array(Type.Object({ id: Nullable(Type.String()), name: Nullable(Type.String()), type: Nullable(Type.String()) })),
    app_grants: Type.Array(Type.Object({ id: Nullable(Type.String()), name: Nullable(Type.String()), scopes: Type.Array(Type.String()) })),
  })),
});

type ListQuery = Static<typeof ListQuerySchema>;
type PersonSummary = Static<typeof PersonSummarySchema>;
type Person = Static<typeof PersonSchema>;

interface SummaryRow {
  email: string; name: string | null; instances: string[]; statuses: string[]; last_login_at: string | null;
  groups: number; privileges: string[]; app_grants: number;
}

interface AccountRow {
  provider: string; instance: string; kind: string; subject_id: string | null; subject_name: string | null; status: string | null; status_raw: string | null;
  created_at: string | null; last_login_at: string | null; group_id: string | null; group_name: string | null;
  privilege_id: string | null; privilege_name: string | null; privilege_type: string | null; app_id: string | null; app_name: string | null; app_scopes: string[];
}

/**
 * `GET /v1/people` and `GET /v1/people/:email`: one person across apps, their accounts correlated by
 * email (the accounts' lower-cased `user_key`), with groups, privileges, app grants and last logon.
 */
export function peopleRoutes(app: FastifyInstance, deps: { clickhouse: ClickHouse; maxPageSize: number }): void {
  app.get('/v1/people', {
    config: { role: 'analyst' },
    schema: {
      summary: 'People across apps: accounts correlated by email',
      description: 'Ordered by email; pass `next_cursor` back as `cursor` for the next page.',
      tags: ['accounts'],
      querystring: ListQuerySchema,
      response: { 200: Type.Object({ items: Type.Array(PersonSummarySchema), next_cursor: Type.Union([Type.String(), Type.Null()]) }), 400: ErrorBodySchema },
    },
  }, async (request) => {
    const query = request.query as ListQuery;
    const limit = pageLimit(query.limit, deps.maxPageSize);
    const having = new Conditions({ limit: limit + 1 }).add('length(instances) > 0');
    if (query.q !== undefined) having.add("(positionCaseInsensitiveUTF8(email, {q:String}) > 0 OR positionCaseInsensitiveUTF8(ifNull(name, ''), {q:String}) > 0)", { q: query.q });
    if (query.provider !== undefined) having.add("arrayExists(i -> startsWith(i, concat({provider:String}, '.')), instances)", { provider: query.provider });
    if (query.status !== undefined) having.add('has(statuses, {status:String})', { status: query.status });
    if (query.privileged !== undefined) having.add(`length(privileges) ${query.privileged ? '>' : '='} 0`);
    if (query.cursor !== undefined) having.add('email > {c_email:String}', { c_email: decodeCursor(query.cursor, 1)[0] });
    const rows = await deps.clickhouse.query<SummaryRow>(
      `SELECT user_key AS email,
              anyIf(subject_name, kind = 'user') AS name,
              arraySort(groupUniqArrayIf(concat(provider, '.', instance), kind = 'user')) AS instances,
              arraySort(groupUniqArrayIf(ifNull(status, 'unknown'), kind = 'user')) AS statuses,
              maxIf(last_login_at, kind = 'user') AS last_login_at,
              uniqExactIf(ifNull(group_id, ifNull(group_name, '')), kind = 'membership') AS groups,
              arraySort(groupUniqArrayIf(ifNull(privilege_name, ifNull(privilege_id, '')), kind = 'privilege')) AS privileges,
              countIf(kind = 'app_grant') AS app_grants
       FROM accounts FINAL
       WHERE NOT deleted AND position(user_key, '@') > 0
       GROUP BY user_key
       HAVING ${having}
       ORDER BY email
       LIMIT {limit:UInt32}`,
      having.params,
    );
    return keysetPage(rows, limit, toSummary, (last) => encodeCursor([last.email]));
  });

  app.get('/v1/people/:email', {
    config: { role: 'analyst' },
    schema: {
      summary: "One person's accounts in every app, with groups, privileges and app grants",
      tags: ['accounts'],
      params: Type.Object({ email: Type.String({ minLength: 3, maxLength: 320, pattern: '^[^\\s@]+@[^\\s@]+$', description: 'the email, case-insensitive' }) }),
      response: { 200: PersonSchema, 400: ErrorBodySchema },
    },
  }, async (request) => {
    const email = (request.params as { email: string }).email.toLowerCase();
    const rows = await deps.clickhouse.query<AccountRow>(
      `SELECT provider, instance, kind, subject_id, subject_name, status, status_raw, created_at, last_login_at, group_id, group_name,
              privilege_id, privilege_name, privilege_type, app_id, app_name, app_scopes
       FROM accounts FINAL
       WHERE user_key = {email:String} AND NOT deleted
       ORDER BY provider, instance, kind, record_id`,
      { email },
    );
    const person: Person = { email, accounts: [] };
    for (const row of rows.filter((r) => r.kind === 'user')) {
      const same = rows.filter((r) => r.provider === row.provider && r.instance === row.instance);
      person.accounts.push({
        provider: row.provider, instance: row.instance, id: row.subject_id, name: row.subject_name, status: row.status, status_raw: row.status_raw,
        created_at: row.created_at, last_login_at: row.last_login_at,
        groups: same.filter((r) => r.kind === 'membership').map((r) => ({ id: r.group_id, name: r.group_name })),
        privileges: same.filter((r) => r.kind === 'privilege').map((r) => ({ id: r.privilege_id, name: r.privilege_name, type: r.privilege_type })),
        app_grants: same.filter((r) => r.kind === 'app_grant').map((r) => ({ id: r.app_id, name: r.app_name, scopes: r.app_scopes })),
      });
    }
    if (person.accounts.length === 0) throw new AppwardenError('AW_NOT_FOUND', `no account has the email ${email}`, { details: { field: 'email' } });
    return person;
  });
}

function toSummary(row: SummaryRow): PersonSummary {
  return {
    email: row.email,
    name: row.name || null,
    instances: row.instances.map((i) => {
      const dot = i.indexOf('.');
      return { provider: i.slice(0, dot), instance: i.slice(dot + 1) };
    }),
    statuses: row.statuses,
    last_login_at: row.last_login_at,
    groups: row.groups,
    privileges: row.privileges,
    app_grants: row.app_grants,
  };
}
