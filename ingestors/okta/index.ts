import { actionTable, connectorCapabilities, type ConnectorDefinition, type ConnectorInstance, type CredentialCheck, type SnapshotItem, type SnapshotKinds, type SnapshotPage } from '../contract.js';
import { oktaContinuationRefused } from './continuation.js';
import { headerBudgetThrottle, type HttpClient } from '../runtime/http-client.js';
import { obj, type Json } from '../runtime/json-fields.js';
import { isoTime } from '../runtime/provider-time.js';
import { oktaActions } from './actions.js';
import { OktaClient } from './client.js';
import { OktaConfigSchema, type OktaConfig } from './config.js';
import { oktaUnknownEventType } from './event-types.js';
import {
  normalizeOktaGrant, normalizeOktaGroup, normalizeOktaGroupRoleAssignment, normalizeOktaMembership, normalizeOktaRoleAssignment, normalizeOktaUser,
} from './normalize-accounts.js';
import { normalizeOktaLogEvent } from './normalize-activity.js';

/** The items of the accounts scan; pairs carry both ends (`{ group, user }`) since Okta lists them from one side. */
const ACCOUNT_KINDS = {
  user: (raw, ctx) => normalizeOktaUser(raw, ctx),
  group: (raw, ctx) => normalizeOktaGroup(raw, ctx),
  membership: (raw, ctx) => normalizeOktaMembership(obj(raw)?.group, obj(raw)?.user, ctx),
  privilege: (raw, ctx) => normalizeOktaRoleAssignment(obj(raw)?.user, obj(raw)?.role, ctx),
  group_privilege: (raw, ctx) => normalizeOktaGroupRoleAssignment(obj(raw)?.group, obj(raw)?.role, ctx),
  app_grant: (raw, ctx) => normalizeOktaGrant(obj(raw)?.user, obj(raw)?.grant, ctx),
} satisfies SnapshotKinds;
type AccountItem = SnapshotItem<keyof typeof ACCOUNT_KINDS>;

const ACTIONS = actionTable((http: HttpClient) => oktaActions(http), {
  suspend_user: true, unsuspend_user: true, force_password_change: true, revoke_sessions: true, remove_from_group: true, remove_privilege: true,
  reset_mfa: true, revoke_app_grant: true,
});

// Okta answers 429 and publishes its budget in X-Rate-Limit-* (reset in UTC epoch seconds); it sends no Retry-After.
// https://developer.okta.com/docs/reference/rl-best-practices/
const oktaThrottle = headerBudgetThrottle({
  limit: 'x-rate-limit-limit',
  remaining: 'x-rate-limit-remaining',
  reset: 'x-rate-limit-reset',
  resetUnit: 'epoch-seconds',
});

export const okta: ConnectorDefinition<OktaConfig> = {
  id: 'okta',
  displayName: 'Okta',
  configSchema: OktaConfigSchema,
  capabilities: connectorCapabilities(['accounts', 'groups', 'privileges', 'app_grants', 'activities:logon', 'activities:user', 'activities:admin'], ACTIONS),
  actions: ACTIONS,
  normalizeActivity: normalizeOktaLogEvent,
  unknownEventType: oktaUnknownEventType,

  create(ctx): ConnectorInstance {
    const { config } = ctx;
    const http = ctx.http({
      baseUrl: config.orgUrl.replace(/\/$/, ''),
      authenticate: () => ({ authorization: `SSWS ${config.token}` }),
      throttle: oktaThrottle,
      continuationRefused: oktaContinuationRefused,
    });
    const client = new OktaClient(http, { logs: config.logPageSize, users: config.userPageSize });
    // What the last credential check found readable; the account scan leaves out the groups it may not read.
    let granted: ReadonlySet<string> | null = null;

    return {
      http,
      actions: ACTIONS.build(http),
      async checkCredentials(): Promise<CredentialCheck> {
        // An API token carries its admin's permissions; probe what the connector reads.
        const probes = [
          { path: '/api/v1/users', permission: 'okta.users.read', capabilities: ['accounts', 'privileges', 'app_grants'] as const },
          { path: '/api/v1/groups', permission: 'okta.groups.read', capabilities: ['groups'] as const },
          { path: '/api/v1/logs', permission: 'okta.logs.read', capabilities: ['activities:logon', 'activities:user', 'activities:admin'] as const },
        ];
        const permissions: string[] = [];
        const missing: CredentialCheck['missing'] = [];
        let authenticated = true;
        for (const probe of probes) {
          const status = await client.probe(probe.path);
          if (status === 401) authenticated = false;
          if (status < 300) permissions.push(probe.permission);
          else for (const capability of probe.capabilities) missing.push({ capability, reason: `missing permission: ${probe.permission} (HTTP ${status})` });
        }
        granted = new Set(permissions);
        return { ok: authenticated, permissions, missing };
      },
      activityStreams: [{
        name: 'system_log',
        capabilities: ['activities:logon', 'activities:user', 'activities:admin'],
        permission: 'okta.logs.read',
        read: (window) => client.logs(window),
        timeOf: (raw) => isoTime(obj(raw)?.published),
      }],
      snapshotStreams: [{
        name: 'accounts',
        topic: 'account',
        kinds: ACCOUNT_KINDS,
        capabilities: ['accounts', 'groups', 'privileges', 'app_grants'],
        permission: 'okta.users.read',
        async *read(): AsyncIterable<SnapshotPage<keyof typeof ACCOUNT_KINDS>> {
          for await (const users of client.users()) {
            const items: AccountItem[] = users.map((raw) => ({ kind: 'user', raw }));
            // Roles and grants are per user; the instance's HTTP queue bounds the concurrency.
            const details = await Promise.all((users as Json[]).map(async (user) => {
              const id = String(user.id);
              const [roles, grants] = await Promise.all([client.userRoles(id), client.userGrants(id)]);
              return [
                ...roles.map((role): AccountItem => ({ kind: 'privilege', raw: { user, role } })),
                ...grants.map((grant): AccountItem => ({ kind: 'app_grant', raw: { user, grant } })),
              ];
            }));
            yield { items: [...items, ...details.flat()] };
          }
          if (granted !== null && !granted.has('okta.groups.read')) {
            // Groups cannot be read: what the last complete scan saw of them is kept, not deleted.
            yield { items: [], skipped: ['group', 'membership', 'privilege'] };
            return;
          }
          for await (const groups of client.groups()) {
            // A role assigned to a group is a privilege of the group; its members' own role lists show it too.
            const groupRoles = await Promise.all((groups as Json[]).map((group) => client.groupRoles(String(group.id))));
            yield {
              items: [
                ...groups.map((raw): AccountItem => ({ kind: 'group', raw })),
                ...(groups as Json[]).flatMap((group, i) => groupRoles[i]!.map((role): AccountItem => ({ kind: 'group_privilege', raw: { group, role } }))),
              ],
            };
            for (const group of groups as Json[]) {
              for await (const members of client.groupMembers(String(group.id))) {
                yield { items: members.map((user): AccountItem => ({ kind: 'membership', raw: { group, user } })) };
              }
            }
          }
        },
      }],
    };
  },
};
