import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { Clock } from '../common/clock.js';
import type { Prng } from '../common/prng.js';
import { OAuthError } from './google-errors.js';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
// Google accepts assertions of at most an hour, with some clock skew.
const MAX_ASSERTION_S = 3600;
const SKEW_S = 300;

/** An access token the simulator issued: who it acts as and what it may do. */
export interface IssuedAccessToken {
  subject: string;
  scopes: Set<string>;
  expiresAt: number;
}

export interface OAuthSettings {
  clientEmail: string;
  publicKey: string;
  /** The token endpoint's own URL: the `aud` every assertion must name. */
  audience: () => string;
  grantedScopes: () => ReadonlySet<string>;
  /** Whether `sub` may be impersonated: an active user of the tenant. */
  canImpersonate: (email: string) => boolean;
  tokenLifetimeMs: number;
  clock: Clock;
  prng: Prng;
}

const invalidGrant = (description: string) => new OAuthError(400, 'invalid_grant', description);

function decodeJson(part: string): Record<string, unknown> {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // falls through
  }
  throw invalidGrant('Invalid JWT: could not decode');
}

/**
 * The OAuth 2.0 token endpoint for service accounts: checks the JWT bearer assertion (RS256 with
 * the configured public key, iss, aud, iat/exp, sub, scopes) and issues opaque access tokens.
 */
export class TokenIssuer {
  readonly #key: KeyObject;
  readonly #tokens = new Map<string, IssuedAccessToken>();

  constructor(private readonly settings: OAuthSettings) {
    this.#key = createPublicKey(settings.publicKey);
  }

  /** Handles `grant_type` + `assertion`; returns the token response body or throws an OAuthError. */
  exchange(grantType: string | undefined, assertion: string | undefined): { access_token: string; expires_in: number; token_type: 'Bearer' } {
    if (grantType !== JWT_BEARER_GRANT) throw new OAuthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType ?? ''}`);
    if (!assertion) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: assertion');
    const parts = assertion.split('.');
    if (parts.length !== 3) throw invalidGrant('Invalid JWT: not a compact JWS');
    const [header, payload, signature] = parts as [string, string, string];
    if (decodeJson(header).alg !== 'RS256') throw invalidGrant('Invalid JWT Signature.');
    const claims = decodeJson(payload);
    if (claims.iss !== this.settings.clientEmail) throw new OAuthError(401, 'invalid_client', 'The OAuth client was not found.');
    if (!verify('sha256', Buffer.from(`${header}.${payload}`), this.#key, Buffer.from(signature, 'base64url'))) throw invalidGrant('Invalid JWT Signature.');
    if (claims.aud !== this.settings.audience()) throw invalidGrant(`Invalid JWT: aud must be ${this.settings.audience()}`);
    const now = Math.floor(this.settings.clock.now() / 1000);
    const { iat, exp } = claims;
    if (typeof iat !== 'number' || typeof exp !== 'number' || exp <= iat || exp - iat > MAX_ASSERTION_S || iat > now + SKEW_S || exp < now - SKEW_S) {
      throw invalidGrant('Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.');
    }
    const subject = typeof claims.sub === 'string' ? claims.sub.toLowerCase() : '';
    if (subject === '' || !this.settings.canImpersonate(subject)) throw invalidGrant('Invalid email or User ID');
    const scopes = typeof claims.scope === 'string' ? claims.scope.split(/\s+/).filter(Boolean) : [];
    const granted = this.settings.grantedScopes();
    if (scopes.length === 0 || scopes.some((s) => !granted.has(s))) {
      throw new OAuthError(400, 'unauthorized_client', 'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.');
    }
    const token = `ya29.${this.settings.prng.chars(120, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_')}`;
    this.#tokens.set(token, { subject, scopes: new Set(scopes), expiresAt: this.settings.clock.now() + this.settings.tokenLifetimeMs });
    return { access_token: token, expires_in: Math.floor(this.settings.tokenLifetimeMs / 1000) - 1, token_type: 'Bearer' };
  }

  /** The token behind an `Authorization: Bearer` header, when it is one we issued and it has not expired. */
  lookup(authorization: string | undefined): IssuedAccessToken | null {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    const token = match ? this.#tokens.get(match[1]!) : undefined;
    if (!token || token.expiresAt <= this.settings.clock.now()) return null;
    return token;
  }

  /** Revokes every issued token (clients then get 401 and must ask again). */
  revokeAll(): void {
    this.#tokens.clear();
  }

  get issued(): number {
    return this.#tokens.size;
  }
}
