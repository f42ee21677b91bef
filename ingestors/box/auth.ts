import { requestOAuthToken } from '../runtime/oauth-token.js';
import { createPrivateKey, randomBytes } from 'node:crypto';
import { signJwt } from '../runtime/jwt.js';
import { AppwardenError } from '../../core/errors.js';
import type { HttpClient } from '../runtime/http-client.js';
import { TokenCache } from '../runtime/token-cache.js';
import type { BoxConfig } from './config.js';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Box refuses an assertion whose `exp` is more than 60 seconds ahead. */
const ASSERTION_LIFETIME_S = 45;
const REFRESH_MARGIN_MS = 5 * 60_000;

type Credentials = Pick<BoxConfig, 'authMethod' | 'clientId' | 'clientSecret' | 'enterpriseId' | 'jwt' | 'tokenUrl'>;

/**
 * Signs Box's JWT assertion (RS256): the app (`iss`) asks for a token of the enterprise's service
 * account (`sub`, `box_sub_type: enterprise`) at the token URL (`aud`), with a unique `jti`.
 */
export function jwtAssertion(credentials: Credentials, nowMs: number = Date.now()): string {
  const jwt = credentials.jwt;
  if (!jwt) throw new AppwardenError('AW_CONFIG_INVALID', 'authMethod jwt needs jwt.publicKeyId and jwt.privateKey', { details: { field: 'jwt' } });
  let key;
  try {
    key = createPrivateKey({ key: jwt.privateKey, format: 'pem', ...(jwt.passphrase ? { passphrase: jwt.passphrase } : {}) });
  } catch (cause) {
    throw new AppwardenError('AW_CONFIG_INVALID', 'jwt.privateKey cannot be read (a PEM key, with its passphrase when it is encrypted)', { cause, details: { field: 'jwt.privateKey' } });
  }
  const now = Math.floor(nowMs / 1000);
  return signJwt({
    iss: credentials.clientId, sub: credentials.enterpriseId, box_sub_type: 'enterprise', aud: credentials.tokenUrl,
    jti: randomBytes(32).toString('base64url'), exp: now + ASSERTION_LIFETIME_S,
  }, key, jwt.publicKeyId);
}

/**
 * Access tokens of the app's service account, by Client Credentials Grant or JWT (both ask for the
 * enterprise as subject), cached until shortly before they expire (Box: 60 minutes) and dropped on a 401.
 */
export class BoxTokens {
  readonly #cache = new TokenCache(() => this.#issue(), 0);

  constructor(private readonly credentials: Credentials, private readonly http: HttpClient) {}

  token(): Promise<string> {
    return this.#cache.get();
  }

  invalidate(): void {
    this.#cache.invalidate();
  }

  async #issue(): Promise<{ token: string; expiresInMs: number }> {
    const c = this.credentials;
    const form: Record<string, string> = c.authMethod === 'jwt'
      ? { grant_type: JWT_BEARER, assertion: jwtAssertion(c), client_id: c.clientId, client_secret: c.clientSecret }
      : { grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret, box_subject_type: 'enterprise', box_subject_id: c.enterpriseId };
    // Box answers a refused grant with 400 (invalid_client, invalid_grant, unauthorized_client) and an OAuth error body.
    return requestOAuthToken(this.http, { form, endpoint: 'the Box token endpoint', marginMs: REFRESH_MARGIN_MS, refusals: [400, 401] });
  }
}
