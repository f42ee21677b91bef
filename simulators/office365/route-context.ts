import type { FastifyRequest } from 'fastify';
import type { Clock } from '../common/clock.js';
import { requestBaseUrl } from '../common/http-server.js';
import { queryValue } from '../common/json.js';
import { graph } from './api-errors.js';
import type { AuditLog } from './audit-log.js';
import type { ContentType } from './audit-records.js';
import type { TokenClaims } from './auth.js';
import { decodeToken, encodeToken } from './ids.js';
import type { ResolvedOffice365Options } from './options.js';
import { allows, type Need } from './permissions.js';
import type { Tenant } from './tenant.js';

/** What the route handlers work on. */
export interface RouteContext {
  tenant: Tenant;
  audit: AuditLog;
  options: ResolvedOffice365Options;
  clock: Clock;
  /** Content types with a started subscription. */
  subscriptions: Set<ContentType>;
  /** The checked token of a request (set by the API guard). */
  claims(request: FastifyRequest): TokenClaims;
}

/** Refuses the request (403 Authorization_RequestDenied) unless its token carries one of the permissions. */
export function requireGraph(ctx: RouteContext, request: FastifyRequest, need: Need): void {
  if (!allows(ctx.claims(request).roles, need)) throw graph.forbidden();
}

type Query = Record<string, unknown>;

/**
 * One page of a Graph collection: `$top` (at most the simulator's page size) and an opaque `$skiptoken`
 * in `@odata.nextLink`, which repeats the request's other parameters.
 */
export function graphPage<T>(ctx: RouteContext, request: FastifyRequest, items: readonly T[], contextName: string): Record<string, unknown> {
  const query = request.query as Query;
  const max = ctx.options.graphPageSize;
  const topText = queryValue(query.$top);
  const top = topText === undefined ? max : Number(topText);
  if (!Number.isInteger(top) || top < 1 || top > 999) throw graph.badRequest(`Invalid page size specified: '${topText}'. Must be between 1 and 999 inclusive.`);
  const size = Math.min(top, max);
  const skipText = queryValue(query.$skiptoken);
  let offset = 0;
  if (skipText !== undefined) {
    const state = decodeToken(skipText);
    if (state === null || typeof state.o !== 'number') throw graph.badRequest('Invalid $skiptoken');
    offset = state.o;
  }
  const value = items.slice(offset, offset + size);
  const body: Record<string, unknown> = { '@odata.context': `${requestBaseUrl(request)}/v1.0/$metadata#${contextName}`, value };
  if (offset + size < items.length) {
    const params: Array<[string, string]> = [];
    for (const [key, raw] of Object.entries(query)) {
      const v = queryValue(raw);
      if (key !== '$skiptoken' && v !== undefined) params.push([key, v]);
    }
    params.push(['$skiptoken', encodeToken({ o: offset + size })]);
    body['@odata.nextLink'] = `${requestBaseUrl(request)}${request.url.split('?')[0]}?${odataQuery(params)}`;
  }
  return body;
}

/** The fields `$select` asks for (lower-cased), or null when it is absent. */
export function selected(request: FastifyRequest): Set<string> | null {
  const text = queryValue((request.query as Query).$select);
  if (text === undefined || text.trim() === '') return null;
  return new Set(text.split(',').map((f) => f.trim().toLowerCase()).filter((f) => f !== ''));
}

/** An object restricted to `$select` (always with its id), or its default fields when there is no `$select`. */
export function project(value: Record<string, unknown>, select: Set<string> | null, hiddenUnlessSelected: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const wanted = select === null ? !hiddenUnlessSelected.includes(key) : key === 'id' || key.startsWith('@odata') || select.has(key.toLowerCase());
    if (wanted) out[key] = v;
  }
  return out;
}

/** A query string as Graph writes its links: `$` and `,` left as they are (`?$select=id,mail&$skiptoken=...`). */
export function odataQuery(params: ReadonlyArray<readonly [string, string]>): string {
  const encode = (text: string) => encodeURIComponent(text).replace(/%24/g, '$').replace(/%2C/g, ',');
  return params.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
}
