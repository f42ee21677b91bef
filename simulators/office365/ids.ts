import type { Prng } from '../common/prng.js';

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A SharePoint/OneDrive for Business drive id: `b!` and 64 base64url characters. */
export function driveId(prng: Prng): string {
  return `b!${prng.chars(64, BASE64URL)}`;
}

/** A drive item id as OneDrive for Business shows them: `01` and 32 base-32 characters. */
export function itemId(prng: Prng): string {
  return `01${prng.chars(32, BASE32)}`;
}

/** A permission id (opaque, base64url). */
export function permissionId(prng: Prng): string {
  return prng.chars(24, BASE64URL);
}

/** An oAuth2PermissionGrant id: 43 base64url characters. */
export function grantId(prng: Prng): string {
  return prng.chars(43, BASE64URL);
}

/** A Microsoft account PUID (`UserKey` in audit records): 16 upper-case hex digits. */
export function puid(prng: Prng): string {
  return `1003${prng.chars(12, '0123456789ABCDEF')}`;
}

/** Opaque, URL-safe paging tokens that carry their own state. */
export function encodeToken(state: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

export function decodeToken(token: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
