import { AppwardenError } from '../../core/errors.js';
import { principalOf } from '../auth/guard.js';
import type { Role } from '../auth/roles.js';
import Type, { type Static } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { ClickHouse } from '../../core/clickhouse.js';
import { DEFAULT_PAGE_SIZE, encodeCursor, pageLimit } from '../pagination.js';
import { keysetPage } from '../conditions.js';
import { ErrorBodySchema } from '../schemas.js';
import { ACTIVITIES, latestActivities } from '../../processors/sink/catalogue/index.js';
import type { AuditEvent, AuditTarget } from '../../schemas/types.js';
import { ActivityFilterProperties, ActivityListProperties, activityConditions, activityOrder, addActivityCursor } from '../activity-query.js';
import { ACTIVITY_CSV_COLUMNS } from '../activity-export.js';
import { latestActivitiesPage } from '../activity-page.js';
import { EXPORT_BLOCK_ROWS, exportableResponse, sendExport } from '../export.js';

const QuerySchema = Type.Object({
  ...ActivityFilterProperties,
  ...ActivityListProperties,
  limit: Type.Optional(Type.Integer({ minimum: 1, description: `page size, default ${DEFAULT_PAGE_SIZE} (at most the configured maximum page size)` })),
  cursor: Type.Optional(Type.String({ minLength: 1, description: 'next_cursor of the previous page' })),
  include_raw: Type.Optional(Type.Boolean({ description: "include the provider's record as JSON text (personal data): needs a key with the raw permission or a role of api.rawAccessRoles (default admin)" })),
}, { additionalProperties: false });

/** One activity as the API answers it: derived from the `activities` catalogue. */
const ActivitySchema = ACTIVITIES.apiSchema();

const PageSchema = Type.Object({
  items: Type.Array(ActivitySchema),
  next_cursor: Type.Union([Type.String(), Type.Null()]),
});

type Query = Static<typeof QuerySchema>;
/** The catalogue's API shape of an event (`ACTIVITIES.toApi`): times as ISO text, targets without type_raw and email, raw on request. */
export type Activity = Omit<AuditEvent, 'occurred_at' | 'ingested_at' | 'targets' | 'raw'> & {
  occurred_at: string; ingested_at: string; targets: Array<Pick<AuditTarget, 'type' | 'id' | 'name'>>; raw?: string;
};

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
    const where = activityConditions(query, deps.maxQueryRangeDays);
    addActivityCursor(where, query.cursor, query.sort);
    const columns = ACTIVITIES.apiColumns(query.include_raw ? ['raw'] : []);
    const order = activityOrder(query.sort);
    if (exporting) {
      const sql = `SELECT ${columns} FROM activities FINAL WHERE ${latestActivities(String(where))} ORDER BY ${order}`;
      const blocks = deps.clickhouse.stream<Record<string, unknown>>(sql, where.params, {
        // The engine's clock runs while the client reads: an export gets its own, longer limit.
        settings: { max_block_size: EXPORT_BLOCK_ROWS, max_execution_time: deps.exportTimeoutSeconds },
      });
      return sendExport(reply, blocks, { format: query.format as 'ndjson' | 'csv', toItem: toActivity, columns: ACTIVITY_CSV_COLUMNS, filename: 'activities', ...(limit ? { maxRows: limit } : {}) });
    }
    const rows = await latestActivitiesPage<Record<string, unknown>>(deps.clickhouse, {
      columns, where: String(where), params: where.params, order, rows: limit + 1,
    });
    return keysetPage(rows, limit, toActivity, (last) => encodeCursor([String(last.occurred_at), String(last.event_id)]));
  });
}

function toActivity(row: Record<string, unknown>): Activity {
  return ACTIVITIES.toApi(row) as Activity;
}
