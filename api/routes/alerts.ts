import Type, { type Static } from 'typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { formatDateTime64, type ClickHouse } from '../../core/clickhouse.js';
import { AppwardenError } from '../../core/errors.js';
import { ALERT_STATUS, ALERTS } from '../../processors/sink/catalogue/index.js';
import { TABLES } from '../../processors/sink/tables.js';
import { ALERT_SEVERITIES, ALERT_STATUSES } from '../../schemas/vocabulary.js';
import { principalOf } from '../auth/guard.js';
import { Conditions, keysetPage } from '../conditions.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor, invalidCursor, pageLimit } from '../pagination.js';
import { ErrorBodySchema } from '../schemas.js';
import { checkTimeRange, parseTime } from '../time-range.js';

export interface AlertRouteDeps {
  clickhouse: ClickHouse;
  maxPageSize: number;
  maxQueryRangeDays: number;
}

const NullableString = Type.Union([Type.String(), Type.Null()]);

const ListQuerySchema = Type.Object({
  status: Type.Optional(Type.Enum(ALERT_STATUSES)),
  severity: Type.Optional(Type.Enum(ALERT_SEVERITIES)),
  policy_id: Type.Optional(Type.String({ minLength: 1 })),
  provider: Type.Optional(Type.String({ minLength: 1 })),
  instance: Type.Optional(Type.String({ minLength: 1 })),
  actor: Type.Optional(Type.String({ minLength: 1, description: "the actor's email (case-insensitive)" })),
  from: Type.Optional(Type.String({ description: 'ISO 8601, inclusive, on last_seen' })),
  to: Type.Optional(Type.String({ description: 'ISO 8601, exclusive, on last_seen' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, description: `page size, default ${DEFAULT_PAGE_SIZE} (at most the configured maximum page size)` })),
  cursor: Type.Optional(Type.String({ minLength: 1, description: 'next_cursor of the previous page' })),
}, { additionalProperties: false });

const IdParamsSchema = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{32}$', description: 'an alert id: 32 hex digits' }) });

const PatchBodySchema = Type.Object({
  status: Type.Enum(ALERT_STATUSES),
  note: Type.Optional(Type.String({ maxLength: 10_000, description: 'why, for the next analyst' })),
}, { additionalProperties: false });

// The answer's fields are the catalogue's (`alerts`, `alert_status`), with the latest status change joined in.
const { status: _published, ...alertColumns } = ALERTS.apiSchema().properties;
const AlertSchema = Type.Object({
  ...alertColumns,
  status: Type.String({ description: ALERT_STATUSES.join(', ') }),
  status_note: NullableString,
  status_changed_at: NullableString,
  status_changed_by: NullableString,
});

const { alert_id: _alert, ...StatusChangeColumns } = ALERT_STATUS.apiSchema().properties;
const StatusChangeSchema = Type.Object(StatusChangeColumns);

const AlertDetailSchema = Type.Object({ ...AlertSchema.properties, status_history: Type.Array(StatusChangeSchema) });

type ListQuery = Static<typeof ListQuerySchema>;
type PatchBody = Static<typeof PatchBodySchema>;
type AlertItem = Static<typeof AlertSchema>;
type StatusChange = Static<typeof StatusChangeSchema>;

interface AlertQueryRow {
  alert_id: string; policy_id: string; policy_version: number; title: string; severity: string;
  created_at: string; first_seen: string; last_seen: string; count: number; dedup_key: string;
  provider: string | null; instance: string | null;
  actor_id: string | null; actor_email: string | null; actor_name: string | null; actor_type: string | null;
  event_ids: string[]; attributes: Record<string, string>;
  status: string; status_note: string | null; status_changed_at: string | null; status_changed_by: string | null;
}

/**
 * The latest version of each alert (the alert topic upserts by alert_id; FINAL keeps the row with
 * the latest last_seen) with its status: the latest change made through the API when there is one,
 * else the status the alert was published with.
 */
const ALERTS_SQL = `
  SELECT a.alert_id AS alert_id, a.policy_id AS policy_id, a.policy_version AS policy_version, a.title AS title,
         a.severity AS severity, a.created_at AS created_at, a.first_seen AS first_seen, a.last_seen AS last_seen,
         a.count AS count, a.dedup_key AS dedup_key, a.provider AS provider, a.instance AS instance,
         a.actor_id AS actor_id, a.actor_email AS actor_email, a.actor_name AS actor_name, a.actor_type AS actor_type,
         a.event_ids AS event_ids, a.attributes AS attributes,
         if(s.alert_id = '', a.status, s.status) AS status,
         if(s.alert_id = '', NULL, s.note) AS status_note,
         if(s.alert_id = '', NULL, s.changed_at) AS status_changed_at,
         if(s.alert_id = '', NULL, s.changed_by) AS status_changed_by
  FROM ${TABLES.alerts} AS a FINAL
  LEFT JOIN (
    SELECT alert_id, status, note, changed_at, changed_by
    FROM ${TABLES.alertStatus} FINAL
    ORDER BY alert_id, changed_at DESC
    LIMIT 1 BY alert_id
  ) AS s ON s.alert_id = a.alert_id`;

/** `GET /v1/alerts`, `GET /v1/alerts/:id`, `PATCH /v1/alerts/:id` (status: open, resolved, dismissed). */
export function alertRoutes(app: FastifyInstance, deps: AlertRouteDeps): void {
  app.get('/v1/alerts', {
    config: { role: 'analyst' },
    schema: {
      summary: 'Alerts raised by policies',
      description: 'The latest state of each alert, most recently seen first. Filters combine with AND. Pass `next_cursor` back as `cursor` for the next page.',
      tags: ['alerts'],
      querystring: ListQuerySchema,
      response: { 200: Type.Object({ items: Type.Array(AlertSchema), next_cursor: NullableString }), 400: ErrorBodySchema },
    },
  }, async (request) => {
    const query = request.query as ListQuery;
    const limit = pageLimit(query.limit, deps.maxPageSize);
    const where = new Conditions({ limit: limit + 1 })
      .equals('status', 'status', query.status)
      .equals('severity', 'severity', query.severity)
      .equals('policy_id', 'policy_id', query.policy_id)
      .equals('provider', 'provider', query.provider)
      .equals('instance', 'instance', query.instance);
    if (query.actor !== undefined) where.add('lower(actor_email) = lower({actor:String})', { actor: query.actor });
    const from = query.from === undefined ? undefined : parseTime(query.from, 'querystring', 'from');
    const to = query.to === undefined ? undefined : parseTime(query.to, 'querystring', 'to');
    // Without `from` the list is bounded by its page size alone; with it, by the maximum range too.
    if (from !== undefined) checkTimeRange(from, to ?? Math.max(Date.now(), from + 1), deps.maxQueryRangeDays, 'querystring', 'api.maxQueryRangeDays');
    if (from !== undefined) where.add('last_seen >= {from:DateTime64(3)}', { from: formatDateTime64(from) });
    if (to !== undefined) where.add('last_seen < {to:DateTime64(3)}', { to: formatDateTime64(to) });
    if (query.cursor !== undefined) {
      const [t, id] = decodeCursor(query.cursor, 2) as [string, string];
      const at = Date.parse(t);
      if (!Number.isFinite(at)) throw invalidCursor();
      where.add('(last_seen, alert_id) < ({cursor_t:DateTime64(3)}, {cursor_id:String})', { cursor_t: formatDateTime64(at), cursor_id: id });
    }
    const rows = await deps.clickhouse.query<AlertQueryRow>(
      `SELECT * FROM (${ALERTS_SQL}) WHERE ${where} ORDER BY last_seen DESC, alert_id DESC LIMIT {limit:UInt32}`,
      where.params,
    );
    return keysetPage(rows, limit, toAlert, (last) => encodeCursor([last.last_seen, last.alert_id]));
  });

  app.get('/v1/alerts/:id', {
    config: { role: 'analyst' },
    schema: {
      summary: 'One alert, with the history of its status changes',
      tags: ['alerts'],
      params: IdParamsSchema,
      response: { 200: AlertDetailSchema, 400: ErrorBodySchema, 404: ErrorBodySchema },
    },
  }, async (request) => {
    const { id } = request.params as { id: string };
    return detail(deps.clickhouse, id);
  });

  app.patch('/v1/alerts/:id', {
    config: { role: 'responder' },
    schema: {
      summary: 'Change the status of an alert',
      description: 'open, resolved or dismissed, with an optional note. The change is kept apart from the alert records, so a replay of the alert topic does not undo it.',
      tags: ['alerts'],
      params: IdParamsSchema,
      body: PatchBodySchema,
      response: { 200: AlertDetailSchema, 400: ErrorBodySchema, 404: ErrorBodySchema },
    },
  }, async (request: FastifyRequest) => {
    const { id } = request.params as { id: string };
    const body = request.body as PatchBody;
    await findAlert(deps.clickhouse, id);
    const changedBy = principalOf(request).id;
    request.auditNote = { target: id, summary: `alert ${id} set ${body.status}${body.note ? `: ${body.note}` : ''}` };
    // Keyed by (alert, time): a later change must sort after this one even when the clock repeats a millisecond.
    const [latest] = await deps.clickhouse.query<{ changed_at: string }>(
      `SELECT changed_at FROM ${TABLES.alertStatus} WHERE alert_id = {id:String} ORDER BY changed_at DESC LIMIT 1`, { id },
    );
    const changedAt = Math.max(Date.now(), latest ? Date.parse(latest.changed_at) + 1 : 0);
    await deps.clickhouse.insert(TABLES.alertStatus, [{
      alert_id: id, status: body.status, note: body.note ?? null, changed_at: formatDateTime64(changedAt), changed_by: changedBy,
    }]);
    request.log.info({ alertId: id, status: body.status, changedBy }, 'alert status changed');
    return detail(deps.clickhouse, id);
  });
}

async function findAlert(clickhouse: ClickHouse, id: string): Promise<AlertQueryRow> {
  const [row] = await clickhouse.query<AlertQueryRow>(`SELECT * FROM (${ALERTS_SQL}) WHERE alert_id = {id:String} LIMIT 1`, { id });
  if (!row) throw new AppwardenError('AW_NOT_FOUND', `no alert ${id}`, { details: { field: 'id' } });
  return row;
}

async function detail(clickhouse: ClickHouse, id: string): Promise<AlertItem & { status_history: StatusChange[] }> {
  const row = await findAlert(clickhouse, id);
  const history = await clickhouse.query<StatusChange>(
    `SELECT status, note, changed_at, changed_by FROM ${TABLES.alertStatus} FINAL WHERE alert_id = {id:String} ORDER BY changed_at`, { id },
  );
  return { ...toAlert(row), status_history: history };
}

/** The catalogue's API shape of the alert's columns (an actor with no field set is null), with its latest status. */
function toAlert(row: AlertQueryRow): AlertItem {
  return {
    ...ALERTS.toApi(row as unknown as Record<string, unknown>),
    status: row.status, status_note: row.status_note, status_changed_at: row.status_changed_at, status_changed_by: row.status_changed_by,
  } as AlertItem;
}
