import Type, { type Static } from 'typebox';
import type { InstanceConfig } from '../../core/config.js';

export const OktaConfigSchema = Type.Object({
  orgUrl: Type.String({ pattern: '^https?://[^\\s/]+(:\\d+)?/?$', description: 'the org URL, e.g. https://acme.okta.com' }),
  token: Type.String({ minLength: 1, secret: true, description: 'an API token (sent as SSWS)' }),
  logPageSize: Type.Integer({ minimum: 1, maximum: 1000, default: 1000 }),
  userPageSize: Type.Integer({ minimum: 1, maximum: 200, default: 200 }),
});

export type OktaConfig = InstanceConfig & Static<typeof OktaConfigSchema>;
