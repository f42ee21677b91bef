import type { FastifyInstance } from 'fastify';
import { parseTimestamp, queryValue } from '../common/json.js';
import { requestBaseUrl } from '../common/http-server.js';
import type { LogOrder, LogPosition } from './event-store.js';
import { oktaErrors } from './okta-errors.js';
import { linkHeaders, readLimit } from './paging.js';
import type { OktaRouteContext } from './route-context.js';
import { FilterSyntaxError, parseFilter, type FilterExpression } from './scim-filter.js';

const DAY = 86_400_000;
/** Okta keeps System Log events 90 days; `since` may not reach further back. */
const RETENTION_MS = 90 * DAY;
/** Without `since`, reads start 7 days before `until` (or now). */
const DEFAULT_SPAN_MS = 7 * DAY;
const DEFAULT_LIMIT = 100;

const ORDER_TAGS: Record<LogOrder, string> = { 'published-asc': 'a', 'published-desc': 'd', 'visible-asc': 'p' };

/** The opaque `after` value: the order it belongs to and the position of the last event served. */
function encodeCursor(order: LogOrder, position: LogPosition): string {
  return Buffer.from(JSON.stringify([ORDER_TAGS[order], position.ms, position.uuid, position.seq])).toString('base64url');
}

function decodeCursor(value: string, order: LogOrder): LogPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) throw oktaErrors.validation('after', ['after: not a cursor this API returned']);
  const [tag, ms, uuid, seq] = parsed as unknown[];
  if (typeof ms !== 'number' || typeof uuid !== 'string' || typeof seq !== 'number') throw oktaErrors.validation('after', ['after: not a cursor this API returned']);
  if (tag !== ORDER_TAGS[order]) throw oktaErrors.validation('after', ['after: the cursor belongs to a request with other until or sortOrder']);
  return { ms, uuid, seq };
}

function readTime(query: Record<string, unknown>, name: 'since' | 'until'): number | undefined {
  const text = queryValue(query[name]);
  if (text === undefined || text === '') return undefined;
  const ms = parseTimestamp(text);
  if (ms === undefined) {
    throw oktaErrors.validation(`'${name}': The date format in your query is not recognized. Please enter dates using ISO8601 string format.`, [
      `${name}: The date format in your query is not recognized. Please enter dates using ISO8601 string format.`,
    ]);
  }
  return ms;
}

function readFilter(query: Record<string, unknown>): FilterExpression | undefined {
  const text = queryValue(query.filter);
  if (text === undefined || text.trim() === '') return undefined;
  try {
    return parseFilter(text);
  } catch (err) {
    if (err instanceof FilterSyntaxError) throw oktaErrors.invalidSearch(`filter: ${err.message}`);
    throw err;
  }
}

/**
 * `GET /api/v1/logs`. A request without `until` in ascending order is a polling request: it reads by
 * persistence (visibility) time, so late events are served when they arrive, and it always has a
 * `next` link. Other requests are bounded by `published` in [since, until) and lose `next` at the end.
 */
export function registerLogsRoute(app: FastifyInstance, ctx: OktaRouteContext): void {
  app.get('/api/v1/logs', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    ctx.systemLog.catchUp();
    const nowMs = ctx.clock.now();

    const sortOrder = (queryValue(query.sortOrder) ?? 'ASCENDING').toUpperCase();
    if (sortOrder !== 'ASCENDING' && sortOrder !== 'DESCENDING') throw oktaErrors.validation('sortOrder', ['sortOrder: must be ASCENDING or DESCENDING']);
    const until = readTime(query, 'until');
    const since = readTime(query, 'since') ?? (until ?? nowMs) - DEFAULT_SPAN_MS;
    if (since < nowMs - RETENTION_MS) throw oktaErrors.validation('since', ['since: must be within the last 90 days (System Log retention)']);
    if (until !== undefined && since > until) throw oktaErrors.validation('since', ['since: must not be after until']);
    const limit = readLimit(query.limit, DEFAULT_LIMIT, ctx.options.maxPageSize.logs);
    const filter = readFilter(query);
    const keywords = (queryValue(query.q) ?? '').split(/\s+/).filter(Boolean);

    const order: LogOrder = until === undefined && sortOrder === 'ASCENDING' ? 'visible-asc' : sortOrder === 'ASCENDING' ? 'published-asc' : 'published-desc';
    const afterText = queryValue(query.after);
    const page = ctx.systemLog.page({
      order,
      sinceMs: since,
      untilMs: until ?? nowMs,
      ...(afterText ? { after: decodeCursor(afterText, order) } : {}),
      limit,
      nowMs,
      matches: ctx.systemLog.matcher(filter, keywords),
    });

    const base = requestBaseUrl(request);
    const next = page.next ? encodeCursor(order, page.next) : undefined;
    const body = `[${page.entries.map((e) => JSON.stringify(ctx.systemLog.render(e))).join(',')}]`;
    return reply
      .header('link', linkHeaders(base, request.url, query, next))
      .type('application/json; charset=utf-8')
      .send(body);
  });
}
