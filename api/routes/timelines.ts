import Type, { type Static } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { ClickHouse } from '../../core/clickhouse.js';
import { formatDateTime64 } from '../../core/clickhouse.js';
import { timeRangeOf } from '../activity-query.js';
import { Conditions, keysetPage } from '../conditions.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor, invalidCursor, pageLimit } from '../pagination.js';
import { ErrorBodySchema } from '../schemas.js';
import { DAY_MS } from '../time-range.js';
import { latestActivities, mentioning, TARGET_IDS_INDEXED } from '../../processors/sink/catalogue/index.js';

const DEFAULT_RANGE_MS = 30 * DAY_MS;

const PageProperties = {
  from: Type.Optional(Type.String({ description: 'ISO 8601, inclusive; default 30 days before `to`' })),
  to: Type.Optional(Type.String({ description: 'ISO 8601, exclusive; default now' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, description: `page size, default ${DEFAULT_PAGE_SIZE} (at most the configured maximum page size)` })),
  cursor: Type.Optional(Type.String({ minLength: 1, description: 'next_cursor of the previous page' })),
};

const UserQuerySchema = Type.Object({ ...PageProperties }, { additionalProperties: false });
const FileQuerySchema = Type.Object({
  provider: Type.Optional(Type.String({ minLength: 1, description: "the file's provider; unset: every provider's events naming this id" })),
  instance: Type.Optional(Type.String({ minLength: 1 })),
  ...PageProperties,
}, { additionalProperties: false });

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

const EntrySchema = Type.Object({
  at: Type.String(),
  kind: Type.String({ description: 'activity (an audit event) or governance (a step of a governance command)' }),
  id: Type.String({ description: 'an activity: its event_id; a governance step: `<command_id>/<status>/<attempt>`' }),
  provider: Type.String(),
  instance: Type.String(),
  action: Type.String(),
  action_raw: Nullable(Type.String()),
  outcome: Type.String({ description: "an activity's outcome, or a governance step's status" }),
  role: Type.String({ description: 'actor: the subject did it; target: it was done to the subject' }),
  actor: Type.Object({ id: Nullable(Type.String()), email: Nullable(Type.String()), name: Nullable(Type.String()) }),
  source_ip: Nullable(Type.String()),
  country: Nullable(Type.String()),
  targets: Type.Array(Type.Object({ type: Type.String(), id: Nullable(Type.String()), name: Nullable(Type.String()) })),
  message: Nullable(Type.String()),
});
const PageSchema = Type.Object({ items: Type.Array(EntrySchema), next_cursor: Type.Union([Type.String(), Type.Null()]) });

type Entry = Static<typeof EntrySchema>;
interface EntryRow {
  at: string; kind: string; id: string; provider: string; instance: string; action: string; action_raw: string | null; outcome: string; role: string;
  actor_id: string | null; actor_email: string | null; actor_name: string | null; src_ip: string | null; country: string | null;
  target_types: string[]; target_ids: Array<string | null>; target_names: Array<string | null>; message: string | null;
}

/** The union's columns, for an activity (`role` given) and for a governance step. */
const ACTIVITY_COLUMNS = (role: string) => `occurred_at AS at, 'activity' AS kind, event_id AS id, toString(provider) AS provider, toString(instance) AS instance,
  toString(action) AS action, toNullable(toString(action_raw)) AS action_raw, toString(outcome) AS outcome, ${role} AS role, actor_id, actor_email, actor_name,
  src_ip, toNullable(toString(country)) AS country, arrayMap(x -> toString(x), target_types) AS target_types, target_ids, target_names, outcome_reason AS message`;
const GOVERNANCE_COLUMNS = `at, 'governance' AS kind, concat(command_id, '/', toString(status), '/', toString(attempt)) AS id, toString(provider) AS provider, toString(instance) AS instance, toString(action) AS action,
  CAST(NULL, 'Nullable(String)') AS action_raw, toString(status) AS outcome, 'target' AS role, CAST(NULL, 'Nullable(String)') AS actor_id,
  CAST(NULL, 'Nullable(String)') AS actor_email, CAST(NULL, 'Nullable(String)') AS actor_name, CAST(NULL, 'Nullable(String)') AS src_ip,
  CAST(NULL, 'Nullable(String)') AS country, [toString(target_type)] AS target_types, [toNullable(target_id)] AS target_ids, [target_name] AS target_names, message`;

/**
 * `GET /v1/timelines/users/:user` and `/v1/timelines/files/:file_id`: everything that happened to or
 * by one person (across every app, by email) or one file, newest first: audit events and the steps
 * of governance commands, in one keyset-paged list.
 */
export function timelineRoutes(app: FastifyInstance, deps: { clickhouse: ClickHouse; maxPageSize: number; maxQueryRangeDays: number }): void {
  app.get('/v1/timelines/users/:user', {
    config: { role: 'analyst' },
    schema: {
      summary: "A user's timeline across apps: what they did and what was done to them",
      description: 'By email (case-insensitive, every app) or by a provider id. Newest first; pass `next_cursor` back as `cursor`.',
      tags: ['timelines'],
      params: Type.Object({ user: Type.String({ minLength: 1, maxLength: 320 }) }),
      querystring: UserQuerySchema,
      response: { 200: PageSchema, 400: ErrorBodySchema },
    },
  }, async (request) => {
    const user = (request.params as { user: string }).user;
    const query = request.query as Static<typeof UserQuerySchema>;
    const byEmail = user.includes('@');
    const key = byEmail ? user.toLowerCase() : user;
    const actor = byEmail ? 'user_key = {key:String}' : '(user_key = {key:String} OR actor_id = {key:String})';
    const target = byEmail
      ? 'has(arrayMap(e -> lower(ifNull(e, \'\')), target_emails), {key:String})'
      : `has(${TARGET_IDS_INDEXED}, {key:String})`;
    // Governance acts on account ids: those of this person's accounts, or the id given.
    const governed = byEmail
      ? "(target_id IN (SELECT subject_id FROM accounts WHERE user_key = {key:String} AND kind = 'user') OR lower(ifNull(target_name, '')) = {key:String})"
      : 'target_id = {key:String}';
    return timeline(deps, query, { key }, [
      `SELECT ${ACTIVITY_COLUMNS(`if(${actor}, 'actor', 'target')`)} FROM activities FINAL WHERE ${latestActivities(`({range}) AND ${mentioning()} AND (${actor} OR ${target})`)}`,
      `SELECT ${GOVERNANCE_COLUMNS} FROM governance_log FINAL WHERE ({grange}) AND ${governed}`,
    ]);
  });

  app.get('/v1/timelines/files/:file_id', {
    config: { role: 'analyst' },
    schema: {
      summary: "A file's timeline: every event naming it, and the governance steps taken on it",
      description: 'Newest first; pass `next_cursor` back as `cursor`.',
      tags: ['timelines'],
      params: Type.Object({ file_id: Type.String({ minLength: 1, maxLength: 1024 }) }),
      querystring: FileQuerySchema,
      response: { 200: PageSchema, 400: ErrorBodySchema },
    },
  }, async (request) => {
    const fileId = (request.params as { file_id: string }).file_id;
    const query = request.query as Static<typeof FileQuerySchema>;
    const scope = new Conditions().equals('provider', 'provider', query.provider).equals('instance', 'instance', query.instance);
    return timeline(deps, query, { key: fileId, ...scope.params }, [
      `SELECT ${ACTIVITY_COLUMNS("'target'")} FROM activities FINAL WHERE ${latestActivities(`({range}) AND ${mentioning()} AND has(${TARGET_IDS_INDEXED}, {key:String}) AND ${scope}`)}`,
      `SELECT ${GOVERNANCE_COLUMNS} FROM governance_log FINAL WHERE ({grange}) AND target_id = {key:String} AND ${scope}`,
    ]);
  });
}

/** Runs the union of `parts` (with `{range}` / `{grange}` the time range on activities / the log) as one keyset page, newest first. */
async function timeline(
  deps: { clickhouse: ClickHouse; maxPageSize: number; maxQueryRangeDays: number },
  query: { from?: string; to?: string; limit?: number; cursor?: string },
  params: Record<string, unknown>,
  parts: string[],
): Promise<{ items: Entry[]; next_cursor: string | null }> {
  const limit = pageLimit(query.limit, deps.maxPageSize);
  const { from, to } = timeRangeOf(query, deps.maxQueryRangeDays, DEFAULT_RANGE_MS);
  const where = new Conditions({ ...params, limit: limit + 1, from: formatDateTime64(from), to: formatDateTime64(to) });
  if (query.cursor !== undefined) {
    const [t, kind, id] = decodeCursor(query.cursor, 3) as [string, string, string];
    const at = Date.parse(t);
    if (!Number.isFinite(at)) throw invalidCursor();
    where.add('(at, kind, id) < ({c_at:DateTime64(3)}, {c_kind:String}, {c_id:String})', { c_at: formatDateTime64(at), c_kind: kind, c_id: id });
  }
  const union = parts.map((p) => p
    .replaceAll('{range}', 'occurred_at >= {from:DateTime64(3)} AND occurred_at < {to:DateTime64(3)}')
    .replaceAll('{grange}', 'at >= {from:DateTime64(3)} AND at < {to:DateTime64(3)}')).join('\nUNION ALL\n');
  const rows = await deps.clickhouse.query<EntryRow>(
    `SELECT * FROM (${union}) WHERE ${where} ORDER BY at DESC, kind DESC, id DESC LIMIT {limit:UInt32}`,
    where.params,
  );
  return keysetPage(rows, limit, toEntry, (last) => encodeCursor([last.at, last.kind, last.id]));
}

function toEntry(row: EntryRow): Entry {
  return {
    at: row.at, kind: row.kind, id: row.id, provider: row.provider, instance: row.instance, action: row.action, action_raw: row.action_raw,
    outcome: row.outcome, role: row.role, actor: { id: row.actor_id, email: row.actor_email, name: row.actor_name },
    source_ip: row.src_ip, country: row.country,
    targets: row.target_types.map((type, i) => ({ type, id: row.target_ids[i] ?? null, name: row.target_names[i] ?? null })),
    message: row.message,
  };
}
