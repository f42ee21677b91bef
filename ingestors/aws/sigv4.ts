/**
 * AWS Signature Version 4 with node:crypto, for the HTTP client's signing hook: the canonical
 * request (method, path, query, signed headers, SHA-256 of the body), the string to sign and the
 * derived key, as https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 * describes them. The simulator verifies requests with the same canonical form.
 */
import { createHash, createHmac } from 'node:crypto';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials (STS) carry a session token, sent as `x-amz-security-token` and signed. */
  sessionToken?: string | undefined;
}

export interface SigningScope {
  region: string;
  service: string;
}

export interface SignableRequest {
  method: string;
  url: URL;
  /** Lower-case names; every one is signed (besides host and the x-amz-* headers the signer adds). */
  headers: Readonly<Record<string, string>>;
  body?: string | Uint8Array | undefined;
}

export const ALGORITHM = 'AWS4-HMAC-SHA256';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** `20150830T123600Z` */
export function amzDate(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** RFC 3986 encoding: everything but unreserved characters (A-Z a-z 0-9 - _ . ~) as %XX. */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A query or path component as sent, decoded (`+` is a space, as form serialization writes it). */
function decodeComponent(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, '%20'));
  } catch {
    return value;
  }
}

/** The path with each segment encoded once (S3's rule; our other services are only ever called on `/`). */
export function canonicalPath(url: URL): string {
  const path = url.pathname === '' ? '/' : url.pathname;
  return path.split('/').map((segment) => uriEncode(decodeComponent(segment))).join('/');
}

/** The query sorted by encoded name, then value; a name without `=` has an empty value. */
export function canonicalQuery(url: URL): string {
  const search = url.search.startsWith('?') ? url.search.slice(1) : url.search;
  if (search === '') return '';
  const pairs = search.split('&').filter((p) => p !== '').map((pair) => {
    const eq = pair.indexOf('=');
    const name = eq === -1 ? pair : pair.slice(0, eq);
    const value = eq === -1 ? '' : pair.slice(eq + 1);
    return [uriEncode(decodeComponent(name)), uriEncode(decodeComponent(value))] as const;
  });
  pairs.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

/** Header values trimmed, inner runs of spaces folded to one. */
function canonicalValue(value: string): string {
  return value.trim().replace(/\s+/g, ' ');
}

/** The canonical request of `headers` (lower-case names, all of them signed) and a payload hash. */
export function canonicalRequest(method: string, url: URL, headers: Readonly<Record<string, string>>, payloadHash: string): { text: string; signedHeaders: string } {
  const names = Object.keys(headers).map((n) => n.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(headers).map(([n, v]) => [n.toLowerCase(), v]));
  const signedHeaders = names.join(';');
  const text = [
    method.toUpperCase(),
    canonicalPath(url),
    canonicalQuery(url),
    names.map((n) => `${n}:${canonicalValue(lower[n]!)}\n`).join(''),
    signedHeaders,
    payloadHash,
  ].join('\n');
  return { text, signedHeaders };
}

export function credentialScope(date: string, scope: SigningScope): string {
  return `${date.slice(0, 8)}/${scope.region}/${scope.service}/aws4_request`;
}

export function stringToSign(date: string, scope: SigningScope, canonical: string): string {
  return [ALGORITHM, date, credentialScope(date, scope), sha256Hex(canonical)].join('\n');
}

export function signature(secretAccessKey: string, date: string, scope: SigningScope, toSign: string): string {
  const kDate = hmac(`AWS4${secretAccessKey}`, date.slice(0, 8));
  const kRegion = hmac(kDate, scope.region);
  const kService = hmac(kRegion, scope.service);
  const kSigning = hmac(kService, 'aws4_request');
  return createHmac('sha256', kSigning).update(toSign, 'utf8').digest('hex');
}

/**
 * The headers that sign `req`: `x-amz-date`, `x-amz-content-sha256` (the body hash, which S3 requires
 * and every service accepts), `x-amz-security-token` with temporary credentials, and `authorization`.
 * `host` is signed as the URL gives it (fetch sends exactly that).
 */
export function signRequest(req: SignableRequest, scope: SigningScope, credentials: AwsCredentials, at: Date): Record<string, string> {
  const date = amzDate(at);
  const payloadHash = sha256Hex(req.body ?? '');
  const added: Record<string, string> = { 'x-amz-date': date, 'x-amz-content-sha256': payloadHash };
  if (credentials.sessionToken) added['x-amz-security-token'] = credentials.sessionToken;
  // Headers the connection may rewrite (accept-encoding, connection) are left unsigned.
  const signed: Record<string, string> = { host: req.url.host, ...added };
  for (const [name, value] of Object.entries(req.headers)) {
    const n = name.toLowerCase();
    if (n === 'content-type' || n.startsWith('x-amz-')) signed[n] = value;
  }
  const { text, signedHeaders } = canonicalRequest(req.method, req.url, signed, payloadHash);
  const sig = signature(credentials.secretAccessKey, date, scope, stringToSign(date, scope, text));
  return {
    ...added,
    authorization: `${ALGORITHM} Credential=${credentials.accessKeyId}/${credentialScope(date, scope)}, SignedHeaders=${signedHeaders}, Signature=${sig}`,
  };
}

/** The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header, or null when it is not one. */
export function parseAuthorization(header: string | undefined): { accessKeyId: string; date: string; region: string; service: string; signedHeaders: string[]; signature: string } | null {
  if (!header?.startsWith(`${ALGORITHM} `)) return null;
  const fields = Object.fromEntries(header.slice(ALGORITHM.length + 1).split(',').map((part) => {
    const [k, ...rest] = part.trim().split('=');
    return [k, rest.join('=')];
  }));
  const credential = String(fields.Credential ?? '').split('/');
  if (credential.length !== 5 || credential[4] !== 'aws4_request' || !fields.SignedHeaders || !fields.Signature) return null;
  return {
    accessKeyId: credential[0]!, date: credential[1]!, region: credential[2]!, service: credential[3]!,
    signedHeaders: String(fields.SignedHeaders).split(';'), signature: String(fields.Signature),
  };
}
