import { requestOAuthToken } from '../runtime/oauth-token.js';
import type { HttpClient, HttpClientOptions } from '../runtime/http-client.js';
import { TokenCache } from '../runtime/token-cache.js';
import type { ServiceNowConfig } from './config.js';

/** Renew a token this long before it expires (at most a tenth of its lifetime). */
const REFRESH_MARGIN_MS = 60_000;

type AuthHooks = Pick<HttpClientOptions, 'authenticate' | 'onUnauthorized'>;

/**
 * How requests are signed: basic auth with the integration user, or a bearer token from
 * `POST /oauth_token.do` (grant `password` with the user, or `client_credentials`), cached until
 * shortly before it expires and asked for again after a 401.
 */
export function serviceNowAuth(config: ServiceNowConfig, tokenClient: () => HttpClient): AuthHooks {
  if (config.auth === 'basic') {
    const header = `Basic ${Buffer.from(`${config.username ?? ''}:${config.password ?? ''}`).toString('base64')}`;
    return { authenticate: () => ({ authorization: header }) };
  }
  const tokens = new TokenCache(() => issueToken(config, tokenClient()), 0);
  return {
    authenticate: async () => ({ authorization: `Bearer ${await tokens.get()}` }),
    onUnauthorized: async () => {
      tokens.invalidate();
      return true;
    },
  };
}

async function issueToken(config: ServiceNowConfig, http: HttpClient): Promise<{ token: string; expiresInMs: number }> {
  const client = { client_id: config.clientId ?? '', client_secret: config.clientSecret ?? '' };
  const form = config.auth === 'oauth_password'
    ? { ...client, grant_type: 'password', username: config.username ?? '', password: config.password ?? '' }
    : { ...client, grant_type: 'client_credentials' };
  return requestOAuthToken(http, { path: '/oauth_token.do', form, endpoint: 'ServiceNow /oauth_token.do', marginMs: REFRESH_MARGIN_MS });
}
