import { createPublicKey, createVerify, type KeyObject } from 'node:crypto';
import type { Clock } from '../common/clock.js';
import type { Prng } from '../common/prng.js';
import { oauthError } from './box-errors.js';

export interface TokenIssuerOptions {
  clientId: string;
  clientSecret: string;
  enterpriseId: string;
  publicKey: string;
  publicKeyId: string;
  /** The token URL, the `aud` an assertion must name. */
  audience: () => string;
  lifetimeMs: number;
  clock: Clock;
  prng: Prng;
}

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

function decodePart(part: string | undefined): Record<string, unknown> | null {
  if (!part) return null;
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : null;
  } catch {
    return null;
  }
}

/**
 * Box's token endpoint for server authentication: Client Credentials Grant with the enterprise as
 * subject, and JWT (RS256 assertion verified with the app's public key, `jti` used once, `exp` at
 * most 60 s ahead). Tokens are random strings; a revoked or expired one answers 401.
 */
export class TokenIssuer {
  readonly #tokens = new Map<string, number>();
  readonly #usedJti = new Set<string>();
  readonly #key: KeyObject;

  constructor(private readonly options: TokenIssuerOptions) {
    this.#key = createPublicKey(options.publicKey);
  }

  exchange(form: Record<string, string | undefined>): Record<string, unknown> {
    const o = this.options;
    if (form.client_id !== o.clientId || form.client_secret !== o.clientSecret) throw oauthError('invalid_client', 'The client credentials are invalid');
    if (form.grant_type === 'client_credentials') {
      if (form.box_subject_type !== 'enterprise' || form.box_subject_id !== o.enterpriseId) throw oauthError('invalid_grant', 'Grant credentials are invalid');
    } else if (form.grant_type === JWT_BEARER) {
      this.#checkAssertion(form.assertion);
    } else {
      throw oauthError('unsupported_grant_type', 'Grant type is not supported');
    }
    const token = o.prng.chars(32, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
    this.#tokens.set(token, o.clock.now() + o.lifetimeMs);
    return { access_token: token, expires_in: Math.floor(o.lifetimeMs / 1000), restricted_to: [], token_type: 'bearer' };
  }

  #checkAssertion(assertion: string | undefined): void {
    const o = this.options;
    const parts = (assertion ?? '').split('.');
    const header = decodePart(parts[0]);
    const claims = decodePart(parts[1]);
    if (parts.length !== 3 || header === null || claims === null) throw oauthError('invalid_grant', 'Invalid JWT assertion');
    if (header.alg !== 'RS256' && header.alg !== 'RS384' && header.alg !== 'RS512') throw oauthError('invalid_grant', 'Unsupported signing algorithm');
    if (header.kid !== o.publicKeyId) throw oauthError('invalid_grant', 'Please check the \'kid\' header: no public key of the app has this id.');
    const hash = { RS256: 'RSA-SHA256', RS384: 'RSA-SHA384', RS512: 'RSA-SHA512' }[header.alg];
    const valid = createVerify(hash).update(`${parts[0]}.${parts[1]}`).verify(this.#key, Buffer.from(parts[2]!, 'base64url'));
    if (!valid) throw oauthError('invalid_grant', 'Signature verification error. The public key identified by the JWT header does not match the private key used to sign the assertion.');
    if (claims.iss !== o.clientId) throw oauthError('invalid_grant', 'Please check the \'iss\' claim.');
    if (claims.box_sub_type !== 'enterprise' || claims.sub !== o.enterpriseId) throw oauthError('invalid_grant', 'Please check the \'sub\' claim.');
    if (claims.aud !== o.audience()) throw oauthError('invalid_grant', 'Please check the \'aud\' claim.');
    const now = Math.floor(o.clock.now() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp <= now || claims.exp > now + 60) throw oauthError('invalid_grant', 'Please check the \'exp\' claim.');
    const jti = claims.jti;
    if (typeof jti !== 'string' || jti.length < 16 || jti.length > 128 || this.#usedJti.has(jti)) throw oauthError('invalid_grant', 'Please check the \'jti\' claim.');
    this.#usedJti.add(jti);
  }

  /** Whether the `authorization` header carries a live token of ours. */
  valid(authorization: string | undefined): boolean {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    const expires = match ? this.#tokens.get(match[1]!) : undefined;
    return expires !== undefined && expires > this.options.clock.now();
  }

  revokeAll(): void {
    this.#tokens.clear();
  }
}
