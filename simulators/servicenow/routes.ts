import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestBaseUrl } from '../common/http-server.js';
import { queryValue } from '../common/json.js';
import type { RateLimiter } from '../common/rate-limiter.js';
import { parseEncodedQuery, runQuery } from './encoded-query.js';
import { NO_RECORD, NOT_AUTHENTICATED, QUOTA_CANCELLED, READ_DENIED, invalidTable, rateLimited, writeDenied } from './errors.js';
import type { ServiceNowInstance } from './instance.js';
import { instanceTime, renderRow, type RenderOptions } from './render.js';
import { isHistoryTable } from './tables.js';

const MAX_LIMIT = 10000;
const RULE_ID = '5e1c3a5f1b3b2010a1b2c3d4e5f60718';

type Params = { table: string; id?: string };

/** Who the request authenticates as (basic auth or a bearer token from /oauth_token.do), or null. */
function caller(instance: ServiceNowInstance, request: FastifyRequest): string | null {
  const header = request.headers.authorization ?? '';
  const { username, password, clock } = instance.options;
  if (header.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    return decoded === `${username}:${password}` ? username : null;
  }
  if (header.startsWith('Bearer ')) {
    const expires = instance.tokens.get(header.slice(7));
    return expires !== undefined && expires > clock.now() ? username : null;
  }
  return null;
}

/** Authentication, then the rate limit rule and the transaction quota, as the instance answers them; true when the request may go on. */
function admit(instance: ServiceNowInstance, limiter: RateLimiter | null, request: FastifyRequest, reply: FastifyReply): string | null {
  instance.counters.requests++;
  const user = caller(instance, request);
  if (user === null) {
    instance.counters.unauthorized++;
    void reply.code(401).header('www-authenticate', 'BASIC realm="Service-now"').send(NOT_AUTHENTICATED);
    return null;
  }
  const now = instance.options.clock.now();
  const decision = limiter?.take(user);
  const limit = decision?.limit ?? instance.options.rateLimitPerHour ?? 10;
  if (instance.throttle.rateLimit > 0 || (decision && !decision.allowed)) {
    if (instance.throttle.rateLimit > 0) instance.throttle.rateLimit--;
    instance.counters.throttled++;
    const resetAt = decision && !decision.allowed ? decision.resetAtMs : now + 1000;
    void reply.code(429).headers({
      'retry-after': String(Math.max(1, Math.ceil((resetAt - now) / 1000))), 'x-ratelimit-limit': String(limit),
      'x-ratelimit-reset': String(Math.ceil(resetAt / 1000)), 'x-ratelimit-rule': RULE_ID,
    }).send(rateLimited(limit));
    return null;
  }
  if (instance.throttle.quota > 0) {
    instance.throttle.quota--;
    instance.counters.quotaCancelled++;
    void reply.code(429).send(QUOTA_CANCELLED);
    return null;
  }
  if (decision) void reply.headers({ 'x-ratelimit-limit': String(limit), 'x-ratelimit-reset': String(Math.ceil(decision.resetAtMs / 1000)), 'x-ratelimit-rule': RULE_ID });
  return user;
}

function renderOptions(instance: ServiceNowInstance, request: FastifyRequest): RenderOptions {
  const q = request.query as Record<string, unknown>;
  const fields = queryValue(q.sysparm_fields);
  const display = queryValue(q.sysparm_display_value);
  return {
    zone: instance.options.timeZone,
    fields: fields ? fields.split(',').map((f) => f.trim()).filter((f) => f !== '') : null,
    displayValue: display === 'true' || display === 'all' ? display : 'false',
    excludeReferenceLink: queryValue(q.sysparm_exclude_reference_link) === 'true',
    baseUrl: requestBaseUrl(request),
  };
}

/** The lower bound a query puts on `sys_created_on` in every branch, to generate only that part of a history table. */
function createdSince(query: ReturnType<typeof parseEncodedQuery>): number | undefined {
  if (query.groups.length !== 1) return undefined;
  const bound = query.groups[0]!.find((clause) => clause.length === 1 && clause[0]!.field === 'sys_created_on' && (clause[0]!.op === '>=' || clause[0]!.op === '>'));
  if (!bound) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})$/.exec(bound[0]!.value);
  if (!m) return undefined;
  // The bound is in the instance's zone; a day of margin covers any offset.
  return Date.parse(`${m[1]!.replace(' ', 'T')}Z`) - 86_400_000;
}

export function registerTableRoutes(app: FastifyInstance, instance: ServiceNowInstance, limiter: RateLimiter | null): void {
  const zone = instance.options.timeZone;

  const list = async (request: FastifyRequest, reply: FastifyReply) => {
    if (admit(instance, limiter, request, reply) === null) return reply;
    const { table } = request.params as Params;
    const q = request.query as Record<string, unknown>;
    const encoded = queryValue(q.sysparm_query) ?? '';
    const parsed = parseEncodedQuery(encoded, instance.columns(table));
    const all = instance.rows(table, isHistoryTable(table) ? createdSince(parsed) : undefined);
    if (all === undefined) return reply.code(400).send(invalidTable(table));
    if (instance.denied.has(`${table}.read`)) {
      instance.counters.denied++;
      return reply.code(403).send(READ_DENIED);
    }
    const limit = Math.min(MAX_LIMIT, Math.max(1, Number(queryValue(q.sysparm_limit) ?? MAX_LIMIT) || MAX_LIMIT));
    const offset = Math.max(0, Number(queryValue(q.sysparm_offset) ?? 0) || 0);
    const selected = runQuery(all, parsed, zone, instance.options.invalidQueryReturnsNoRows);
    const page = selected.slice(offset, offset + limit);
    const options = renderOptions(instance, request);
    const url = new URL(request.url, requestBaseUrl(request));
    const at = (o: number) => {
      const link = new URL(url);
      link.searchParams.set('sysparm_offset', String(o));
      link.searchParams.set('sysparm_limit', String(limit));
      return link.href;
    };
    const lastOffset = Math.max(0, Math.floor((selected.length - 1) / limit) * limit);
    const links = [`<${at(0)}>;rel="first"`];
    if (offset > 0) links.push(`<${at(Math.max(0, offset - limit))}>;rel="prev"`);
    if (offset + limit < selected.length) links.push(`<${at(offset + limit)}>;rel="next"`);
    links.push(`<${at(lastOffset)}>;rel="last"`);
    void reply.header('link', links.join(','));
    if (queryValue(q.sysparm_no_count) !== 'true') void reply.header('x-total-count', String(selected.length));
    return { result: page.map((row) => renderRow(table, row, instance.tables, options)) };
  };

  const one = (request: FastifyRequest) => {
    const { table, id } = request.params as Params;
    return { table, id: id!, row: instance.rows(table)?.find((r) => r.sys_id === id) };
  };

  const get = async (request: FastifyRequest, reply: FastifyReply) => {
    if (admit(instance, limiter, request, reply) === null) return reply;
    const { table, row } = one(request);
    if (instance.rows(table) === undefined) return reply.code(400).send(invalidTable(table));
    if (instance.denied.has(`${table}.read`)) return reply.code(403).send(READ_DENIED);
    if (!row) return reply.code(404).send(NO_RECORD);
    return { result: renderRow(table, row, instance.tables, renderOptions(instance, request)) };
  };

  const update = async (request: FastifyRequest, reply: FastifyReply) => {
    const actor = admit(instance, limiter, request, reply);
    if (actor === null) return reply;
    const { table, row } = one(request);
    if (instance.rows(table) === undefined || isHistoryTable(table)) return reply.code(400).send(invalidTable(table));
    if (instance.denied.has(`${table}.write`)) return reply.code(403).send(writeDenied('Update'));
    if (!row) return reply.code(404).send(NO_RECORD);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const changes = Object.fromEntries(Object.entries(body).filter(([, v]) => ['string', 'boolean', 'number'].includes(typeof v)).map(([k, v]) => [k, String(v)]));
    instance.update(table, row, changes, actor);
    instance.options.log.info({ table, sys_id: row.sys_id, changes, at: instanceTime(instance.options.clock.now(), zone) }, 'record updated');
    return { result: renderRow(table, row, instance.tables, renderOptions(instance, request)) };
  };

  const remove = async (request: FastifyRequest, reply: FastifyReply) => {
    const actor = admit(instance, limiter, request, reply);
    if (actor === null) return reply;
    const { table, id, row } = one(request);
    if (instance.rows(table) === undefined || isHistoryTable(table)) return reply.code(400).send(invalidTable(table));
    if (instance.denied.has(`${table}.delete`)) return reply.code(403).send(writeDenied('Delete'));
    if (!row) return reply.code(404).send(NO_RECORD);
    instance.remove(table, id, actor);
    instance.options.log.info({ table, sys_id: id }, 'record deleted');
    return reply.code(204).send();
  };

  for (const prefix of ['/api/now/table', '/api/now/:version/table']) {
    app.get(`${prefix}/:table`, list);
    app.get(`${prefix}/:table/:id`, get);
    app.patch(`${prefix}/:table/:id`, update);
    app.put(`${prefix}/:table/:id`, update);
    app.delete(`${prefix}/:table/:id`, remove);
  }
}

/** `POST /oauth_token.do`: the password and client credentials grants (form-encoded), answering an access token. */
export function registerOAuthRoute(app: FastifyInstance, instance: ServiceNowInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))));
  });
  app.post('/oauth_token.do', async (request, reply) => {
    const form = (request.body ?? {}) as Record<string, string>;
    const o = instance.options;
    const grant = form.grant_type;
    if (grant !== 'password' && grant !== 'client_credentials') return reply.code(400).send({ error: 'unsupported_grant_type', error_description: `Unsupported grant type: ${grant ?? ''}` });
    const clientOk = form.client_id === o.clientId && form.client_secret === o.clientSecret;
    const userOk = grant === 'client_credentials' || (form.username === o.username && form.password === o.password);
    if (!clientOk || !userOk) return reply.code(401).send({ error: 'server_error', error_description: 'access_denied' });
    const token = instance.newId() + instance.newId();
    instance.tokens.set(token, o.clock.now() + o.tokenTtlSeconds * 1000);
    instance.counters.tokensIssued++;
    return { access_token: token, scope: 'useraccount', token_type: 'Bearer', expires_in: o.tokenTtlSeconds };
  });
}
