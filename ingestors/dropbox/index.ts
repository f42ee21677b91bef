import { providerStatus } from '../../core/errors.js';
import { actionTable, connectorCapabilities, type Capability, type ConnectorDefinition, type ConnectorInstance, type CredentialCheck } from '../contract.js';
import { parseRetryAfter } from '../runtime/backoff.js';
import { dropboxContinuationRefused } from './continuation.js';
import type { ThrottlePolicy } from '../runtime/http-client.js';
import { num, obj } from '../runtime/json-fields.js';
import { isPermissionRefusal } from '../runtime/permission-gate.js';
import { DropboxClient, DropboxTokens, type DropboxCredential } from './client.js';
import { DropboxConfigSchema, type DropboxConfig } from './config.js';
import { fileActions } from './file-actions.js';
import { FileChangeStream, FileScanStream } from './file-streams.js';
import { dropboxUnknownEventType } from './event-types.js';
import { normalizeDropboxEvent } from './normalize-activity.js';
import { TeamAccountStream, TeamLogStream } from './streams.js';
import { TeamDirectory } from './team.js';
import { userActions } from './user-actions.js';

interface ActionDeps { client: DropboxClient; team: TeamDirectory; quarantineFolder: string }

const ACTIONS = actionTable((deps: ActionDeps) => ({ ...userActions(deps.client), ...fileActions(deps) }), {
  suspend_user: true, unsuspend_user: true, revoke_sessions: true, revoke_app_grant: true,
  remove_public_link: true, remove_external_collaborators: true, make_private: true, quarantine: true, restore_sharing: true,
});

const CAPABILITIES = connectorCapabilities([
  'accounts', 'groups', 'privileges', 'app_grants', 'activities:logon', 'activities:user', 'activities:admin', 'files:periodic', 'files:realtime',
], ACTIONS);

/**
 * Dropbox throttles with 429, `Retry-After` (seconds) and a `RateLimitError` body whose reason is
 * `too_many_requests` or `too_many_write_operations` (namespace lock contention), with `retry_after`.
 */
export const dropboxThrottle: ThrottlePolicy = {
  waitMs: (res, nowMs) => {
    const header = parseRetryAfter(res.headers.get('retry-after'), nowMs);
    if (header !== undefined) return header;
    const seconds = num(obj(obj(res.body)?.error)?.retry_after);
    return seconds === null ? undefined : seconds * 1000;
  },
};

/** The probes of `checkCredentials`: one cheap read per scope the streams need. */
const PROBES: ReadonlyArray<{ scope: string; capabilities: readonly Capability[]; route: string; body: unknown; asAdmin?: boolean }> = [
  { scope: 'members.read', capabilities: ['accounts', 'privileges'], route: 'team/members/list_v2', body: { limit: 1 } },
  { scope: 'groups.read', capabilities: ['groups'], route: 'team/groups/list', body: { limit: 1 } },
  { scope: 'sessions.list', capabilities: ['app_grants'], route: 'team/linked_apps/list_members_linked_apps', body: {} },
  { scope: 'events.read', capabilities: ['activities:logon', 'activities:user', 'activities:admin'], route: 'team_log/get_events', body: { limit: 1 } },
  { scope: 'files.metadata.read', capabilities: ['files:periodic', 'files:realtime'], route: 'files/list_folder', body: { path: '', limit: 1 }, asAdmin: true },
];

/** The scope each action needs, checked against the scopes the token endpoint reports. */
const ACTION_SCOPES: Record<string, string> = {
  suspend_user: 'members.write', unsuspend_user: 'members.write', revoke_sessions: 'sessions.modify', revoke_app_grant: 'sessions.modify',
  remove_public_link: 'sharing.write', remove_external_collaborators: 'sharing.write', make_private: 'sharing.write', restore_sharing: 'sharing.write',
  quarantine: 'files.content.write',
};

export const dropbox: ConnectorDefinition<DropboxConfig> = {
  id: 'dropbox',
  displayName: 'Dropbox',
  configSchema: DropboxConfigSchema,
  capabilities: CAPABILITIES,
  actions: ACTIONS,
  serviceIdentities: (config) => (config.adminMemberId ? [config.adminMemberId] : []),
  normalizeActivity: normalizeDropboxEvent,
  unknownEventType: dropboxUnknownEventType,

  create(ctx): ConnectorInstance {
    const { config, log } = ctx;
    const baseUrl = config.apiUrl.replace(/\/+$/, '');
    const tokens = new DropboxTokens(ctx.http({ baseUrl }), config);
    const http = ctx.http<DropboxCredential>({
      baseUrl,
      continuationRefused: dropboxContinuationRefused,
      authenticate: async (req) => {
        const headers: Record<string, string> = { authorization: `Bearer ${await tokens.token()}` };
        if (req.credential && 'selectUser' in req.credential) headers['dropbox-api-select-user'] = req.credential.selectUser;
        if (req.credential && 'selectAdmin' in req.credential) headers['dropbox-api-select-admin'] = req.credential.selectAdmin;
        return headers;
      },
      // 401 expired_access_token (or a revoked token): one refresh, then the request again.
      onUnauthorized: async () => {
        tokens.invalidate();
        return true;
      },
      throttle: dropboxThrottle,
    });
    const client = new DropboxClient(http);
    const team = new TeamDirectory(client, { pageSize: config.pageSize, internalDomains: config.internalDomains, adminMemberId: config.adminMemberId });
    const files = { pageSize: config.pageSize, scanTeamFolders: config.scanTeamFolders };

    return {
      http,
      async checkCredentials(): Promise<CredentialCheck> {
        const permissions: string[] = [];
        const missing: CredentialCheck['missing'] = [];
        let ok = true;
        for (const probe of PROBES) {
          try {
            await client.rpc(probe.route, probe.body, probe.asAdmin ? { selectUser: await team.adminId() } : undefined);
            permissions.push(probe.scope);
          } catch (err) {
            if (!isPermissionRefusal(err)) {
              if (providerStatus(err) === 401) ok = false;
              else throw err;
            }
            for (const capability of probe.capabilities) missing.push({ capability, reason: `missing permission: ${probe.scope}`, permission: probe.scope });
          }
        }
        // Write scopes cannot be probed without writing: the token endpoint lists the scopes it granted.
        if (tokens.scopes !== null) {
          for (const [verb, scope] of Object.entries(ACTION_SCOPES)) {
            if (tokens.scopes.includes(scope)) permissions.push(scope);
            else missing.push({ capability: `action:${verb}` as Capability, reason: `missing permission: ${scope}`, permission: scope });
          }
        }
        return { ok, permissions: [...new Set(permissions)], missing };
      },
      activityStreams: [new TeamLogStream(client, config.pageSize)],
      snapshotStreams: [
        new TeamAccountStream(client, team, config.pageSize, log.child({ stream: 'accounts' })),
        new FileScanStream(client, team, files, log.child({ stream: 'files' })),
      ],
      changeStreams: [new FileChangeStream(client, team, files)],
      actions: ACTIONS.build({ client, team, quarantineFolder: config.quarantineFolder }),
    };
  },
};
