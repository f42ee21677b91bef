import { actionTable, connectorCapabilities, type ConnectorDefinition, type ConnectorInstance, type CredentialCheck } from '../contract.js';
import { serviceNowActions } from './actions.js';
import { serviceNowAuth } from './auth.js';
import { checkServiceNowConfig, ServiceNowConfigSchema, type ServiceNowConfig } from './config.js';
import { normalizeServiceNowActivity } from './normalize-activity.js';
import { serviceNowUnknownEventType } from './event-types.js';
import { normalizeGroup, normalizeMembership, normalizeOAuthCredential, normalizeRoleAssignment, normalizeUser } from './normalize-accounts.js';
import { normalizeAttachment } from './normalize-files.js';
import { ACTIVITY_TABLE_SPECS, activityStream, adminGrade, readPermission, tableScan, updatedRowsStream, type TableScanSpec } from './streams.js';
import { TableClient } from './table-client.js';
import { serviceNowContinuationRefused } from './continuation.js';
import { serviceNowThrottle } from './throttle.js';

const ACTIONS = actionTable(serviceNowActions, {
  suspend_user: true, unsuspend_user: true, force_password_change: true, remove_from_group: true, remove_privilege: true, revoke_app_grant: true,
});

const CAPABILITIES = connectorCapabilities([
  'accounts', 'groups', 'privileges', 'app_grants', 'activities:logon', 'activities:user', 'activities:admin', 'files:periodic', 'files:realtime',
], ACTIONS);

const ATTACHMENT_FIELDS = ['sys_id', 'file_name', 'content_type', 'size_bytes', 'size_compressed', 'compressed', 'table_name', 'table_sys_id',
  'hash', 'state', 'sys_created_by', 'sys_created_on', 'sys_updated_by', 'sys_updated_on', 'sys_mod_count'];

export const servicenow: ConnectorDefinition<ServiceNowConfig> = {
  id: 'servicenow',
  displayName: 'ServiceNow',
  configSchema: ServiceNowConfigSchema,
  capabilities: CAPABILITIES,
  actions: ACTIONS,
  normalizeActivity: normalizeServiceNowActivity,
  unknownEventType: serviceNowUnknownEventType,
  serviceIdentities: (config) => [config.username, config.clientId].filter((v): v is string => typeof v === 'string'),

  create(ctx): ConnectorInstance {
    const { config } = ctx;
    checkServiceNowConfig(config);
    const baseUrl = config.instanceUrl.replace(/\/+$/, '');
    const zone = config.timeZone;
    let tokenClient: ReturnType<typeof ctx.http> | undefined;
    const http = ctx.http({
      baseUrl,
      ...serviceNowAuth(config, () => (tokenClient ??= ctx.http({ baseUrl, throttle: serviceNowThrottle }))),
      throttle: serviceNowThrottle,
      continuationRefused: serviceNowContinuationRefused,
    });
    const table = new TableClient(http, config.pageSize);
    const settings = { zone, instanceUrl: baseUrl };

    const accountScans: Array<TableScanSpec<string>> = [
      {
        name: 'users', table: 'sys_user', topic: 'account', capabilities: ['accounts'], kind: 'user',
        normalize: (raw, c) => normalizeUser(raw, c, settings),
        fields: ['sys_id', 'user_name', 'name', 'first_name', 'last_name', 'email', 'active', 'locked_out', 'failed_attempts', 'password_needs_reset',
          'web_service_access_only', 'internal_integration_user', 'enable_multifactor_authn', 'title', 'department', 'source', 'sso_source', 'vip',
          'last_login_time', 'sys_created_on', 'sys_created_by', 'sys_updated_on'],
      },
      {
        name: 'groups', table: 'sys_user_group', topic: 'account', capabilities: ['groups'], kind: 'group',
        normalize: (raw, c) => normalizeGroup(raw, c, settings),
        fields: ['sys_id', 'name', 'email', 'description', 'type', 'active', 'roles', 'manager', 'sys_created_on', 'sys_updated_on'],
      },
      {
        name: 'memberships', table: 'sys_user_grmember', topic: 'account', capabilities: ['groups'], kind: 'membership', displayValue: 'all',
        normalize: (raw, c) => normalizeMembership(raw, c, settings),
        fields: ['sys_id', 'user', 'group', 'sys_created_on'],
      },
      {
        name: 'privileges', table: 'sys_user_has_role', topic: 'account', capabilities: ['privileges'], kind: 'privilege', displayValue: 'all',
        normalize: (raw, c) => normalizeRoleAssignment(raw, c, settings), keep: adminGrade(config.adminRoles),
        fields: ['sys_id', 'user', 'role', 'inherited', 'granted_by', 'state', 'sys_created_on'],
      },
      {
        name: 'oauth_tokens', table: 'oauth_credential', topic: 'account', capabilities: ['app_grants'], kind: 'app_grant', displayValue: 'all',
        normalize: (raw, c) => normalizeOAuthCredential(raw, c, settings),
        fields: ['sys_id', 'user', 'peer', 'type', 'scope', 'expires', 'sys_created_on'],
      },
    ];
    const attachments = (change: 'seen' | 'updated'): TableScanSpec<string> => ({
      name: change === 'seen' ? 'attachments' : 'attachments/updated', table: 'sys_attachment', topic: 'file',
      capabilities: [change === 'seen' ? 'files:periodic' : 'files:realtime'], kind: change === 'seen' ? 'file' : 'updated',
      normalize: (raw, c) => normalizeAttachment(raw, c, settings, change), fields: ATTACHMENT_FIELDS,
    });
    const streams = { activities: ACTIVITY_TABLE_SPECS.map((spec) => activityStream(table, spec, zone)), scans: [...accountScans, attachments('seen')].map((spec) => tableScan(table, spec)) };
    const changes = [updatedRowsStream(table, attachments('updated'), zone)];

    return {
      http,
      actions: ACTIONS.build(table),
      activityStreams: streams.activities,
      snapshotStreams: streams.scans,
      changeStreams: changes,
      async checkCredentials(): Promise<CredentialCheck> {
        // The integration user's roles decide which tables it may read: probe one row of each.
        const byTable = new Map<string, Set<string>>();
        for (const s of [...streams.activities, ...streams.scans, ...changes]) {
          const tableName = s.permission.replace(/\.read$/, '');
          const set = byTable.get(tableName) ?? new Set<string>();
          for (const c of s.capabilities) set.add(c);
          byTable.set(tableName, set);
        }
        const permissions: string[] = [];
        const missing: CredentialCheck['missing'] = [];
        let authenticated = true;
        for (const [tableName, capabilities] of byTable) {
          const status = await table.probe(tableName);
          if (status === 401) authenticated = false;
          const permission = readPermission(tableName);
          if (status < 300) permissions.push(permission);
          else for (const capability of capabilities) missing.push({ capability: capability as CredentialCheck['missing'][number]['capability'], reason: `missing permission: ${permission} (HTTP ${status})`, permission });
        }
        return { ok: authenticated, permissions, missing };
      },
    };
  },
};
