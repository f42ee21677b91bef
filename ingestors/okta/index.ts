import { AppwardenError } from '../../core/errors.js';
import type { ConnectorDefinition, ConnectorInstance, CredentialCheck, SnapshotItem, SnapshotPage } from '../contract.js';
import { headerBudgetThrottle } from '../runtime/http-client.js';
import { OKTA_ACTION_VERBS, oktaActions } from './actions.js';
import { OktaClient } from './client.js';
import { OktaConfigSchema, type OktaConfig } from './config.js';
import {
  normalizeOktaGrant, normalizeOktaGroup, normalizeOktaGroupRoleAssignment, normalizeOktaLogEvent, normalizeOktaMembership,
  normalizeOktaRoleAssignment, normalizeOktaUser,
} from './normalize.js';

type Json = Record<string, unknown>;

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
  capabilities: [
    'accounts', 'groups', 'privileges', 'app_grants', 'activities:logon', 'activities:user', 'activities:admin',
    ...OKTA_ACTION_VERBS.map((verb) => `action:${verb}` as const),
  ],
  normalizeActivity: normalizeOktaLogEvent,

  create(ctx): ConnectorInstance {
    const { config } = ctx;
    const http = ctx.http({
      baseUrl: config.orgUrl.replace(/\/$/, ''),
      authenticate: () => ({ authorization: `SSWS ${config.token}` }),
      throttle: oktaThrottle,
    });
    const client = new OktaClient(http, { logs: config.logPageSize, users: config.userPageSize });
    // What the last credential check found readable; the account scan leaves out the groups it may not read.
    let granted: ReadonlySet<string> | null = null;

    return {
      http,
      actions: oktaActions(http),
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
        timeOf: (raw) => {
          const published = (raw as Json | null)?.published;
          const t = typeof published === 'string' ? Date.parse(published) : NaN;
          return Number.isFinite(t) ? t : null;
        },
        normalize: normalizeOktaLogEvent,
      }],
      snapshotStreams: [{
        name: 'accounts',
        topic: 'account',
        capabilities: ['accounts', 'groups', 'privileges', 'app_grants'],
        permission: 'okta.users.read',
        async *read(): AsyncIterable<SnapshotPage> {
          for await (const users of client.users()) {
            const items: SnapshotItem[] = users.map((raw) => ({ kind: 'user', raw }));
            // Roles and grants are per user; the instance's HTTP queue bounds the concurrency.
            const details = await Promise.all((users as Json[]).map(async (user) => {
              const id = String(user.id);
              const [roles, grants] = await Promise.all([client.userRoles(id), client.userGrants(id)]);
              return [
                ...roles.map((role) => ({ kind: 'privilege', raw: { user, role } })),
                ...grants.map((grant) => ({ kind: 'app_grant', raw: { user, grant } })),
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
                ...groups.map((raw) => ({ kind: 'group', raw })),
                ...(groups as Json[]).flatMap((group, i) => groupRoles[i]!.map((role) => ({ kind: 'group_privilege', raw: { group, role } }))),
              ],
            };
            for (const group of groups as Json[]) {
              for await (const members of client.groupMembers(String(group.id))) {
                yield { items: members.map((user) => ({ kind: 'membership', raw: { group, user } })) };
              }
            }
          }
        },
        normalize(item, ctx) {
          const raw = item.raw as Json;
          switch (item.kind) {
            case 'user': return normalizeOktaUser(raw, ctx);
            case 'group': return normalizeOktaGroup(raw, ctx);
            case 'membership': return normalizeOktaMembership(raw.group, raw.user, ctx);
            case 'privilege': return normalizeOktaRoleAssignment(raw.user, raw.role, ctx);
            case 'group_privilege': return normalizeOktaGroupRoleAssignment(raw.group, raw.role, ctx);
            case 'app_grant': return normalizeOktaGrant(raw.user, raw.grant, ctx);
            default: throw new AppwardenError('AW_NORMALIZE_FAILED', `unknown Okta snapshot item kind ${item.kind}`, { details: { field: 'kind' } });
          }
        },
      }],
    };
  },
};
