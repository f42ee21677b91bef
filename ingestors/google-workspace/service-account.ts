import { createPrivateKey, type KeyObject } from 'node:crypto';
import { AppwardenError, ProviderHttpError } from '../../core/errors.js';
import type { HttpClient } from '../runtime/http-client.js';
import { signJwt } from '../runtime/jwt.js';
import { TokenCache } from '../runtime/token-cache.js';
import { SCOPES, type Principal } from './scopes.js';

export interface ServiceAccountSettings {
  clientEmail: string;
  /** PEM; `\n` written as the two characters backslash and n (as JSON key files and env vars carry it) is accepted. */
  privateKey: string;
  privateKeyId?: string;
  tokenUrl: string;
  /** The default subject: the admin the service account acts as. */
  adminEmail: string;
}

// Google's access tokens live an hour; the assertion may not ask for more.
// https://developers.google.com/identity/protocols/oauth2/service-account#authorizingrequests
const ASSERTION_LIFETIME_S = 3600;
const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Tokens kept at once; a file scan impersonates every user in turn. */
const MAX_CACHED_TOKENS = 1000;

/** The `error` of a refused token request (`invalid_grant`, `unauthorized_client`, `invalid_client`), in `details.oauthError`. */
export function oauthErrorOf(err: unknown): string | null {
  if (!(err instanceof AppwardenError)) return null;
  const value = err.details.oauthError;
  return typeof value === 'string' ? value : null;
}

export { signJwt } from '../runtime/jwt.js';

/**
 * Access tokens of a service account with domain-wide delegation: a JWT (iss = the client email,
 * sub = the impersonated user, one scope) exchanged at the token endpoint with the JWT bearer grant.
 * One cached token per subject and scope.
 */
export class ServiceAccountTokens {
  #key: KeyObject | undefined;
  readonly #caches = new Map<string, TokenCache>();

  constructor(
    private readonly settings: ServiceAccountSettings,
    /** A client for the token endpoint (no auth of its own). */
    private readonly http: HttpClient,
    private readonly now: () => number = Date.now,
  ) {}

  /** A bearer token for `principal`; throws `AW_PROVIDER_AUTH_FAILED` with `details.oauthError` when Google refuses. */
  token(principal: Principal): Promise<string> {
    const subject = principal.subject ?? this.settings.adminEmail;
    const key = `${subject.toLowerCase()} ${principal.scope}`;
    let cache = this.#caches.get(key);
    if (!cache) {
      cache = new TokenCache(() => this.#issue(subject, SCOPES[principal.scope]), 60_000, this.now);
      this.#caches.set(key, cache);
      if (this.#caches.size > MAX_CACHED_TOKENS) this.#caches.delete(this.#caches.keys().next().value!);
    }
    return cache.get();
  }

  /** Forgets every token (after a 401: Google revoked or rotated them early). */
  invalidate(): void {
    for (const cache of this.#caches.values()) cache.invalidate();
  }

  #privateKey(): KeyObject {
    if (this.#key) return this.#key;
    try {
      this.#key = createPrivateKey(this.settings.privateKey.replace(/\\n/g, '\n'));
    } catch (cause) {
      throw new AppwardenError('AW_CONFIG_INVALID', 'privateKey: not a PEM private key', { cause, details: { field: 'privateKey' } });
    }
    return this.#key;
  }

  async #issue(subject: string, scope: string): Promise<{ token: string; expiresInMs: number }> {
    const iat = Math.floor(this.now() / 1000);
    const assertion = signJwt(
      { iss: this.settings.clientEmail, scope, aud: this.settings.tokenUrl, sub: subject, iat, exp: iat + ASSERTION_LIFETIME_S },
      this.#privateKey(), this.settings.privateKeyId,
    );
    const res = await this.http.request<Record<string, unknown>>({
      method: 'POST',
      url: this.settings.tokenUrl,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      rawBody: new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion }).toString(),
      secretBody: true,
      acceptStatus: [400, 401, 403],
    });
    const body = typeof res.body === 'object' && res.body !== null ? res.body : {};
    if (res.status >= 300) {
      const oauthError = typeof body.error === 'string' ? this.http.scrub(body.error) : `http_${res.status}`;
      const description = typeof body.error_description === 'string' ? `: ${this.http.scrub(body.error_description)}` : '';
      throw new ProviderHttpError('AW_PROVIDER_AUTH_FAILED', `Google refused a token for ${subject} with scope ${scope} (${oauthError}${description})`, {
        httpStatus: res.status, details: { oauthError, subject, scope },
      });
    }
    if (typeof body.access_token !== 'string' || body.access_token === '') {
      throw new AppwardenError('AW_PROVIDER_RESPONSE_INVALID', 'the token endpoint answered without access_token', { details: { status: res.status } });
    }
    const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in ?? ASSERTION_LIFETIME_S);
    return { token: body.access_token, expiresInMs: (Number.isFinite(expiresIn) ? expiresIn : ASSERTION_LIFETIME_S) * 1000 };
  }
}
