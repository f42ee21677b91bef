import { actionTable, connectorCapabilities, type Capability, type ConnectorDefinition, type ConnectorInstance, type CredentialCheck, type StreamPermission } from '../contract.js';
import { salesforceActions } from './actions.js';
import { salesforceUnknownEventType } from './event-types.js';
import { accountStream, oauthTokenStream } from './accounts-stream.js';
import { soqlActivityStreams } from './activity-streams.js';
import { SalesforceApi } from './api.js';
import { salesforceThrottle } from './api-limits.js';
import { salesforceContinuationRefused } from './continuation.js';
import { SALESFORCE_INSTANCE_DEFAULTS, SalesforceConfigSchema, type SalesforceConfig } from './config.js';
import { EventLogFileStream } from './event-log-stream.js';
import { fileChangeStream, fileScanStream } from './file-streams.js';
import { normalizeSalesforceActivity } from './normalize-activity.js';
import { SalesforceSession } from './session.js';

const ACTIONS = actionTable(salesforceActions, {
  suspend_user: true, unsuspend_user: true, force_password_change: true, remove_public_link: true, revoke_app_grant: true,
});

const CAPABILITIES = connectorCapabilities([
  'accounts', 'groups', 'privileges', 'app_grants', 'activities:logon', 'activities:user', 'activities:admin', 'files:periodic', 'files:realtime',
], ACTIONS);

/** A cheap query per permission a stream declares: a refusal (403) means the permission is missing. */
const PROBES: Record<string, (config: SalesforceConfig) => string> = {
  ManageUsers: () => 'SELECT Id FROM LoginHistory LIMIT 1',
  ViewSetup: () => 'SELECT Id FROM SetupAuditTrail LIMIT 1',
  ViewEventLogFiles: () => 'SELECT Id FROM EventLogFile LIMIT 1',
  ViewAllData: () => 'SELECT Id FROM ContentDocument LIMIT 1',
  ViewRealTimeEventMonitoringData: (config) => `SELECT EventIdentifier FROM ${config.realTimeEvents[0] ?? 'LoginEvent'} LIMIT 1`,
};

export const salesforce: ConnectorDefinition<SalesforceConfig> = {
  id: 'salesforce',
  displayName: 'Salesforce',
  configSchema: SalesforceConfigSchema,
  capabilities: CAPABILITIES,
  actions: ACTIONS,
  instanceDefaults: SALESFORCE_INSTANCE_DEFAULTS,
  normalizeActivity: normalizeSalesforceActivity,
  unknownEventType: salesforceUnknownEventType,
  serviceIdentities: (config) => [config.clientId, ...(config.username ? [config.username] : [])],

  create(ctx): ConnectorInstance {
    const { config, log } = ctx;
    const loginUrl = config.loginUrl.replace(/\/+$/, '');
    // The API goes to the instance URL each token answer names; the login URL is only where tokens come from.
    const http = ctx.http({
      baseUrl: loginUrl,
      authenticate: async () => ({ authorization: `Bearer ${await session.token()}` }),
      onUnauthorized: async () => {
        session.invalidate();
        return true;
      },
      throttle: salesforceThrottle(config),
      continuationRefused: salesforceContinuationRefused,
    });
    const session = new SalesforceSession(config, ctx.http({ baseUrl: loginUrl }), http);
    const api = new SalesforceApi(http, session, config.apiVersion, config.batchSize);
    const activityStreams = [
      ...soqlActivityStreams(api, config.realTimeEvents),
      new EventLogFileStream(api, config.eventLogInterval, config.eventLogRowsPerPage, log.child({ stream: 'event_log_files' })),
    ];
    const snapshotStreams = [accountStream(api), oauthTokenStream(api), fileScanStream(api)];
    const changeStreams = [fileChangeStream(api)];
    const streams: StreamPermission[] = [...activityStreams, ...snapshotStreams, ...changeStreams];

    return {
      http,
      activityStreams,
      snapshotStreams,
      changeStreams,
      actions: ACTIONS.build({ api }),
      async checkCredentials(): Promise<CredentialCheck> {
        const permissions: string[] = [];
        const missing: CredentialCheck['missing'] = [];
        // Each permission the streams declare, probed once; what it serves is derived from the streams.
        for (const permission of [...new Set(streams.map((s) => s.permission))]) {
          const probe = PROBES[permission];
          const status = probe ? await api.probe(probe(config)) : 200;
          if (status < 300) {
            permissions.push(permission);
            continue;
          }
          const served = new Set<Capability>(streams.filter((s) => s.permission === permission).flatMap((s) => s.capabilities));
          for (const capability of served) missing.push({ capability, reason: `missing permission: ${permission} (HTTP ${status})`, permission });
        }
        return { ok: true, permissions, missing };
      },
    };
  },
};
