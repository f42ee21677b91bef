import Type, { type Static } from 'typebox';
import type { InstanceConfig } from '../../core/config.js';
import { httpsOrigin } from '../../core/https-url.js';

/** Real-Time Event Monitoring stored event objects the connector can poll by `EventDate`. */
export const REAL_TIME_EVENT_OBJECTS = [
  'LoginEvent', 'LogoutEvent', 'ApiEvent', 'ReportEvent', 'LightningUriEvent', 'UriEvent', 'ListViewEvent', 'FileEventStore',
] as const;

export const SalesforceConfigSchema = Type.Object({
  // Where tokens are asked for: https://login.salesforce.com, https://test.salesforce.com (a sandbox), or
  // the org's My Domain (which the client credentials flow requires).
  loginUrl: httpsOrigin('https://login.salesforce.com', { default: 'https://login.salesforce.com' }),
  authFlow: Type.Enum(['client_credentials', 'jwt_bearer'], { default: 'client_credentials', description: 'the OAuth 2.0 flow of the connected app' }),
  clientId: Type.String({ minLength: 1, description: 'the consumer key of the connected app' }),
  clientSecret: Type.Optional(Type.String({ minLength: 1, secret: true, description: 'the consumer secret (client credentials flow)' })),
  privateKey: Type.Optional(Type.String({ minLength: 1, secret: true, description: 'PEM private key whose certificate is uploaded to the connected app (JWT bearer flow)' })),
  username: Type.Optional(Type.String({ minLength: 1, description: 'the user the JWT bearer flow acts as (the JWT sub); with client credentials, the run-as user, for protection' })),
  apiVersion: Type.String({ pattern: '^\\d{2,3}\\.0$', default: '62.0' }),
  eventLogInterval: Type.Enum(['Hourly', 'Daily'], {
    default: 'Daily',
    description: 'EventLogFile interval read: Daily (every org) or Hourly (Event Monitoring licence; each event is in both, so one is read)',
  }),
  realTimeEvents: Type.Array(Type.Enum([...REAL_TIME_EVENT_OBJECTS]), {
    default: [], description: 'Real-Time Event Monitoring objects polled by EventDate (needs the Event Monitoring licence)',
  }),
  apiUsageShare: Type.Number({
    exclusiveMinimum: 0, maximum: 1, default: 0.5,
    description: 'share of the daily API request limit (Sforce-Limit-Info) the connector uses at full speed; past it the instance slows down',
  }),
  limitExceededPauseMs: Type.Integer({ minimum: 1000, default: 15 * 60_000, description: 'pause after REQUEST_LIMIT_EXCEEDED before trying again' }),
  batchSize: Type.Integer({ minimum: 200, maximum: 2000, default: 2000, description: 'SOQL rows per page (Sforce-Query-Options batchSize)' }),
  eventLogRowsPerPage: Type.Integer({ minimum: 1, maximum: 50_000, default: 2000, description: 'CSV rows of a log file published per page' }),
});

export type SalesforceConfig = InstanceConfig & Static<typeof SalesforceConfigSchema>;

/**
 * The shared instance settings that suit Salesforce: hourly log files are published 3 to 6 hours after
 * their hour and daily ones the next day, but the log file stream reads by the files' CreatedDate, so a
 * trailing window of minutes covers files that become visible shortly after they were created.
 */
export const SALESFORCE_INSTANCE_DEFAULTS = {
  activities: { trailingWindowMs: 30 * 60_000, initialLookbackMs: 2 * 86_400_000 },
} as const;
