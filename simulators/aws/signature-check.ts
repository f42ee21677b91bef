/**
 * Verifies a request's SigV4 signature as AWS does: the key must exist (and a temporary key come with
 * its session token), the body must hash to what was signed, and the signature over the canonical
 * request must match the one computed with the key's secret.
 */
import { timingSafeEqual } from 'node:crypto';
import { canonicalRequest, parseAuthorization, sha256Hex, signature, stringToSign } from '../../ingestors/aws/sigv4.js';
import { AwsError, errors, type Protocol } from './aws-errors.js';

export interface KeyRecord { secretAccessKey: string; sessionToken?: string; expiresAt?: number; principalArn: string }

export interface SignedRequest {
  method: string;
  url: URL;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Answers the signer's key record and Region, or throws the protocol's error. */
export function checkSignature(req: SignedRequest, protocol: Protocol, keys: (id: string) => KeyRecord | undefined, now: number): { key: KeyRecord; region: string; service: string } {
  const header = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v.join(',') : v;
  };
  const auth = parseAuthorization(header('authorization'));
  if (auth === null) throw errors.missingAuth(protocol);
  const key = keys(auth.accessKeyId);
  if (!key) throw errors.unknownKey(protocol);
  if (key.sessionToken !== undefined && header('x-amz-security-token') !== key.sessionToken) throw errors.unknownKey(protocol);
  if (key.expiresAt !== undefined && key.expiresAt <= now) throw errors.expired(protocol);
  const date = header('x-amz-date') ?? '';
  const at = Date.parse(date.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  if (Number.isNaN(at) || Math.abs(at - now) > 15 * 60_000 || !date.startsWith(auth.date)) {
    throw new AwsError(protocol === 'json' ? 400 : 403, protocol === 's3' ? 'RequestTimeTooSkewed' : 'SignatureDoesNotMatch', 'Signature expired or the request time is too far from the server time');
  }
  const bodyHash = sha256Hex(req.body);
  const claimed = header('x-amz-content-sha256');
  if (protocol === 's3' && claimed !== undefined && claimed !== 'UNSIGNED-PAYLOAD' && claimed !== bodyHash) {
    throw new AwsError(400, 'XAmzContentSHA256Mismatch', 'The provided x-amz-content-sha256 header does not match what was computed.');
  }
  const signed: Record<string, string> = {};
  for (const name of auth.signedHeaders) signed[name] = header(name) ?? '';
  const payloadHash = protocol === 's3' && claimed !== undefined ? claimed : bodyHash;
  const { text } = canonicalRequest(req.method, req.url, signed, payloadHash);
  const scope = { region: auth.region, service: auth.service };
  const expected = signature(key.secretAccessKey, date, scope, stringToSign(date, scope, text));
  const a = Buffer.from(expected);
  const b = Buffer.from(auth.signature);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw errors.badSignature(protocol);
  return { key, region: auth.region, service: auth.service };
}
