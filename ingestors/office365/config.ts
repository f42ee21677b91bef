import Type, { type Static } from 'typebox';
import type { InstanceConfig } from '../../core/config.js';
import { httpsOrigin } from '../../core/https-url.js';

/** The Management Activity API's content types (one subscription and one activity stream each). */
export const CONTENT_TYPES = ['Audit.AzureActiveDirectory', 'Audit.Exchange', 'Audit.SharePoint', 'Audit.General', 'DLP.All'] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];

export const Office365ConfigSchema = Type.Object({
  tenantId: Type.String({ minLength: 1, description: 'the directory (tenant) id, a GUID' }),
  clientId: Type.String({ minLength: 1, description: 'the application (client) id of the app registration' }),
  clientSecret: Type.String({ minLength: 1, secret: true, description: 'a client secret of the app registration' }),
  loginUrl: httpsOrigin('https://login.microsoftonline.com', { default: 'https://login.microsoftonline.com' }),
  graphUrl: httpsOrigin('https://graph.microsoft.com', { default: 'https://graph.microsoft.com' }),
  managementUrl: httpsOrigin('https://manage.office.com', { default: 'https://manage.office.com' }),
  publisherId: Type.Optional(Type.String({ minLength: 1, description: 'PublisherIdentifier for the Management API quota; default the tenant id' })),
  contentTypes: Type.Array(Type.Union(CONTENT_TYPES.map((t) => Type.Literal(t))), { minItems: 1, default: [...CONTENT_TYPES] }),
  pageSize: Type.Integer({ minimum: 1, maximum: 999, default: 999, description: 'Graph $top for directory lists' }),
  scanOneDrive: Type.Boolean({ default: true, description: "scan every user's OneDrive" }),
  scanSharePoint: Type.Boolean({ default: true, description: "scan the document libraries of every SharePoint site" }),
  scanLabels: Type.Boolean({ default: true, description: 'read each file’s sensitivity label (one request per file)' }),
  internalDomains: Type.Array(Type.String({ minLength: 1 }), { default: [], description: "domains counted as internal besides the tenant's verified domains" }),
  quarantineFolderName: Type.String({ minLength: 1, default: 'Appwarden Quarantine', description: 'folder at the root of a drive that quarantined files are moved into' }),
});

export type Office365Config = InstanceConfig & Static<typeof Office365ConfigSchema>;

/**
 * The shared instance settings that suit Office 365: audit content is published hours late, and listed by
 * 24-hour windows at most. Microsoft promises no delivery time (core services typically 60 to 90 minutes,
 * others longer; its audit search says up to 24 hours): a sweep lists the last 24 hours every half hour
 * (blobs already fetched are not fetched again).
 * https://learn.microsoft.com/office/office-365-management-api/troubleshooting-the-office-365-management-activity-api
 */
export const OFFICE365_INSTANCE_DEFAULTS = {
  activities: {
    trailingWindowMs: 12 * 3_600_000, maxWindowMs: 24 * 3_600_000, initialLookbackMs: 7 * 86_400_000,
    latenessMs: 24 * 3_600_000, lateSweepEveryMs: 30 * 60_000,
  },
} as const;
