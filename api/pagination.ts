import type { AppwardenError } from '../core/errors.js';
import { badRequest } from './errors.js';

/** The page size when a request names none (lowered to the configured maximum if that is smaller). */
export const DEFAULT_PAGE_SIZE = 100;

/** The page size of a request: its `limit`, else the default; above `maxPageSize` → AW_BAD_REQUEST. */
export function pageLimit(limit: number | undefined, maxPageSize: number): number {
  if (limit === undefined) return Math.min(DEFAULT_PAGE_SIZE, maxPageSize);
  if (limit > maxPageSize) throw badRequest(`querystring.limit must be <= ${maxPageSize}`, 'limit');
  return limit;
}

/** Keyset cursors are opaque to clients: base64url of a small JSON array. */
export function encodeCursor(values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): string[] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(values) && values.length === arity && values.every((v) => typeof v === 'string')) return values as string[];
  } catch {
    // fall through to the error below
  }
  throw invalidCursor();
}

export function invalidCursor(): AppwardenError {
  return badRequest('querystring.cursor is not a cursor this API returned', 'cursor');
}
