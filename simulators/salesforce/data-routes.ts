/** `/services/data/vXX.X/...`: SOQL queries with query locators, sObject reads and writes, log file bodies, limits. */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { salesforceTime, type Row } from './org.js';
import { SalesforceApiError, sfErrors } from './errors.js';
import type { LogFiles } from './log-files.js';
import { parseSoql, project, runSoql, SoqlError } from './soql.js';
import type { Table } from './tables.js';
import type { SalesforcePermission } from './options.js';
import type { Org } from './org.js';

export interface DataContext {
  org: Org;
  tables: Map<string, Table>;
  logFiles: LogFiles;
  denied: ReadonlySet<string>;
  batchSize: number;
  now: () => number;
  /** Governance calls applied, for tests. */
  applied: Array<{ method: string; path: string; at: number }>;
}

const VERSION = ':version';

function requirePermission(ctx: DataContext, permission: SalesforcePermission | string | null, what: string): void {
  if (permission !== null && ctx.denied.has(permission)) throw sfErrors.insufficientAccess(what, permission);
}

function recordUrl(version: string) {
  return (type: string, id: string) => `/services/data/${version}/sobjects/${type}/${id}`;
}

export function registerDataRoutes(app: FastifyInstance, ctx: DataContext): void {
  const locators = new Map<string, { rows: Row[]; offset: number }>();

  const page = (request: FastifyRequest, version: string, rows: Row[], offset: number) => {
    const asked = /batchSize=(\d+)/.exec(String(request.headers['sforce-query-options'] ?? ''))?.[1];
    const size = Math.min(ctx.batchSize, Math.max(200, Number(asked ?? 2000)) || 2000);
    const end = Math.min(rows.length, offset + size);
    const body: Row = { totalSize: rows.length, done: end >= rows.length, records: rows.slice(offset, end) };
    if (end < rows.length) {
      const locator = `01g${randomBytes(6).toString('hex')}`;
      locators.set(locator, { rows, offset: end });
      body.nextRecordsUrl = `/services/data/${version}/query/${locator}-${end}`;
    }
    return body;
  };

  app.get(`/services/data/${VERSION}/query`, async (request) => {
    const { version } = request.params as { version: string };
    const q = (request.query as { q?: string }).q;
    if (!q) throw sfErrors.malformed('A query string has to be specified');
    let query;
    try {
      query = parseSoql(q);
    } catch (err) {
      if (err instanceof SoqlError) throw sfErrors.malformed(err.message);
      throw err;
    }
    const table = ctx.tables.get(query.object);
    if (!table) throw sfErrors.invalidType(query.object);
    for (const field of [...query.fields, ...query.where.map((c) => c.field), ...query.orderBy.map((o) => o.field)]) {
      if (!table.fields.has(field)) throw sfErrors.invalidField(field, query.object);
    }
    requirePermission(ctx, table.permission, `querying ${query.object}`);
    // ContentDocumentLink can be read only for given documents or entities (a Salesforce implementation restriction).
    if (query.object === 'ContentDocumentLink' && !query.where.some((c) => (c.field === 'ContentDocumentId' || c.field === 'LinkedEntityId') && (c.op === '=' || c.op === 'IN'))) {
      throw sfErrors.malformed('Implementation restriction: ContentDocumentLink requires a filter by a single Id on ContentDocumentId or LinkedEntityId using the equals operator or multiple Id\'s using the IN operator.');
    }
    const rows = runSoql(query, table.rows(ctx.now())).map((row) => project(row, query, recordUrl(version), table.relations));
    return page(request, version, rows, 0);
  });

  app.get(`/services/data/${VERSION}/query/:locator`, async (request) => {
    const { version, locator } = request.params as { version: string; locator: string };
    const [id, offset] = locator.split('-');
    const saved = locators.get(id ?? '');
    if (!saved || Number(offset) !== saved.offset) throw sfErrors.invalidLocator();
    locators.delete(id!);
    return page(request, version, saved.rows, saved.offset);
  });

  app.get(`/services/data/${VERSION}/limits`, async (request, reply) => {
    const usage = /api-usage=(\d+)\/(\d+)/.exec(String(reply.getHeader('sforce-limit-info') ?? ''));
    void request;
    return { DailyApiRequests: { Max: Number(usage?.[2] ?? 0), Remaining: Number(usage?.[2] ?? 0) - Number(usage?.[1] ?? 0) } };
  });

  app.get(`/services/data/${VERSION}/sobjects/EventLogFile/:id/LogFile`, async (request, reply) => {
    requirePermission(ctx, 'ViewEventLogFiles', 'reading EventLogFile');
    const { id } = request.params as { id: string };
    const file = ctx.logFiles.find(id, ctx.now());
    if (!file) throw sfErrors.notFound();
    return reply.header('content-type', 'text/csv').send(ctx.logFiles.body(file));
  });

  app.get(`/services/data/${VERSION}/sobjects/:type/:id`, async (request) => {
    const { version, type, id } = request.params as { version: string; type: string; id: string };
    const table = ctx.tables.get(type);
    if (!table) throw sfErrors.notFound();
    requirePermission(ctx, table.permission, `reading ${type}`);
    const row = table.rows(ctx.now()).find((r) => r.Id === id);
    if (!row) throw sfErrors.notFound();
    const fields = ((request.query as { fields?: string }).fields ?? [...table.fields].filter((f) => !f.includes('.')).join(',')).split(',').filter(Boolean);
    for (const f of fields) if (!table.fields.has(f)) throw sfErrors.invalidField(f, type);
    return project(row, { fields, object: type, where: [], orderBy: [], limit: null }, recordUrl(version), table.relations);
  });

  const find = (rows: Row[], id: string): Row => {
    const row = rows.find((r) => r.Id === id);
    if (!row) throw sfErrors.notFound();
    return row;
  };

  app.patch(`/services/data/${VERSION}/sobjects/:type/:id`, async (request, reply) => {
    const { type, id } = request.params as { type: string; id: string };
    const body = (request.body ?? {}) as Row;
    requirePermission(ctx, 'ManageUsers', `updating ${type}`);
    if (type === 'UserLogin' && typeof body.IsFrozen === 'boolean') find(ctx.org.userLogins, id).IsFrozen = body.IsFrozen;
    else if (type === 'User' && typeof body.IsActive === 'boolean') find(ctx.org.users, id).IsActive = body.IsActive;
    else throw new SalesforceApiError(400, 'INVALID_FIELD_FOR_INSERT_UPDATE', `Unable to update ${Object.keys(body).join(', ')} on ${type}`);
    ctx.applied.push({ method: 'PATCH', path: `${type}/${id}`, at: ctx.now() });
    return reply.status(204).send();
  });

  app.delete(`/services/data/${VERSION}/sobjects/User/:id/password`, async (request) => {
    requirePermission(ctx, 'ResetPasswords', 'resetting a password');
    const user = find(ctx.org.users, (request.params as { id: string }).id);
    user.LastPasswordChangeDate = salesforceTime(ctx.now());
    ctx.applied.push({ method: 'DELETE', path: `User/${String(user.Id)}/password`, at: ctx.now() });
    return { NewPassword: randomBytes(9).toString('base64url') };
  });

  app.delete(`/services/data/${VERSION}/sobjects/:type/:id`, async (request, reply) => {
    const { type, id } = request.params as { type: string; id: string };
    const lists: Record<string, [Row[], SalesforcePermission]> = {
      ContentDistribution: [ctx.org.distributions, 'ViewAllData'], OauthToken: [ctx.org.oauthTokens, 'ManageUsers'],
    };
    const target = lists[type];
    if (!target) throw new SalesforceApiError(400, 'INVALID_TYPE_FOR_OPERATION', `entity type ${type} does not support delete`);
    requirePermission(ctx, target[1], `deleting ${type}`);
    const index = target[0].findIndex((r) => r.Id === id);
    if (index === -1) throw sfErrors.notFound();
    target[0].splice(index, 1);
    ctx.applied.push({ method: 'DELETE', path: `${type}/${id}`, at: ctx.now() });
    return reply.status(204).send();
  });
}
