import { badRequest } from './errors.js';

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
  throw badRequest('cursor is not a cursor this API returned', 'cursor');
}
