import type { FastifyInstance } from 'fastify';
import type { Clock } from '../common/clock.js';
import type { RateLimiter } from '../common/rate-limiter.js';
import { DropboxError, dropboxErrors } from './errors.js';
import type { SimMember, TeamState } from './state.js';

export type Json = Record<string, any>;

/** Who a user-endpoint call acts as: the member of `Dropbox-API-Select-User`, or the admin of `Dropbox-API-Select-Admin`. */
export interface Call {
  route: string;
  member: SimMember | null;
  admin: SimMember | null;
}

export interface IssuedToken { token: string; expiresAtMs: number; scopes: ReadonlySet<string> }

/** What every route shares: auth, scopes, throttling and the request counters. */
export interface Guard {
  state: TeamState;
  clock: Clock;
  tokens: Map<string, IssuedToken>;
  denied: Set<string>;
  limiter: RateLimiter;
  forced: { requests: number; writes: number; retryAfterSeconds: number };
  requests: { total: number; throttled: number; byRoute: Record<string, number> };
}

const TEAM_TOKEN_ON_USER_ROUTE = 'This API function operates on a single Dropbox account, but the OAuth 2 access token you provided is for an entire Dropbox Business team. '
  + 'Since your API app key has team member file access permissions, you can operate on a team member\'s Dropbox by providing the "Dropbox-API-Select-User" HTTP header '
  + 'or "select_user" URL parameter to specify the exact user <https://www.dropbox.com/developers/documentation/http/teams>.';

/**
 * Registers one RPC route, `POST /2/<route>`: authenticated (Bearer token of ours, not expired), held to
 * the app's rate limit, checked for the route's scope (401 missing_scope), and for a user route
 * (`files/*`, `sharing/*`) given the member or admin to act as. `write` routes may answer
 * `too_many_write_operations`.
 */
export function rpc(app: FastifyInstance, guard: Guard, route: string, options: { scope: string; user?: boolean; write?: boolean },
  handle: (body: Json, call: Call) => unknown): void {
  app.post(`/2/${route}`, async (request, reply) => {
    try {
      guard.requests.total++;
      guard.requests.byRoute[route] = (guard.requests.byRoute[route] ?? 0) + 1;
      const reason = guard.forced.requests > 0 ? 'too_many_requests' : options.write && guard.forced.writes > 0 ? 'too_many_write_operations'
        : guard.limiter.take('app').allowed ? null : 'too_many_requests';
      if (reason !== null) {
        if (guard.forced.requests > 0) guard.forced.requests--;
        else if (reason === 'too_many_write_operations') guard.forced.writes--;
        guard.requests.throttled++;
        throw dropboxErrors.throttled(reason, guard.forced.retryAfterSeconds);
      }
      const header = request.headers.authorization;
      if (typeof header !== 'string' || !/^Bearer /i.test(header)) throw dropboxErrors.badInput(route, 'Must provide HTTP header "Authorization" or URL parameter "authorization".');
      const token = guard.tokens.get(header.slice(7).trim());
      if (!token) throw dropboxErrors.auth('invalid_access_token');
      if (guard.clock.now() >= token.expiresAtMs) throw dropboxErrors.auth('expired_access_token');
      const call: Call = { route, member: null, admin: null };
      const selectUser = request.headers['dropbox-api-select-user'];
      const selectAdmin = request.headers['dropbox-api-select-admin'];
      if (options.user) {
        if (typeof selectUser === 'string') {
          const member = guard.state.members.find((m) => m.team_member_id === selectUser);
          if (!member || member.status === 'removed' || member.status === 'invited') throw dropboxErrors.auth('invalid_select_user');
          call.member = member;
        } else if (typeof selectAdmin === 'string') {
          const admin = guard.state.members.find((m) => m.team_member_id === selectAdmin);
          if (!admin || admin.status !== 'active' || admin.roles.length === 0) throw dropboxErrors.auth('invalid_select_admin');
          call.admin = admin;
        } else {
          throw dropboxErrors.badInput(route, TEAM_TOKEN_ON_USER_ROUTE);
        }
      }
      if (!token.scopes.has(options.scope) || guard.denied.has(options.scope)) throw dropboxErrors.missingScope(options.scope);
      const body = request.body;
      if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body))) throw dropboxErrors.badInput(route, 'request body: expected an object');
      const answer = await handle((body ?? {}) as Json, call);
      return reply.status(200).header('content-type', 'application/json').send(JSON.stringify(answer ?? null));
    } catch (err) {
      if (!(err instanceof DropboxError)) throw err;
      for (const [name, value] of Object.entries(err.headers)) reply.header(name, value);
      if (typeof err.body === 'string') return reply.status(err.status).header('content-type', 'text/plain; charset=utf-8').send(err.body);
      return reply.status(err.status).header('content-type', 'application/json').send(JSON.stringify(err.body));
    }
  });
}

/** An opaque cursor carrying `position` (base64url JSON), as Dropbox's cursors are opaque strings. */
export function encodeCursor(position: Json): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** The position a cursor carries, or a 409 `{".tag": <badTag>}` when it is not one of ours for `kind`. */
export function decodeCursor(route: string, text: unknown, kind: string, badTag = 'invalid_cursor'): Json {
  if (typeof text !== 'string' || text === '') throw dropboxErrors.badInput(route, 'request body: cursor: missing');
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Json;
    if (value.k === kind) return value;
  } catch {
    // refused below
  }
  throw dropboxErrors.tag(badTag);
}

/** A page of a list paged by offset: the items, the cursor of the rest, `has_more`. */
export function offsetPage<T>(items: readonly T[], offset: number, limit: number, kind: string, extra: Json = {}): { page: T[]; cursor: string; has_more: boolean } {
  const page = items.slice(offset, offset + limit);
  return { page, cursor: encodeCursor({ k: kind, o: offset + page.length, ...extra }), has_more: offset + page.length < items.length };
}

/** `limit` of a list body: 1..max, default `fallback`; 400 otherwise. */
export function limitOf(route: string, body: Json, fallback: number, max = 1000): number {
  if (body.limit === undefined) return fallback;
  if (!Number.isInteger(body.limit) || body.limit < 1 || body.limit > max) throw dropboxErrors.badInput(route, `request body: limit: ${String(body.limit)} is not within range [1, ${max}]`);
  return body.limit;
}
