import Type, { type Static } from 'typebox';
import type { InstanceConfig } from '../../core/config.js';
import { httpsOrigin } from '../../core/https-url.js';

export const OktaConfigSchema = Type.Object({
  orgUrl: httpsOrigin('https://acme.okta.com'),
  token: Type.String({ minLength: 1, secret: true, description: 'an API token (sent as SSWS)' }),
  logPageSize: Type.Integer({ minimum: 1, maximum: 1000, default: 1000 }),
  userPageSize: Type.Integer({ minimum: 1, maximum: 200, default: 200 }),
});

export type OktaConfig = InstanceConfig & Static<typeof OktaConfigSchema>;
