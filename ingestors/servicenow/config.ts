import Type, { type Static } from 'typebox';
import { AppwardenError } from '../../core/errors.js';
import type { InstanceConfig } from '../../core/config.js';
import { httpsOrigin } from '../../core/https-url.js';
import { assertTimeZone } from '../runtime/provider-time.js';

/** How the connector signs in: basic auth, or an OAuth token from `/oauth_token.do` (password or client credentials grant). */
export const AUTH_MODES = ['basic', 'oauth_password', 'oauth_client_credentials'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** Roles that make a user an administrator of the instance: their assignments are the `privilege` records. */
export const DEFAULT_ADMIN_ROLES = ['admin', 'security_admin', 'user_admin', 'oauth_admin', 'impersonator', 'web_service_admin'];

export const ServiceNowConfigSchema = Type.Object({
  instanceUrl: httpsOrigin('https://acme.service-now.com'),
  auth: Type.Union(AUTH_MODES.map((m) => Type.Literal(m)), { default: 'basic', description: 'basic, oauth_password or oauth_client_credentials' }),
  username: Type.Optional(Type.String({ minLength: 1, description: 'the integration user (basic and oauth_password)' })),
  password: Type.Optional(Type.String({ minLength: 1, secret: true, description: "the integration user's password (basic and oauth_password)" })),
  clientId: Type.Optional(Type.String({ minLength: 1, description: 'the OAuth application registry client id (oauth_*)' })),
  clientSecret: Type.Optional(Type.String({ minLength: 1, secret: true, description: 'the OAuth client secret (oauth_*)' })),
  timeZone: Type.String({
    minLength: 1, default: 'UTC',
    description: "the IANA time zone the instance writes its times in for the integration user (its system time zone, or the user's): every time without a zone is read in it, and the queries' times are written in it",
  }),
  pageSize: Type.Integer({ minimum: 1, maximum: 10000, default: 1000, description: 'sysparm_limit of every list read' }),
  adminRoles: Type.Array(Type.String({ minLength: 1 }), { default: DEFAULT_ADMIN_ROLES, description: 'role names whose assignments are admin privileges' }),
});

export type ServiceNowConfig = InstanceConfig & Static<typeof ServiceNowConfigSchema>;

/** Refuses settings the schema cannot: credentials missing for the auth mode, an unknown time zone. */
export function checkServiceNowConfig(config: ServiceNowConfig): void {
  const problems: string[] = [];
  const needs = (key: 'username' | 'password' | 'clientId' | 'clientSecret') => {
    if (!config[key]) problems.push(`${key}: required with auth ${config.auth}`);
  };
  if (config.auth !== 'oauth_client_credentials') { needs('username'); needs('password'); }
  if (config.auth !== 'basic') { needs('clientId'); needs('clientSecret'); }
  try {
    assertTimeZone(config.timeZone);
  } catch {
    problems.push(`timeZone: ${config.timeZone} is not an IANA time zone`);
  }
  if (problems.length > 0) {
    throw new AppwardenError('AW_CONFIG_INVALID', `invalid ServiceNow settings: ${problems.join('; ')}`, { details: { problems } });
  }
}
