import type { FastifyInstance } from 'fastify';
import { queryValue, parseTimestamp } from '../common/json.js';
import type { ActivityPosition } from './activity-log.js';
import { findUser } from './directory.js';
import { googleErrors } from './google-errors.js';
import { pageToken, readPageSize, readPageToken, requireAdmin, requireScope, type Query, type RouteContext } from './route-context.js';

// Applications the Reports API knows (the `applicationName` enum of its discovery document, read
// 2026-12-07). Those the simulator generates no history for answer what tests add, else empty.
const APPLICATIONS = new Set([
  'access_evaluation', 'access_transparency', 'admin', 'admin_data_action', 'assignments', 'calendar', 'chat', 'chrome', 'chrome_sync',
  'classroom', 'cloud_search', 'contacts', 'context_aware_access', 'data_migration', 'data_studio', 'directory_sync', 'drive', 'gcp',
  'gemini_in_workspace_apps', 'gmail', 'gplus', 'graduation', 'groups', 'groups_enterprise', 'jamboard', 'keep', 'ldap', 'login', 'meet',
  'meet_hardware', 'mobile', 'profile', 'rules', 'saml', 'takeout', 'tasks', 'token', 'user_accounts', 'vault', 'voice', 'workspace_studio',
]);
const RETENTION_MS = 180 * 86_400_000;

type EventMatcher = (event: unknown) => boolean;

/** `filters`: comma-separated `name==value` / `name<>value` on event parameters (the equality forms of Google's syntax). */
function parseFilters(text: string | undefined): EventMatcher[] {
  if (text === undefined || text === '') return [];
  return text.split(',').map((part) => {
    const m = /^([A-Za-z0-9_]+)(==|<>)(.*)$/.exec(part.trim());
    if (!m) throw googleErrors.invalid(`Invalid value '${part}' for filters`, 'filters');
    const [, name, op, wanted] = m as unknown as [string, string, string, string];
    return (event) => {
      const params = (event as { parameters?: unknown } | null)?.parameters;
      const param = Array.isArray(params) ? params.find((p) => (p as { name?: unknown } | null)?.name === name) as Record<string, unknown> | undefined : undefined;
      const value = param?.value ?? param?.intValue ?? param?.boolValue ?? (Array.isArray(param?.multiValue) ? (param.multiValue as unknown[]).join(',') : undefined);
      return op === '==' ? value !== undefined && String(value) === wanted : value === undefined || String(value) !== wanted;
    };
  });
}

function readTime(query: Query, name: string): number | undefined {
  const text = queryValue(query[name]);
  if (text === undefined || text === '') return undefined;
  const ms = /T/.test(text) ? parseTimestamp(text) : undefined;
  if (ms === undefined) throw googleErrors.invalid(`Invalid value '${text}' for ${name}: must be RFC 3339`, name);
  return ms;
}

/** `activities.list`: newest first, bounded by startTime/endTime (both inclusive), paged by nextPageToken. */
export function registerReportsRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/admin/reports/v1/activity/users/:userKey/applications/:applicationName', async (request) => {
    const principal = ctx.principalOf(request);
    requireScope(principal, 'admin.reports.audit.readonly');
    requireAdmin(principal);
    const { userKey, applicationName } = request.params as { userKey: string; applicationName: string };
    if (!APPLICATIONS.has(applicationName)) throw googleErrors.invalid(`Invalid value '${applicationName}' for applicationName`, 'applicationName');
    ctx.reports.listRequests[applicationName] = (ctx.reports.listRequests[applicationName] ?? 0) + 1;
    if (ctx.reports.unlicensed.has(applicationName)) throw googleErrors.reportingDataRefused();
    const query = request.query as Query;
    const now = ctx.clock.now();
    const endMs = readTime(query, 'endTime') ?? now;
    const startMs = readTime(query, 'startTime') ?? now - RETENTION_MS;
    if (startMs > endMs) throw googleErrors.invalid('Start time must be earlier than end time.', 'startTime');
    const limit = readPageSize(query, 'maxResults', 1000, 1000);
    let actorEmail: string | null = null;
    if (userKey !== 'all') {
      const user = findUser(ctx.directory, userKey);
      if (!user) throw googleErrors.notFound('userKey');
      actorEmail = user.primaryEmail;
    }
    const eventName = queryValue(query.eventName);
    const filters = parseFilters(queryValue(query.filters));
    const hasEvent = (body: unknown) => {
      const events = (body as { events?: unknown } | null)?.events;
      return Array.isArray(events) && events.some((e) => (eventName === undefined || (e as { name?: unknown } | null)?.name === eventName) && filters.every((f) => f(e)));
    };
    const page = ctx.reports.log.page({
      application: applicationName, startMs, endMs, nowMs: now, limit,
      after: readPageToken<ActivityPosition>(query, applicationName),
      matches: (e) => (actorEmail === null || e.actorEmail === actorEmail) && (eventName === undefined && filters.length === 0 ? true : hasEvent(e.body)),
    });
    const body: Record<string, unknown> = { kind: 'admin#reports#activities', etag: `"${applicationName}/${now}"` };
    // Google leaves `items` out of an empty answer.
    if (page.entries.length > 0) body.items = page.entries.map((e) => e.body);
    if (page.next) body.nextPageToken = pageToken(page.next, query, applicationName);
    return body;
  });
}
