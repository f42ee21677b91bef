import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Clock } from '../common/clock.js';
import { queryValue } from '../common/json.js';
import { isAdministrator, type Directory, type SimUser } from './directory.js';
import type { DriveState } from './drive.js';
import { googleErrors } from './google-errors.js';
import type { Governance } from './governance.js';
import type { Reports } from './reports.js';

/** Who a request acts as: the impersonated user and the scopes of the access token. */
export interface Principal {
  user: SimUser;
  scopes: ReadonlySet<string>;
}

export interface RouteContext {
  directory: Directory;
  drive: DriveState;
  reports: Reports;
  governance: Governance;
  clock: Clock;
  /** The principal the API guard found for the request. */
  principalOf(request: FastifyRequest): Principal;
}

export type Query = Record<string, unknown>;

const SCOPE = 'https://www.googleapis.com/auth/';

/** 403 insufficientPermissions unless the token carries one of the scopes (short names under auth/). */
export function requireScope(principal: Principal, ...anyOf: string[]): void {
  if (!anyOf.some((s) => principal.scopes.has(`${SCOPE}${s}`))) throw googleErrors.insufficientScopes();
}

/** The Admin SDK answers 403 to a caller without an admin role. */
export function requireAdmin(principal: Principal): void {
  if (!isAdministrator(principal.user)) throw googleErrors.notAuthorized();
}

/** A page size parameter: `fallback` when absent, at most `max`; 400 when not a positive integer. */
export function readPageSize(query: Query, name: string, fallback: number, max: number): number {
  const text = queryValue(query[name]);
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw googleErrors.invalid(`Invalid value '${text}'. Values must be within the range: [1, ${max}]`, name);
  return Math.min(n, max);
}

export function readBoolean(query: Query, name: string): boolean {
  return queryValue(query[name]) === 'true';
}

/** What a page token is bound to: the query without paging parameters. */
function signatureOf(query: Query, extra: string): string {
  const parts = Object.keys(query).filter((k) => k !== 'pageToken').sort().map((k) => `${k}=${queryValue(query[k]) ?? ''}`);
  return createHash('sha1').update(`${extra}?${parts.join('&')}`).digest('base64url').slice(0, 12);
}

/** An opaque page token carrying `position`, valid only for the same query. */
export function pageToken(position: unknown, query: Query, extra: string): string {
  return Buffer.from(JSON.stringify({ p: position, q: signatureOf(query, extra) })).toString('base64url');
}

/** The position a page token carries; 400 when it is not one of ours or was made for another query. */
export function readPageToken<T>(query: Query, extra: string): T | undefined {
  const text = queryValue(query.pageToken);
  if (text === undefined || text === '') return undefined;
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as { p?: T; q?: string };
    if (value.q === signatureOf(query, extra) && value.p !== undefined) return value.p;
  } catch {
    // falls through to the refusal
  }
  throw googleErrors.invalid('Invalid page token', 'pageToken');
}

/** A page of a list paged by offset (Directory and Drive lists) and the token of the next one. */
export function offsetPage<T>(items: readonly T[], query: Query, extra: string, size: number): { page: T[]; nextPageToken?: string } {
  const offset = readPageToken<number>(query, extra) ?? 0;
  const page = items.slice(offset, offset + size);
  return offset + size < items.length ? { page, nextPageToken: pageToken(offset + size, query, extra) } : { page };
}
