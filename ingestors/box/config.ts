import Type, { type Static } from 'typebox';
import type { InstanceConfig } from '../../core/config.js';
import { httpsUrl } from '../../core/https-url.js';

const DOMAIN = '^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$';

/** Box's classification template (`securityClassification-6VMVochwUWo`) and the field holding the classification's name. */
export const CLASSIFICATION_TEMPLATE = 'securityClassification-6VMVochwUWo';
export const CLASSIFICATION_KEY = 'Box__Security__Classification__Key';

export const BoxConfigSchema = Type.Object({
  authMethod: Type.Union([Type.Literal('client_credentials'), Type.Literal('jwt')], {
    default: 'client_credentials',
    description: 'Box server authentication: Client Credentials Grant, or JWT with a key pair (both with the enterprise as subject)',
  }),
  clientId: Type.String({ minLength: 1, description: "the Platform app's client id" }),
  clientSecret: Type.String({ minLength: 1, secret: true, description: "the Platform app's client secret" }),
  enterpriseId: Type.String({ pattern: '^[0-9]+$', description: 'the enterprise id (box_subject_id / the JWT sub)' }),
  jwt: Type.Optional(Type.Object({
    publicKeyId: Type.String({ minLength: 1, description: "the id Box gave the app's public key (the JWT kid)" }),
    privateKey: Type.String({ minLength: 1, secret: true, description: 'the PEM private key (encrypted with the passphrase, as Box generates it)' }),
    passphrase: Type.Optional(Type.String({ minLength: 1, secret: true, description: "the private key's passphrase" })),
  })),
  tokenUrl: httpsUrl('https://api.box.com/oauth2/token', { default: 'https://api.box.com/oauth2/token', what: 'the OAuth 2.0 token endpoint' }),
  baseUrl: httpsUrl('https://api.box.com/2.0', { default: 'https://api.box.com/2.0', what: 'the Box API (with /2.0)' }),
  domains: Type.Array(Type.String({ pattern: DOMAIN }), {
    minItems: 1, description: "the organisation's email domains: a collaborator of another domain is external",
  }),
  eventPageSize: Type.Integer({ minimum: 1, maximum: 500, default: 500 }),
  userPageSize: Type.Integer({ minimum: 1, maximum: 1000, default: 1000 }),
  itemPageSize: Type.Integer({ minimum: 1, maximum: 1000, default: 1000 }),
  quarantineFolderName: Type.String({ minLength: 1, default: 'Appwarden quarantine', description: "the folder of the service account that quarantined items are moved to" }),
  classification: Type.Optional(Type.String({ minLength: 1, description: 'the classification apply_label sets when the command names none (e.g. Confidential)' })),
});

export type BoxConfig = InstanceConfig & Static<typeof BoxConfigSchema>;
