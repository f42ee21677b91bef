import { isAppwardenError, providerStatus } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { SnapshotKinds, SnapshotPage, SnapshotStream } from '../contract.js';
import { WHOLE_STREAM } from '../runtime/scan-sets.js';
import { arr, type Json, obj } from '../runtime/json-fields.js';
import type { GraphClient } from './graph-client.js';
import {
  normalizeGraphAppRoleAssignment, normalizeGraphGroup, normalizeGraphMembership, normalizeGraphPermissionGrant, normalizeGraphRoleMember,
  normalizeGraphUser,
} from './normalize-accounts.js';

/**
 * Runs one part of a scan; a part the credentials may not read (403) is skipped with a warning, so the
 * parts they can read still complete (checkCredentials reports the missing permission). A skipped
 * part's name is added to `skipped`, so the scan keeps what the last one saw there instead of deleting it.
 */
export async function* readablePart<T>(part: string, log: Logger, items: () => AsyncIterable<T>, skipped?: string[]): AsyncIterable<T> {
  try {
    yield* items();
  } catch (err) {
    if (isAppwardenError(err, 'AW_PROVIDER_AUTH_FAILED') && providerStatus(err) === 403) {
      log.warn({ part, err }, 'the credentials may not read this part of the tenant; skipped');
      skipped?.push(part);
      return;
    }
    throw err;
  }
}

/** The items of the directory scan; relations carry both ends (`{ group, member }`). */
const ACCOUNT_KINDS = {
  user: (raw, ctx) => normalizeGraphUser(raw, ctx),
  group: (raw, ctx) => normalizeGraphGroup(raw, ctx),
  membership: (raw, ctx) => normalizeGraphMembership(obj(raw)?.group, obj(raw)?.member, ctx),
  privilege: (raw, ctx) => normalizeGraphRoleMember(obj(raw)?.role, obj(raw)?.member, ctx),
  app_grant: (raw, ctx) => {
    const r = obj(raw) ?? {};
    return normalizeGraphPermissionGrant(r.grant, { client: obj(r.client), resource: obj(r.resource), principal: obj(r.principal) }, ctx);
  },
  app_role: (raw, ctx) => normalizeGraphAppRoleAssignment(obj(raw)?.assignment, obj(raw)?.resource, obj(obj(raw)?.client), ctx),
} satisfies SnapshotKinds;
type AccountKind = keyof typeof ACCOUNT_KINDS;

/** The entity kinds each part of the directory scan yields. */
const KINDS_OF_PART: Record<string, string[]> = {
  users: ['user'],
  groups: ['group', 'membership'],
  'directory roles': ['privilege'],
  'service principals': ['app_grant'],
  'permission grants': ['app_grant'],
  'app role assignments': ['app_grant'],
};

/**
 * The directory scan through Microsoft Graph: users, groups and their members, directory roles and their
 * members (privileges), delegated permission grants and application permissions of service principals.
 */
export class AccountStream implements SnapshotStream<AccountKind> {
  readonly name = 'accounts';
  readonly topic = 'account' as const;
  readonly kinds = ACCOUNT_KINDS;
  readonly capabilities = ['accounts', 'groups', 'privileges', 'app_grants'] as const;
  readonly permission = 'User.Read.All';

  constructor(
    private readonly graph: GraphClient,
    private readonly log: Logger,
    /** Whether the credentials may read sign-in activity (AuditLog.Read.All). */
    private readonly canReadSignIns: () => boolean,
  ) {}

  async *read(): AsyncIterable<SnapshotPage<AccountKind>> {
    const skipped: string[] = [];
    const users = new Map<string, Json>();
    for await (const page of readablePart('users', this.log, () => this.users(), skipped)) {
      for (const user of page) if (typeof user.id === 'string') users.set(user.id, user);
      yield { items: page.map((raw) => ({ kind: 'user', raw })) };
    }
    for await (const groups of readablePart('groups', this.log, () => this.graph.groups(), skipped)) {
      yield { items: groups.map((raw) => ({ kind: 'group', raw })) };
      for (const group of groups) {
        for await (const members of this.graph.groupMembers(String(group.id))) {
          yield { items: members.map((member) => ({ kind: 'membership', raw: { group, member } })) };
        }
      }
    }
    for await (const roles of readablePart('directory roles', this.log, () => this.graph.directoryRoles(), skipped)) {
      for (const role of roles) {
        for await (const members of this.graph.roleMembers(String(role.id))) {
          yield { items: members.map((member) => ({ kind: 'privilege', raw: { role, member } })) };
        }
      }
    }
    const principals = new Map<string, Json>();
    for await (const page of readablePart('service principals', this.log, () => this.graph.servicePrincipals(), skipped)) {
      for (const sp of page) if (typeof sp.id === 'string') principals.set(sp.id, sp);
    }
    for await (const grants of readablePart('permission grants', this.log, () => this.graph.permissionGrants(), skipped)) {
      const items = grants.map((grant) => ({
        kind: 'app_grant' as const,
        raw: {
          grant,
          client: principals.get(String(grant.clientId)) ?? null,
          resource: principals.get(String(grant.resourceId)) ?? null,
          principal: users.get(String(grant.principalId)) ?? null,
        },
      }));
      yield { items };
    }
    // Application permissions: assignments of the app roles an API defines, to other service principals.
    for (const resource of principals.values()) {
      if (arr(resource.appRoles).length === 0) continue;
      for await (const assignments of readablePart('app role assignments', this.log, () => this.graph.appRoleAssignedTo(String(resource.id)), skipped)) {
        const toApps = assignments.filter((a) => a.principalType === 'ServicePrincipal');
        if (toApps.length > 0) {
          yield { items: toApps.map((assignment) => ({ kind: 'app_role', raw: { assignment, resource, client: principals.get(String(assignment.principalId)) ?? null } })) };
        }
      }
    }
    if (skipped.length > 0) yield { items: [], skipped: [...new Set(skipped.flatMap((part) => KINDS_OF_PART[part] ?? [WHOLE_STREAM]))] };
  }

  private async *users(): AsyncIterable<Json[]> {
    if (!this.canReadSignIns()) {
      yield* this.graph.users({ signInActivity: false });
      return;
    }
    try {
      yield* this.graph.users({ signInActivity: true });
    } catch (err) {
      // signInActivity also needs an Entra ID P1 licence; without one Graph refuses the whole list.
      if (!(isAppwardenError(err, 'AW_PROVIDER_AUTH_FAILED') && providerStatus(err) === 403)) throw err;
      this.log.warn({ err }, 'sign-in activity is not readable (licence or AuditLog.Read.All); listing users without it');
      yield* this.graph.users({ signInActivity: false });
    }
  }
}
