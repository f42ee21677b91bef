import Type, { type Static } from 'typebox';
import type { InstanceConfig } from '../../core/config.js';
import { httpsUrl } from '../../core/https-url.js';
import { REPORTS_APPLICATIONS } from './event-types.js';

const EMAIL = '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$';
const DOMAIN = '^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$';

/**
 * The Reports API applications read by default: every one the API lists (one activity stream and
 * cursor each). An application the tenant has no license for shows as that stream's state
 * `not_available` in `/v1/connectors` (not an error, tried again every `schedule.unavailableRecheckMs`);
 * list fewer in `applications` to leave it out.
 */
export const DEFAULT_APPLICATIONS: readonly string[] = REPORTS_APPLICATIONS;

export const GoogleWorkspaceConfigSchema = Type.Object({
  clientEmail: Type.String({ pattern: EMAIL, description: "the service account's client email (client_email of its JSON key)" }),
  privateKey: Type.String({ minLength: 1, secret: true, description: "the service account's PEM private key (private_key of its JSON key)" }),
  privateKeyId: Type.Optional(Type.String({ minLength: 1, description: 'private_key_id of the JSON key, sent as the JWT kid' })),
  adminEmail: Type.String({ pattern: EMAIL, description: 'the super admin the service account impersonates (the JWT sub)' }),
  customerId: Type.String({ minLength: 1, default: 'my_customer' }),
  domain: Type.String({ pattern: DOMAIN, description: "the organisation's primary domain, e.g. acme.com" }),
  additionalDomains: Type.Array(Type.String({ pattern: DOMAIN }), { default: [], description: 'other domains of the organisation (secondary domains, aliases)' }),
  tokenUrl: httpsUrl('https://oauth2.googleapis.com/token', { default: 'https://oauth2.googleapis.com/token', what: 'the OAuth token endpoint' }),
  adminBaseUrl: httpsUrl('https://admin.googleapis.com', { default: 'https://admin.googleapis.com', what: 'Admin SDK: Reports and Directory APIs' }),
  driveBaseUrl: httpsUrl('https://www.googleapis.com', { default: 'https://www.googleapis.com', what: 'Drive API v3 (under /drive/v3)' }),
  applications: Type.Array(Type.String({ pattern: '^[a-z_]+$' }), { default: [...DEFAULT_APPLICATIONS], minItems: 1 }),
  activityPageSize: Type.Integer({ minimum: 1, maximum: 1000, default: 1000 }),
  userPageSize: Type.Integer({ minimum: 1, maximum: 500, default: 500 }),
  filePageSize: Type.Integer({ minimum: 1, maximum: 1000, default: 1000 }),
  labelIds: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'Drive label ids the file scan reports (files.list includeLabels)' }),
  quarantineFolderName: Type.String({ minLength: 1, default: 'Appwarden quarantine', description: "the folder in the admin's My Drive that quarantined files are moved to" }),
});

export type GoogleWorkspaceConfig = InstanceConfig & Static<typeof GoogleWorkspaceConfigSchema>;
