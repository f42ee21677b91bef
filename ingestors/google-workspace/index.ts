import type { ActivityStream, ConnectorDefinition, ConnectorInstance } from '../contract.js';
import { accountsStream } from './accounts-stream.js';
import { changesStream } from './changes-stream.js';
import { GoogleWorkspaceConfigSchema, type GoogleWorkspaceConfig } from './config.js';
import { CredentialProbe } from './credentials.js';
import { DirectoryClient } from './directory-client.js';
import { DriveClient } from './drive-client.js';
import { fileActions } from './file-actions.js';
import { FileOwnerLookup } from './file-owner.js';
import { filesStream } from './files-stream.js';
import { GoogleApi } from './google-api.js';
import { obj, time } from './json.js';
import { normalizeGoogleActivity, normalizeGoogleActivityEvent, explodeActivity, type ActivityEventItem } from './normalize-activity.js';
import { internalDomains } from './normalize-drive.js';
import { ReportsClient } from './reports-client.js';
import { SCOPES } from './scopes.js';
import { userActions } from './user-actions.js';

/** One activity stream per Reports API application, each with its own cursor; Google lists newest first. */
function activityStream(application: string, reports: ReportsClient): ActivityStream {
  return {
    name: `reports/${application}`,
    capabilities: ['activities:logon', 'activities:user', 'activities:admin'],
    permission: SCOPES.reports,
    order: 'desc',
    async *read(window) {
      for await (const activities of reports.activities(application, window)) yield activities.flatMap(explodeActivity);
    },
    timeOf: (raw) => time(obj(obj((raw as ActivityEventItem).activity)?.id)?.time),
    normalize: (raw, ctx) => normalizeGoogleActivityEvent((raw as ActivityEventItem).activity, (raw as ActivityEventItem).eventIndex, ctx),
  };
}

export const googleWorkspace: ConnectorDefinition<GoogleWorkspaceConfig> = {
  id: 'google_workspace',
  displayName: 'Google Workspace',
  serviceIdentities: (config) => [config.adminEmail, config.clientEmail],
  configSchema: GoogleWorkspaceConfigSchema,
  capabilities: [
    'accounts', 'groups', 'privileges', 'app_grants', 'activities:logon', 'activities:user', 'activities:admin', 'files:periodic', 'files:realtime',
    'action:suspend_user', 'action:unsuspend_user', 'action:revoke_sessions', 'action:force_password_change', 'action:revoke_app_grant',
    'action:remove_from_group', 'action:remove_privilege',
    'action:remove_public_link', 'action:remove_permission', 'action:remove_external_collaborators', 'action:make_private',
    'action:quarantine', 'action:restore_sharing', 'action:apply_label',
  ],
  instanceDefaults: {
    // Google publishes most audit events within minutes, some (SAML, Calendar) within an hour or
    // "a couple of hours", and says a few come later still; re-read three hours on every poll.
    // https://support.google.com/a/answer/7061566 (Data retention and lag times)
    activities: { trailingWindowMs: 3 * 3_600_000 },
    // Seven applications re-read that window on every poll: poll less often than the default minute.
    schedule: { activitiesEveryMs: 5 * 60_000, changesEveryMs: 60_000 },
  },
  normalizeActivity: normalizeGoogleActivity,

  create(ctx): ConnectorInstance {
    const { config } = ctx;
    const api = new GoogleApi(ctx);
    const reports = new ReportsClient(api, { pageSize: config.activityPageSize, customerId: config.customerId });
    const directory = new DirectoryClient(api, { customerId: config.customerId, userPageSize: config.userPageSize });
    const drive = new DriveClient(api, { pageSize: config.filePageSize, labelIds: config.labelIds });
    const probe = new CredentialProbe(api, { reports, directory, drive }, config.adminEmail);
    const domains = internalDomains(config.domain, config.additionalDomains);
    const driveDeps = { drive, directory, probe, adminEmail: config.adminEmail, domains, log: ctx.log };

    return {
      http: api.http,
      checkCredentials: () => probe.check(),
      activityStreams: config.applications.map((application) => activityStream(application, reports)),
      snapshotStreams: [accountsStream(directory, probe), filesStream(driveDeps)],
      changeStreams: [changesStream(driveDeps)],
      actions: {
        ...userActions(directory),
        ...fileActions({
          drive, owners: new FileOwnerLookup({ ...driveDeps, reports }), adminEmail: config.adminEmail, domains,
          quarantineFolderName: config.quarantineFolderName, labelIds: config.labelIds,
        }),
      },
    };
  },
};
