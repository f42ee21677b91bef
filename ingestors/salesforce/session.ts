import { createPrivateKey, type KeyObject } from 'node:crypto';
import { AppwardenError, ProviderHttpError } from '../../core/errors.js';
import type { HttpClient } from '../runtime/http-client.js';
import { obj, str } from '../runtime/json-fields.js';
import { signJwt } from '../runtime/jwt.js';
import { TokenCache } from '../runtime/token-cache.js';
import type { SalesforceConfig } from './config.js';

const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Salesforce accepts a JWT bearer assertion for at most three minutes after it was made. */
const ASSERTION_LIFETIME_S = 180;
/**
 * Salesforce's token answer has no `expires_in`: the session lasts the org's session timeout (2 hours
 * by default). The token is kept an hour, and renewed sooner when the API answers 401.
 */
const ASSUMED_SESSION_MS = 3_600_000;

type Settings = Pick<SalesforceConfig, 'loginUrl' | 'authFlow' | 'clientId' | 'clientSecret' | 'privateKey' | 'username'>;

/**
 * The connected app's session: an access token from `POST {loginUrl}/services/oauth2/token` (client
 * credentials, or a JWT bearer assertion signed with the app's private key) and the org's
 * `instance_url` from the same answer, which every API call then goes to.
 */
export class SalesforceSession {
  readonly #cache: TokenCache;
  #instanceUrl: string | null = null;
  #key: KeyObject | undefined;

  constructor(
    private readonly settings: Settings,
    /** A client for the login origin, without auth of its own. */
    private readonly login: HttpClient,
    /** The API client, told to trust the instance URL each token answer names. */
    private readonly api: HttpClient,
    private readonly now: () => number = Date.now,
  ) {
    checkSettings(settings);
    this.#cache = new TokenCache(() => this.#issue(), 60_000, now);
  }

  token(): Promise<string> {
    return this.#cache.get();
  }

  /** The org's instance URL (`https://acme.my.salesforce.com`), from the token answer. */
  async instanceUrl(): Promise<string> {
    await this.#cache.get();
    return this.#instanceUrl!;
  }

  /** A 401: the session expired or was revoked; the next request asks for a new token. */
  invalidate(): void {
    this.#cache.invalidate();
  }

  async #issue(): Promise<{ token: string; expiresInMs: number }> {
    const form: Record<string, string> = this.settings.authFlow === 'jwt_bearer'
      ? { grant_type: JWT_BEARER_GRANT, assertion: this.#assertion() }
      : { grant_type: 'client_credentials', client_id: this.settings.clientId, client_secret: this.settings.clientSecret! };
    const res = await this.login.request<unknown>({
      method: 'POST',
      path: '/services/oauth2/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      rawBody: new URLSearchParams(form).toString(),
      secretBody: true,
      responseType: 'json',
      acceptStatus: [400, 401, 403],
    });
    const body = obj(res.body);
    if (res.status >= 300) {
      // {"error":"invalid_grant","error_description":"user hasn't approved this consumer"}
      const oauthError = str(body?.error) ?? `http_${res.status}`;
      const description = str(body?.error_description);
      throw new ProviderHttpError('AW_PROVIDER_AUTH_FAILED',
        this.login.scrub(`Salesforce refused a token (${this.settings.authFlow}): ${oauthError}${description ? `: ${description}` : ''}`),
        { httpStatus: res.status, details: { oauthError: this.login.scrub(oauthError) } });
    }
    const token = str(body?.access_token);
    const instanceUrl = str(body?.instance_url);
    if (token === null || instanceUrl === null) {
      throw new AppwardenError('AW_PROVIDER_RESPONSE_INVALID', 'the token endpoint answered without access_token and instance_url', { details: { status: res.status } });
    }
    this.#instanceUrl = this.api.trustOrigin(instanceUrl);
    return { token, expiresInMs: ASSUMED_SESSION_MS };
  }

  #assertion(): string {
    this.#key ??= privateKey(this.settings.privateKey!);
    const exp = Math.floor(this.now() / 1000) + ASSERTION_LIFETIME_S;
    // aud: the login server (login.salesforce.com, test.salesforce.com or the My Domain origin).
    return signJwt({ iss: this.settings.clientId, sub: this.settings.username, aud: this.settings.loginUrl.replace(/\/+$/, ''), exp }, this.#key);
  }
}

function privateKey(pem: string): KeyObject {
  try {
    return createPrivateKey(pem.replace(/\\n/g, '\n'));
  } catch (cause) {
    throw new AppwardenError('AW_CONFIG_INVALID', 'privateKey: not a PEM private key', { cause, details: { field: 'privateKey' } });
  }
}

/** What each flow needs, all problems at once. */
function checkSettings(settings: Settings): void {
  const problems: string[] = [];
  if (settings.authFlow === 'client_credentials' && !settings.clientSecret) problems.push('clientSecret: required with authFlow client_credentials');
  if (settings.authFlow === 'jwt_bearer') {
    if (!settings.privateKey) problems.push('privateKey: required with authFlow jwt_bearer');
    if (!settings.username) problems.push('username: required with authFlow jwt_bearer (the JWT sub)');
  }
  if (problems.length > 0) throw new AppwardenError('AW_CONFIG_INVALID', `salesforce: ${problems.join('; ')}`, { details: { problems } });
}
