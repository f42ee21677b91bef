import type { FastifyInstance } from 'fastify';
import { loginError } from './api-errors.js';
import { AUDIENCES, type Api, type TokenAuthority } from './auth.js';
import type { ResolvedOffice365Options } from './options.js';

const SCOPES: Record<string, Api> = {
  [`${AUDIENCES.graph}/.default`]: 'graph',
  [`${AUDIENCES.management}/.default`]: 'management',
};

/** Entra ID's token endpoint for the client-credentials grant: `POST /{tenant}/oauth2/v2.0/token` (form-encoded). */
export function registerLoginRoute(app: FastifyInstance, options: ResolvedOffice365Options, authority: TokenAuthority, domains: readonly string[]): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))));
  });

  app.post('/:tenant/oauth2/v2.0/token', async (request) => {
    const tenant = (request.params as Record<string, string>).tenant!;
    if (tenant.toLowerCase() !== options.tenantId && !domains.includes(tenant.toLowerCase())) {
      throw loginError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
    }
    const form = (request.body ?? {}) as Record<string, string>;
    if (form.grant_type !== 'client_credentials') throw loginError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    if (form.client_id !== options.clientId) {
      throw loginError(400, 'unauthorized_client', 700016, `Application with identifier '${form.client_id ?? ''}' was not found in the directory.`);
    }
    if (form.client_secret !== options.clientSecret) {
      throw loginError(401, 'invalid_client', 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app.");
    }
    const api = SCOPES[form.scope ?? ''];
    if (api === undefined) throw loginError(400, 'invalid_scope', 1002012, `The provided value for scope ${form.scope ?? ''} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
    const { token, expiresInS } = authority.issue(api);
    return { token_type: 'Bearer', expires_in: expiresInS, ext_expires_in: expiresInS, access_token: token };
  });
}
