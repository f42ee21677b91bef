import type { FastifyRequest } from 'fastify';
import type { Clock } from '../common/clock.js';
import { queryValue } from '../common/json.js';
import { boxErrors } from './box-errors.js';
import type { EventLog } from './event-log.js';
import type { SimUser, Tenant } from './tenant.js';

export interface RouteContext {
  tenant: Tenant;
  events: EventLog;
  clock: Clock;
  /** Who a request acts as: the `As-User` user, or the service account. */
  actingUser(request: FastifyRequest): SimUser;
}

export type Query = Record<string, unknown>;

export function q(request: FastifyRequest, name: string): string | undefined {
  return queryValue((request.query as Query)[name]);
}

export function limitOf(request: FastifyRequest, fallback: number, max: number): number {
  const text = q(request, 'limit');
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw boxErrors.badRequest(`Invalid value '${text}' for query parameter 'limit'.`);
  return Math.min(n, max);
}

/**
 * One page of a list, as Box pages it: with `usemarker=true`, `{ limit, next_marker, entries }` (the
 * marker is opaque: ours encodes the offset); otherwise `{ total_count, limit, offset, entries }`.
 */
export function page<T>(request: FastifyRequest, all: readonly T[], render: (x: T) => unknown, limits: { fallback: number; max: number }): Record<string, unknown> {
  const limit = limitOf(request, limits.fallback, limits.max);
  if (q(request, 'usemarker') === 'true') {
    const marker = q(request, 'marker');
    let offset = 0;
    if (marker) {
      const decoded = Number(Buffer.from(marker, 'base64url').toString('utf8').replace(/^m:/, ''));
      if (!Number.isInteger(decoded) || decoded < 0) throw boxErrors.badRequest('Invalid value for query parameter \'marker\'.', 'invalid_parameter');
      offset = decoded;
    }
    const entries = all.slice(offset, offset + limit);
    const end = offset + entries.length;
    return { limit, next_marker: end < all.length ? Buffer.from(`m:${end}`).toString('base64url') : null, entries: entries.map(render) };
  }
  const offset = Number(q(request, 'offset') ?? '0');
  if (!Number.isInteger(offset) || offset < 0) throw boxErrors.badRequest('Invalid value for query parameter \'offset\'.', 'invalid_parameter');
  return { total_count: all.length, limit, offset, order: [{ by: 'id', direction: 'ASC' }], entries: all.slice(offset, offset + limit).map(render) };
}
