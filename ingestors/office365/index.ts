import { actionTable, connectorCapabilities, type ConnectorDefinition, type ConnectorInstance } from '../contract.js';
import { office365Actions } from './actions.js';
import { AccountStream } from './account-stream.js';
import { ManagementActivityStream } from './activity-stream.js';
import { OFFICE365_INSTANCE_DEFAULTS, Office365ConfigSchema, type Office365Config } from './config.js';
import { checkOffice365Credentials } from './credentials.js';
import { DriveCatalog } from './drive-catalog.js';
import { DriveDeltaStream, FileScanStream } from './file-streams.js';
import { GraphClient } from './graph-client.js';
import { ManagementClient } from './management-client.js';
import { normalizeOffice365Activity } from './normalize-activity.js';
import { office365UnknownEventType } from './operations.js';
import { office365ContinuationRefused } from './continuation.js';
import { office365Throttle } from './throttle.js';
import { TokenSource, type Audience } from './token-source.js';

const ACTIONS = actionTable(office365Actions, {
  suspend_user: true, unsuspend_user: true, revoke_sessions: true, force_password_change: true, remove_from_group: true, remove_privilege: true,
  revoke_app_grant: true, remove_permission: true, remove_public_link: true, remove_external_collaborators: true, make_private: true,
  quarantine: true, restore_sharing: true, apply_label: true,
});

const CAPABILITIES = connectorCapabilities([
  'accounts', 'groups', 'privileges', 'app_grants', 'activities:logon', 'activities:user', 'activities:admin', 'files:periodic', 'files:realtime',
], ACTIONS);

export const office365: ConnectorDefinition<Office365Config> = {
  id: 'office365',
  displayName: 'Office 365',
  serviceIdentities: (config) => [config.clientId],
  configSchema: Office365ConfigSchema,
  capabilities: CAPABILITIES,
  actions: ACTIONS,
  instanceDefaults: OFFICE365_INSTANCE_DEFAULTS,
  normalizeActivity: normalizeOffice365Activity,
  unknownEventType: office365UnknownEventType,

  create(ctx): ConnectorInstance {
    const { config, log } = ctx;
    const trim = (url: string) => url.replace(/\/+$/, '');
    const tokens = new TokenSource({
      login: ctx.http({ baseUrl: trim(config.loginUrl) }),
      tenantId: config.tenantId,
      clientId: config.clientId,
      clientSecret: config.clientSecret,
    });
    // One client for Graph and the Management API: the instance's limits and throttling pauses cover both.
    // A request names its token's audience; Graph's unless it says `management`.
    const http = ctx.http<Audience>({
      baseUrl: `${trim(config.graphUrl)}/v1.0`,
      trustedOrigins: [trim(config.managementUrl)],
      authenticate: async (req) => ({ authorization: `Bearer ${await tokens.token(req.credential ?? 'graph')}` }),
      onUnauthorized: async () => {
        tokens.invalidate();
        return true;
      },
      throttle: office365Throttle,
      continuationRefused: office365ContinuationRefused,
    });
    const graph = new GraphClient(http, config.pageSize);
    const management = new ManagementClient(http, { managementUrl: trim(config.managementUrl), tenantId: config.tenantId, publisherId: config.publisherId ?? config.tenantId });
    const catalog = new DriveCatalog(graph, config, log.child({ stream: 'files' }));
    const canReadSignIns = () => tokens.roles('graph')?.includes('AuditLog.Read.All') ?? false;

    return {
      http,
      checkCredentials: () => checkOffice365Credentials(tokens, CAPABILITIES, config.contentTypes),
      activityStreams: config.contentTypes.map((type) => new ManagementActivityStream(type, management, log.child({ stream: `management/${type}` }))),
      snapshotStreams: [new AccountStream(graph, log.child({ stream: 'accounts' }), canReadSignIns), new FileScanStream(graph, catalog, log.child({ stream: 'files' }))],
      changeStreams: [new DriveDeltaStream(graph, catalog, log.child({ stream: 'files/delta' }))],
      actions: ACTIONS.build({ graph, catalog, quarantineFolderName: config.quarantineFolderName }),
    };
  },
};
