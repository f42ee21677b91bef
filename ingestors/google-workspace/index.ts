import { actionTable, connectorCapabilities, type ActivityStream, type ConnectorDefinition, type ConnectorInstance } from '../contract.js';
import { accountsStream } from './accounts-stream.js';
import { changesStream } from './changes-stream.js';
import { GoogleWorkspaceConfigSchema, type GoogleWorkspaceConfig } from './config.js';
import { CredentialProbe } from './credentials.js';
import { DirectoryClient } from './directory-client.js';
import { DriveClient } from './drive-client.js';
import { fileActions, type FileActionDeps } from './file-actions.js';
import { FileOwnerLookup } from './file-owner.js';
import { filesStream } from './files-stream.js';
import { GoogleApi } from './google-api.js';
import { obj } from '../runtime/json-fields.js';
import { isoTimeOrNever } from '../runtime/provider-time.js';
import { normalizeGoogleActivity } from './normalize-activity.js';
import { googleUnknownEventType } from './event-types.js';
import { internalDomains } from './normalize-drive.js';
import { ReportsClient } from './reports-client.js';
import { SCOPES } from './scopes.js';
import { unlicensedApplication } from './unlicensed.js';
import { userActions } from './user-actions.js';

/**
 * One activity stream per Reports API application, each with its own cursor; Google lists newest
 * first. Each record is an activity, which `normalizeGoogleActivity` turns into one event per event it holds.
 */
function activityStream(application: string, reports: ReportsClient): ActivityStream {
  return {
    name: `reports/${application}`,
    capabilities: ['activities:logon', 'activities:user', 'activities:admin'],
    permission: SCOPES.reports,
    order: 'desc',
    read: (window) => reports.activities(application, window),
    timeOf: (raw) => isoTimeOrNever(obj(obj(raw)?.id)?.time),
    // An application the tenant has no license for is not a failing stream: it is checked again rarely.
    unavailable: (err) => unlicensedApplication(application, err),
  };
}

const ACTIONS = actionTable(
  (deps: { directory: DirectoryClient; files: FileActionDeps }) => ({ ...userActions(deps.directory), ...fileActions(deps.files) }),
  {
    suspend_user: true, unsuspend_user: true, revoke_sessions: true, force_password_change: true, revoke_app_grant: true,
    remove_from_group: true, remove_privilege: true,
    remove_public_link: true, remove_permission: true, remove_external_collaborators: true, make_private: true, quarantine: true, restore_sharing: true, apply_label: true,
  },
);

export const googleWorkspace: ConnectorDefinition<GoogleWorkspaceConfig> = {
  id: 'google_workspace',
  displayName: 'Google Workspace',
  serviceIdentities: (config) => [config.adminEmail, config.clientEmail],
  configSchema: GoogleWorkspaceConfigSchema,
  capabilities: connectorCapabilities(
    ['accounts', 'groups', 'privileges', 'app_grants', 'activities:logon', 'activities:user', 'activities:admin', 'files:periodic', 'files:realtime'],
    ACTIONS,
  ),
  actions: ACTIONS,
  instanceDefaults: {
    // Google publishes most audit events within minutes, some (SAML, Calendar) within an hour or
    // "a couple of hours", and says a few come later still; re-read three hours on every poll, and
    // sweep the last day every two hours for the later ones.
    // https://support.google.com/a/answer/7061566 (Data retention and lag times)
    activities: { trailingWindowMs: 3 * 3_600_000, latenessMs: 24 * 3_600_000, lateSweepEveryMs: 2 * 3_600_000 },
    // Every Reports application re-reads that window on every poll: poll less often than the default minute.
    schedule: { activitiesEveryMs: 5 * 60_000, changesEveryMs: 60_000 },
  },
  normalizeActivity: normalizeGoogleActivity,
  unknownEventType: googleUnknownEventType,

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
      actions: ACTIONS.build({
        directory,
        files: {
          drive, owners: new FileOwnerLookup({ ...driveDeps, reports }), adminEmail: config.adminEmail, domains,
          quarantineFolderName: config.quarantineFolderName, labelIds: config.labelIds,
        },
      }),
    };
  },
};
