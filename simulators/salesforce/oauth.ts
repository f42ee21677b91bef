/** `POST /services/oauth2/token` (client credentials, JWT bearer) and `/services/oauth2/revoke`. */
import { createHmac, randomBytes, verify, type KeyObject } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { requestBaseUrl } from '../common/http-server.js';
import { OAuthError } from './errors.js';
import type { Org } from './org.js';

export interface OAuthState {
  clientId: string;
  clientSecret: string;
  publicKey: KeyObject;
  /** The org's instance URL, named in every token answer. */
  instanceUrl: () => string;
  org: Org;
  tokens: Map<string, { userId: string; issuedAt: number }>;
  now: () => number;
  /** Token requests answered, by grant. */
  issued: Record<string, number>;
}

function jwtClaims(assertion: string, key: KeyObject): Record<string, unknown> {
  const [header, payload, signature] = assertion.split('.');
  if (!header || !payload || !signature) throw new OAuthError(400, 'invalid_grant', 'invalid assertion');
  const alg = (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: string }).alg;
  if (alg !== 'RS256') throw new OAuthError(400, 'invalid_grant', 'invalid assertion algorithm');
  if (!verify('sha256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'))) throw new OAuthError(400, 'invalid_grant', 'invalid assertion signature');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

export function registerOAuthRoutes(app: FastifyInstance, state: OAuthState): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  app.post('/services/oauth2/token', async (request, reply) => {
    const form = (request.body ?? {}) as Record<string, string>;
    let userId: string;
    try {
      if (form.grant_type === 'client_credentials') {
        if (form.client_id !== state.clientId) throw new OAuthError(400, 'invalid_client_id', 'client identifier invalid');
        if (form.client_secret !== state.clientSecret) throw new OAuthError(400, 'invalid_client', 'invalid client credentials');
        // The connected app's run-as user: the integration user.
        userId = String(state.org.users[1]!.Id);
        state.issued.client_credentials = (state.issued.client_credentials ?? 0) + 1;
      } else if (form.grant_type === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
        const claims = jwtClaims(String(form.assertion ?? ''), state.publicKey);
        if (claims.iss !== state.clientId) throw new OAuthError(400, 'invalid_client_id', 'client identifier invalid');
        const audience = String(claims.aud ?? '');
        if (audience !== requestBaseUrl(request) && audience !== state.instanceUrl()) throw new OAuthError(400, 'invalid_grant', 'audience is invalid');
        if (typeof claims.exp !== 'number' || claims.exp * 1000 < state.now()) throw new OAuthError(400, 'invalid_grant', 'expired authorization code');
        const user = state.org.users.find((u) => u.Username === claims.sub && u.IsActive === true);
        if (!user) throw new OAuthError(400, 'invalid_grant', 'user hasn\'t approved this consumer');
        userId = String(user.Id);
        state.issued.jwt_bearer = (state.issued.jwt_bearer ?? 0) + 1;
      } else {
        throw new OAuthError(400, 'unsupported_grant_type', 'grant type not supported');
      }
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      return reply.status(err.status).send({ error: err.error, error_description: err.description });
    }
    const token = `${state.org.orgId.slice(0, 15)}!${randomBytes(48).toString('base64url')}`;
    const issuedAt = String(state.now());
    state.tokens.set(token, { userId, issuedAt: state.now() });
    const instanceUrl = state.instanceUrl();
    const id = `${instanceUrl}/id/${state.org.orgId}/${userId}`;
    return reply.send({
      access_token: token, instance_url: instanceUrl, id, token_type: 'Bearer', issued_at: issuedAt, scope: 'api',
      signature: createHmac('sha256', state.clientSecret).update(id + issuedAt).digest('base64'),
    });
  });

  app.post('/services/oauth2/revoke', async (request, reply) => {
    const token = ((request.body ?? {}) as Record<string, string>).token;
    if (!token || !state.tokens.delete(token)) return reply.status(400).send({ error: 'unsupported_token_type', error_description: 'this token type is not supported' });
    return reply.status(200).send();
  });
}
