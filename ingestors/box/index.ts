import { actionTable, connectorCapabilities, type ActivityStream, type ConnectorDefinition, type ConnectorInstance, type TimeWindow } from '../contract.js';
import { obj } from '../runtime/json-fields.js';
import { isoTime } from '../runtime/provider-time.js';
import { accountsStream } from './accounts-stream.js';
import { BoxApi } from './api.js';
import { changesStream } from './changes-stream.js';
import { BoxClient } from './client.js';
import { BoxConfigSchema, type BoxConfig } from './config.js';
import { CredentialProbe, PERMISSIONS } from './credentials.js';
import { ExternalCollaborators } from './external-collaborators.js';
import { fileActions, type FileActionDeps } from './file-actions.js';
import { filesStream } from './files-stream.js';
import { ItemLookup } from './item-lookup.js';
import { boxUnknownEventType } from './event-types.js';
import { normalizeBoxEvent } from './normalize-event.js';
import { userActions, type UserActionDeps } from './user-actions.js';

/** Box takes whole seconds: the window is widened to them, and records outside it are left to the neighbouring windows. */
function boxTime(ms: number, round: (x: number) => number): string {
  return new Date(round(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * Enterprise events of a time window (`stream_type=admin_logs`, `created_after`/`created_before`),
 * chronological, paged with `stream_position` until a page comes back empty.
 */
function adminLogs(client: BoxClient): ActivityStream {
  const timeOf = (raw: unknown) => isoTime(obj(raw)?.created_at);
  return {
    name: 'events/admin_logs',
    capabilities: ['activities:logon', 'activities:user', 'activities:admin'],
    permission: PERMISSIONS.events,
    timeOf,
    async *read(window: TimeWindow, signal) {
      const base = { stream_type: 'admin_logs', created_after: boxTime(window.since, Math.floor), created_before: boxTime(window.until, Math.ceil), limit: client.eventPageSize };
      let position: string | undefined;
      for (let page = 0; page < 100_000 && !signal.aborted; page++) {
        const { entries, nextPosition } = await client.api.events({ ...base, ...(position === undefined ? {} : { stream_position: position }) });
        if (entries.length === 0) return;
        const inWindow = entries.filter((e) => {
          const t = timeOf(e);
          // A record without a usable time goes on, to fail normalization as a dead letter.
          return t === null || (t >= window.since && t < window.until);
        });
        if (inWindow.length > 0) yield inWindow;
        if (nextPosition === position) return;
        position = nextPosition;
      }
    },
  };
}

const ACTIONS = actionTable(
  (deps: { users: UserActionDeps; files: FileActionDeps }) => ({ ...userActions(deps.users), ...fileActions(deps.files) }),
  {
    suspend_user: true, unsuspend_user: true, revoke_sessions: true,
    remove_public_link: true, remove_external_collaborators: true, make_private: true, quarantine: true, restore_sharing: true, apply_label: true,
  },
);

export const box: ConnectorDefinition<BoxConfig> = {
  id: 'box',
  displayName: 'Box',
  configSchema: BoxConfigSchema,
  capabilities: connectorCapabilities(
    ['accounts', 'groups', 'privileges', 'activities:logon', 'activities:user', 'activities:admin', 'files:periodic', 'files:realtime'],
    ACTIONS,
  ),
  actions: ACTIONS,
  instanceDefaults: {
    // admin_logs is the higher-latency enterprise stream: re-read an hour on every poll for late records.
    activities: { trailingWindowMs: 3_600_000 },
  },
  normalizeActivity: normalizeBoxEvent,
  unknownEventType: boxUnknownEventType,

  create(ctx): ConnectorInstance {
    const { config } = ctx;
    const api = new BoxApi(ctx);
    const client = new BoxClient(api, { users: config.userPageSize, items: config.itemPageSize, events: config.eventPageSize });
    const probe = new CredentialProbe(client);
    const domains = new Set(config.domains.map((d) => d.toLowerCase()));
    const externals = new ExternalCollaborators(domains);
    return {
      http: api.http,
      checkCredentials: () => probe.check(),
      activityStreams: [adminLogs(client)],
      snapshotStreams: [accountsStream(client, probe, externals), filesStream({ client, probe, externals, domains, log: ctx.log })],
      changeStreams: [changesStream(client, domains, ctx.log)],
      actions: ACTIONS.build({
        users: { client, probe },
        files: { client, probe, items: new ItemLookup(client, probe), domains, quarantineFolderName: config.quarantineFolderName, classification: config.classification },
      }),
    };
  },
};
