import { requestOAuthToken } from '../runtime/oauth-token.js';
import { pathSegment, type HttpClient } from '../runtime/http-client.js';
import { TokenCache } from '../runtime/token-cache.js';
import { obj } from '../runtime/json-fields.js';

/** The two APIs the connector calls; each needs its own token (audience). */
export type Audience = 'graph' | 'management';

// Scopes name the resource, not the URL called: they stay the same when the base URLs point elsewhere.
const SCOPES: Record<Audience, string> = {
  graph: 'https://graph.microsoft.com/.default',
  management: 'https://manage.office.com/.default',
};

/** Renew this long before expiry (at most a tenth of the lifetime, for short-lived tokens). */
const REFRESH_MARGIN_MS = 60_000;

export interface TokenSourceOptions {
  /** A client for the login origin, without authentication. */
  login: HttpClient;
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

/**
 * OAuth 2.0 client-credentials tokens from Microsoft Entra ID (`POST /{tenant}/oauth2/v2.0/token`),
 * one cached token per audience, renewed before expiry and on a 401.
 */
export class TokenSource {
  readonly #caches: Record<Audience, TokenCache>;
  readonly #roles: Partial<Record<Audience, string[] | null>> = {};

  constructor(private readonly options: TokenSourceOptions) {
    this.#caches = {
      graph: new TokenCache(() => this.#issue('graph'), 0),
      management: new TokenCache(() => this.#issue('management'), 0),
    };
  }

  token(audience: Audience): Promise<string> {
    return this.#caches[audience].get();
  }

  /** Forgets both tokens (a 401 from either API: the next request asks for new ones). */
  invalidate(): void {
    this.#caches.graph.invalidate();
    this.#caches.management.invalidate();
  }

  /** The application permissions (`roles` claim) of the last token of an audience, or null when it carried none we could read. */
  roles(audience: Audience): string[] | null {
    return this.#roles[audience] ?? null;
  }

  async #issue(audience: Audience): Promise<{ token: string; expiresInMs: number }> {
    const { login, tenantId, clientId, clientSecret } = this.options;
    const issued = await requestOAuthToken(login, {
      path: `/${pathSegment(tenantId)}/oauth2/v2.0/token`, endpoint: `the token endpoint (${audience})`, marginMs: REFRESH_MARGIN_MS,
      form: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: SCOPES[audience] },
    });
    this.#roles[audience] = rolesOf(issued.token);
    return issued;
  }
}

/**
 * The `roles` claim of a JWT access token (app-only tokens list their application permissions there):
 * [] when the token has none, null when it is not a JWT we can read.
 */
export function rolesOf(token: string): string[] | null {
  const payload = token.split('.')[1];
  if (payload === undefined) return null;
  try {
    const claims = obj(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    if (claims === null) return null;
    const roles = claims.roles;
    return Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : [];
  } catch {
    return null;
  }
}
