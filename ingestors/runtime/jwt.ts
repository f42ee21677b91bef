import { sign, type KeyObject } from 'node:crypto';

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/** A compact JWS signed with RS256 (RSASSA-PKCS1-v1_5 over SHA-256), for OAuth 2.0 JWT bearer grants (RFC 7523). */
export function signJwt(claims: Record<string, unknown>, key: KeyObject, kid?: string): string {
  const header = base64url(JSON.stringify(kid === undefined ? { alg: 'RS256', typ: 'JWT' } : { alg: 'RS256', typ: 'JWT', kid }));
  const payload = base64url(JSON.stringify(claims));
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), key);
  return `${header}.${payload}.${base64url(signature)}`;
}
