import { AppwardenError } from '../../core/errors.js';
import type { HttpClient, HttpClientOptions } from '../runtime/http-client.js';
import { obj, str } from '../runtime/json-fields.js';
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
  const form = new URLSearchParams({ client_id: config.clientId ?? '', client_secret: config.clientSecret ?? '' });
  if (config.auth === 'oauth_password') {
    form.set('grant_type', 'password');
    form.set('username', config.username ?? '');
    form.set('password', config.password ?? '');
  } else {
    form.set('grant_type', 'client_credentials');
  }
  const res = await http.request<unknown>({
    method: 'POST',
    path: '/oauth_token.do',
    rawBody: form.toString(),
    secretBody: true,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    responseType: 'json',
  });
  const body = obj(res.body);
  const token = str(body?.access_token);
  const expiresIn = Number(body?.expires_in);
  if (token === null || !Number.isFinite(expiresIn) || expiresIn <= 0) {
    throw new AppwardenError('AW_PROVIDER_RESPONSE_INVALID', '/oauth_token.do answered without access_token and expires_in', { details: { grant: config.auth } });
  }
  const lifetimeMs = expiresIn * 1000;
  return { token, expiresInMs: lifetimeMs - Math.min(REFRESH_MARGIN_MS, lifetimeMs / 10) };
}
