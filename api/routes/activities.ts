import { AppwardenError } from '../../core/errors.js';
import { principalOf } from '../auth/guard.js';
import type { Role } from '../auth/roles.js';
import Type, { type Static } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { ClickHouse } from '../../core/clickhouse.js';
import { formatDateTime64 } from '../../core/clickhouse.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor, invalidCursor, pageLimit } from '../pagination.js';
import { Conditions, keysetPage } from '../conditions.js';
import { ErrorBodySchema } from '../schemas.js';
import { checkTimeRange, DAY_MS, parseTime } from '../time-range.js';
import { ACTIVITIES, latestActivities, TARGET_IDS_INDEXED } from '../../processors/sink/catalogue/index.js';
import { AUDIT_CATEGORIES, OUTCOMES } from '../../schemas/vocabulary.js';

const QuerySchema = Type.Object({
  provider: Type.Optional(Type.String({ minLength: 1, description: 'provider id, e.g. okta' })),
  instance: Type.Optional(Type.String({ minLength: 1 })),
  user: Type.Optional(Type.String({ minLength: 1, description: "the actor's email (case-insensitive) or provider id" })),
  action: Type.Optional(Type.String({ minLength: 1, description: 'normalized action, e.g. login' })),
  action_raw: Type.Optional(Type.String({ minLength: 1, description: "the provider's own event name" })),
  // Enums rather than unions of literals, so that a wrong value gets one error listing the allowed ones.
  category: Type.Optional(Type.Enum(AUDIT_CATEGORIES)),
  outcome: Type.Optional(Type.Enum(OUTCOMES)),
  ip: Type.Optional(Type.String({ minLength: 1, description: 'source IP address' })),
  target: Type.Optional(Type.String({ minLength: 1, description: 'the id of one of the targets (a file, a user, an app…)' })),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[\\p{L}\\p{N}]+$', description: "a word (letters and digits) of the provider's record, matched whole" })),
  from: Type.Optional(Type.String({ description: 'ISO 8601, inclusive; default 24 hours before `to`; at most the configured maximum range (400 days by default) before `to`' })),
  to: Type.Optional(Type.String({ description: 'ISO 8601, exclusive; default now' })),
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

/** `GET /v1/activities`: the activity trail, newest first, with keyset paging. */
export function activityRoutes(app: FastifyInstance, deps: { clickhouse: ClickHouse; maxPageSize: number; maxQueryRangeDays: number; rawAccessRoles: readonly Role[] }): void {
  app.get('/v1/activities', {
    config: { role: 'analyst' },
    schema: {
      summary: 'Search the activity trail',
      description: 'Normalized audit events, newest first. Filters combine with AND. Pass `next_cursor` back as `cursor` for the next page.',
      tags: ['activities'],
      querystring: QuerySchema,
      response: { 200: PageSchema, 400: ErrorBodySchema },
    },
  }, async (request) => {
    const query = request.query as Query;
    const principal = principalOf(request);
    if (query.include_raw && !principal.raw && !deps.rawAccessRoles.includes(principal.role)) {
      throw new AppwardenError('AW_FORBIDDEN', `include_raw (the providers' records, with personal data) needs a key with the raw permission or the role ${deps.rawAccessRoles.join(' or ')}`);
    }
    const limit = pageLimit(query.limit, deps.maxPageSize);
    const to = query.to === undefined ? Date.now() : parseTime(query.to, 'querystring', 'to');
    const from = query.from === undefined ? to - DAY_MS : parseTime(query.from, 'querystring', 'from');
    checkTimeRange(from, to, deps.maxQueryRangeDays, 'querystring', 'api.maxQueryRangeDays');

    const where = new Conditions({ limit: limit + 1 })
      .add('occurred_at >= {from:DateTime64(3)} AND occurred_at < {to:DateTime64(3)}', { from: formatDateTime64(from), to: formatDateTime64(to) })
      .equals('provider', 'provider', query.provider)
      .equals('instance', 'instance', query.instance)
      .equals('action', 'action', query.action)
      .equals('action_raw', 'action_raw', query.action_raw)
      .equals('category', 'category', query.category)
      .equals('outcome', 'outcome', query.outcome)
      .equals('src_ip', 'ip', query.ip);
    // Both written as the data-skipping indexes of the activities catalogue are defined, so that they are used.
    if (query.target !== undefined) where.add(`has(${TARGET_IDS_INDEXED}, {target:String})`, { target: query.target });
    if (query.q !== undefined) where.add('hasToken(raw, {q:String})', { q: query.q });
    if (query.user !== undefined) {
      // An email is the table's leading key (lower-cased); a provider id may be the key (actor without email) or only actor_id.
      if (query.user.includes('@')) where.add('user_key = {user_key:String}', { user_key: query.user.toLowerCase() });
      else where.add('(user_key = {user:String} OR actor_id = {user:String})', { user: query.user });
    }
    if (query.cursor !== undefined) {
      const [t, id] = decodeCursor(query.cursor, 2) as [string, string];
      const cursorTime = Date.parse(t);
      if (!Number.isFinite(cursorTime)) throw invalidCursor();
      where.add('(occurred_at, event_id) < ({cursor_t:DateTime64(3)}, {cursor_id:String})', { cursor_t: formatDateTime64(cursorTime), cursor_id: id });
    }
    const rows = await deps.clickhouse.query<Record<string, unknown>>(
      `SELECT ${ACTIVITIES.apiColumns(query.include_raw ? ['raw'] : [])}
       FROM activities FINAL
       WHERE ${latestActivities(String(where))}
       ORDER BY occurred_at DESC, event_id DESC
       LIMIT {limit:UInt32}`,
      where.params,
    );
    return keysetPage(rows, limit, (row) => ACTIVITIES.toApi(row), (last) => encodeCursor([String(last.occurred_at), String(last.event_id)]));
  });
}
