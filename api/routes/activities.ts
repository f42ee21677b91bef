import { AppwardenError } from '../../core/errors.js';
import { principalOf } from '../auth/guard.js';
import type { Role } from '../auth/roles.js';
import Type, { type Static } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { ClickHouse } from '../../core/clickhouse.js';
import { DEFAULT_PAGE_SIZE, encodeCursor, pageLimit } from '../pagination.js';
import { keysetPage } from '../conditions.js';
import { ErrorBodySchema } from '../schemas.js';
import { ActivityFilterProperties, ActivityListProperties, activityConditions, activityOrder, addActivityCursor } from '../activity-query.js';
import { ACTIVITY_CSV_COLUMNS } from '../activity-export.js';
import { EXPORT_BLOCK_ROWS, exportableResponse, sendExport } from '../export.js';

const QuerySchema = Type.Object({
  ...ActivityFilterProperties,
  ...ActivityListProperties,
  limit: Type.Optional(Type.Integer({ minimum: 1, description: `page size, default ${DEFAULT_PAGE_SIZE} (at most the configured maximum page size)` })),
  cursor: Type.Optional(Type.String({ minLength: 1, description: 'next_cursor of the previous page' })),
  include_raw: Type.Optional(Type.Boolean({ description: "include the provider's record as JSON text (personal data): needs a key with the raw permission or a role of api.rawAccessRoles (default admin)" })),
}, { additionalProperties: false });

const ActivitySchema = Type.Object({
  event_id: Type.String(),
  provider: Type.String(),
  instance: Type.String(),
  occurred_at: Type.String(),
  ingested_at: Type.String(),
  category: Type.String(),
  action: Type.String(),
  action_raw: Type.String(),
  outcome: Type.String(),
  outcome_reason: Type.Union([Type.String(), Type.Null()]),
  severity: Type.Union([Type.String(), Type.Null()]),
  actor: Type.Object({
    id: Type.Union([Type.String(), Type.Null()]),
    email: Type.Union([Type.String(), Type.Null()]),
    name: Type.Union([Type.String(), Type.Null()]),
    type: Type.String(),
  }),
  targets: Type.Array(Type.Object({ type: Type.String(), id: Type.Union([Type.String(), Type.Null()]), name: Type.Union([Type.String(), Type.Null()]) })),
  source: Type.Object({
    ip: Type.Union([Type.String(), Type.Null()]),
    user_agent: Type.Union([Type.String(), Type.Null()]),
    country: Type.Union([Type.String(), Type.Null()]),
    city: Type.Union([Type.String(), Type.Null()]),
  }),
  session_id: Type.Union([Type.String(), Type.Null()]),
  request_id: Type.Union([Type.String(), Type.Null()]),
  class_uid: Type.Integer(),
  activity_id: Type.Integer(),
  attributes: Type.Record(Type.String(), Type.String()),
  raw: Type.Optional(Type.String()),
});

const PageSchema = Type.Object({
  items: Type.Array(ActivitySchema),
  next_cursor: Type.Union([Type.String(), Type.Null()]),
});

type Query = Static<typeof QuerySchema>;
export type Activity = Static<typeof ActivitySchema>;

interface ActivityRow {
  event_id: string; provider: string; instance: string; occurred_at: string; ingested_at: string;
  category: string; action: string; action_raw: string; outcome: string; outcome_reason: string | null; severity: string | null;
  actor_id: string | null; actor_email: string | null; actor_name: string | null; actor_type: string;
  target_types: string[]; target_ids: Array<string | null>; target_names: Array<string | null>;
  src_ip: string | null; user_agent: string | null; country: string | null; city: string | null;
  session_id: string | null; request_id: string | null; class_uid: number; activity_id: number;
  attributes: Record<string, string>; raw?: string;
}

const COLUMNS = `event_id, provider, instance, occurred_at, ingested_at, category, action, action_raw, outcome, outcome_reason,
  severity, actor_id, actor_email, actor_name, actor_type, target_types, target_ids, target_names, src_ip, user_agent,
  country, city, session_id, request_id, class_uid, activity_id, attributes`;

/** `GET /v1/activities`: the activity trail, newest first, with keyset paging. */
export function activityRoutes(app: FastifyInstance, deps: { clickhouse: ClickHouse; maxPageSize: number; maxQueryRangeDays: number; rawAccessRoles: readonly Role[]; exportTimeoutSeconds: number }): void {
  app.get('/v1/activities', {
    config: { role: 'analyst' },
    schema: {
      summary: 'Search the activity trail',
      description: 'Normalized audit events, newest (or oldest) first. Filters combine with AND. Pass `next_cursor` back as `cursor` for the next page. `format=ndjson|csv` streams every matching row.',
      tags: ['activities'],
      querystring: QuerySchema,
      response: { 200: exportableResponse(PageSchema), 400: ErrorBodySchema },
    },
  }, async (request, reply) => {
    const query = request.query as Query;
    const principal = principalOf(request);
    if (query.include_raw && !principal.raw && !deps.rawAccessRoles.includes(principal.role)) {
      throw new AppwardenError('AW_FORBIDDEN', `include_raw (the providers' records, with personal data) needs a key with the raw permission or the role ${deps.rawAccessRoles.join(' or ')}`);
    }
    const exporting = query.format === 'ndjson' || query.format === 'csv';
    const limit = exporting ? (query.limit ?? 0) : pageLimit(query.limit, deps.maxPageSize);
    const where = activityConditions(query, deps.maxQueryRangeDays, { limit: limit + 1 });
    addActivityCursor(where, query.cursor, query.sort);
    const sql = `SELECT ${COLUMNS}${query.include_raw ? ', raw' : ''}
       FROM activities FINAL
       WHERE ${where}
       ORDER BY ${activityOrder(query.sort)}`;
    if (exporting) {
      const blocks = deps.clickhouse.stream<ActivityRow>(sql, where.params, {
        // The engine's clock runs while the client reads: an export gets its own, longer limit.
        settings: { max_block_size: EXPORT_BLOCK_ROWS, max_execution_time: deps.exportTimeoutSeconds },
      });
      return sendExport(reply, blocks, { format: query.format as 'ndjson' | 'csv', toItem: toActivity, columns: ACTIVITY_CSV_COLUMNS, filename: 'activities', ...(limit ? { maxRows: limit } : {}) });
    }
    const rows = await deps.clickhouse.query<ActivityRow>(`${sql}\n       LIMIT {limit:UInt32}`, where.params);
    return keysetPage(rows, limit, toActivity, (last) => encodeCursor([last.occurred_at, last.event_id]));
  });
}

function toActivity(row: ActivityRow): Activity {
  const activity: Activity = {
    event_id: row.event_id,
    provider: row.provider,
    instance: row.instance,
    occurred_at: row.occurred_at,
    ingested_at: row.ingested_at,
    category: row.category,
    action: row.action,
    action_raw: row.action_raw,
    outcome: row.outcome,
    outcome_reason: row.outcome_reason,
    severity: row.severity,
    actor: { id: row.actor_id, email: row.actor_email, name: row.actor_name, type: row.actor_type },
    targets: row.target_types.map((type, i) => ({ type, id: row.target_ids[i] ?? null, name: row.target_names[i] ?? null })),
    source: { ip: row.src_ip, user_agent: row.user_agent, country: row.country, city: row.city },
    session_id: row.session_id,
    request_id: row.request_id,
    class_uid: row.class_uid,
    activity_id: row.activity_id,
    attributes: row.attributes,
  };
  if (row.raw !== undefined) activity.raw = row.raw;
  return activity;
}
