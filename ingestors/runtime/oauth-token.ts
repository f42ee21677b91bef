import { AppwardenError } from '../../core/errors.js';
import type { HttpClient } from './http-client.js';
import { obj, str, type Json } from './json-fields.js';
import type { IssuedToken } from './token-cache.js';

export interface OAuthTokenRequest {
  /** The token endpoint's path on the client's base URL (default: the base URL itself). */
  path?: string;
  /** The form fields (grant_type, client credentials, assertion...): sent as a secret body, never logged. */
  form: Record<string, string>;
  /** How the provider is named in errors, e.g. `the Box token endpoint`. */
  endpoint: string;
  /** Renew this long before expiry (at most a tenth of the token's lifetime). */
  marginMs: number;
  /**
   * Statuses read as an OAuth refusal with its `error` body (Box answers a refused grant 400); others
   * stay the HTTP client's errors, whose status the credential checks read.
   */
  refusals?: readonly number[];
}

/**
 * One OAuth 2.0 token request (RFC 6749 §5): a form POST answered with `access_token` and `expires_in`.
 * A refusal (`refusals`, with an OAuth `error`) is AW_PROVIDER_AUTH_FAILED naming the error; an answer
 * without a token is AW_PROVIDER_RESPONSE_INVALID. Answers the token for a `TokenCache` and the whole
 * body (scopes, instance URLs).
 */
export async function requestOAuthToken(http: HttpClient<any>, request: OAuthTokenRequest): Promise<IssuedToken & { body: Json }> {
  const res = await http.request<unknown>({
    method: 'POST', ...(request.path === undefined ? {} : { path: request.path }),
    rawBody: new URLSearchParams(request.form).toString(), secretBody: true,
    headers: { 'content-type': 'application/x-www-form-urlencoded' }, responseType: 'json', acceptStatus: request.refusals ?? [],
  });
  const body = obj(res.body) ?? {};
  const grant = request.form.grant_type ?? 'unknown';
  if (res.status !== 200) {
    // Scrubbed: a careless server echoes the request (the client secret, the assertion) in its description.
    const error = http.scrub(str(body.error) ?? `HTTP ${res.status}`);
    const description = str(body.error_description) === null ? null : http.scrub(str(body.error_description)!);
    throw new AppwardenError('AW_PROVIDER_AUTH_FAILED', `${request.endpoint} refused the ${grant} grant: ${error}${description ? ` (${description})` : ''}`, {
      details: { status: res.status, oauthError: error, grant },
    });
  }
  const token = str(body.access_token);
  const expiresIn = Number(body.expires_in);
  if (token === null || !Number.isFinite(expiresIn) || expiresIn <= 0) {
    throw new AppwardenError('AW_PROVIDER_RESPONSE_INVALID', `${request.endpoint} answered without access_token and expires_in`, { details: { grant } });
  }
  const lifetimeMs = expiresIn * 1000;
  return { token, expiresInMs: lifetimeMs - Math.min(request.marginMs, lifetimeMs / 10), body };
}
