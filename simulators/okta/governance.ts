import type { Clock } from '../common/clock.js';
import { isoString } from '../common/json.js';
import type { Directory, OktaGrant, OktaUser, UserStatus } from './directory.js';
import type { KindName } from './event-kinds.js';
import { oktaErrors } from './okta-errors.js';
import type { SystemLog } from './system-log.js';
import type { UserLookup } from './user-lookup.js';

export type LifecycleOperation = 'suspend' | 'unsuspend' | 'deactivate' | 'unlock' | 'expire_password' | 'reset_factors';

interface Transition {
  /** Statuses the operation is allowed from. */
  from: readonly UserStatus[];
  /** The status afterwards; absent when the status does not change. */
  to?: UserStatus;
  kind: KindName;
  refusal: string;
}

// Which status each lifecycle call needs, per Okta's User Lifecycle reference.
const TRANSITIONS: Record<LifecycleOperation, Transition> = {
  suspend: { from: ['ACTIVE'], to: 'SUSPENDED', kind: 'suspend', refusal: 'Cannot suspend a user that is not active' },
  unsuspend: { from: ['SUSPENDED'], to: 'ACTIVE', kind: 'unsuspend', refusal: 'Cannot unsuspend a user that is not suspended' },
  deactivate: { from: ['STAGED', 'PROVISIONED', 'ACTIVE', 'RECOVERY', 'PASSWORD_EXPIRED', 'LOCKED_OUT', 'SUSPENDED'], to: 'DEPROVISIONED', kind: 'deactivate', refusal: 'Cannot deactivate a user that is already deprovisioned' },
  unlock: { from: ['LOCKED_OUT'], to: 'ACTIVE', kind: 'unlock', refusal: 'Cannot unlock a user that is not locked out' },
  expire_password: { from: ['ACTIVE', 'PASSWORD_EXPIRED', 'RECOVERY'], to: 'PASSWORD_EXPIRED', kind: 'expire-password', refusal: 'Cannot expire the password of a user that is not active' },
  reset_factors: { from: ['ACTIVE', 'PASSWORD_EXPIRED', 'RECOVERY', 'LOCKED_OUT', 'SUSPENDED'], kind: 'reset-factors', refusal: 'Cannot reset the factors of a user that is not active' },
};

export const LIFECYCLE_OPERATIONS = Object.keys(TRANSITIONS) as LifecycleOperation[];

/**
 * The governance calls: each one changes the org's state and leaves the matching System Log event, so
 * its effect shows in the next scan and the next poll. Refusals and unknown ids throw `OktaApiError`.
 */
export class Governance {
  constructor(
    private readonly directory: Directory,
    private readonly users: UserLookup,
    private readonly systemLog: SystemLog,
    private readonly clock: Clock,
  ) {}

  private user(idOrLogin: string) {
    return this.users.get(idOrLogin);
  }

  lifecycle(operation: LifecycleOperation, idOrLogin: string): OktaUser {
    const { user, index } = this.user(idOrLogin);
    const transition = TRANSITIONS[operation];
    if (!transition.from.includes(user.status)) throw oktaErrors.validation(operation.replace('_', ' '), [transition.refusal]);
    const now = isoString(this.clock.now());
    if (transition.to && transition.to !== user.status) {
      user.status = transition.to;
      user.statusChanged = now;
    }
    user.lastUpdated = now;
    if (operation === 'reset_factors') this.directory.factors.delete(user.id);
    this.systemLog.emit(transition.kind, { subject: index, requestUri: `/api/v1/users/${user.id}/lifecycle/${operation}` });
    return user;
  }

  /**
   * `DELETE /api/v1/users/{id}` as Okta does it: a user not yet deprovisioned is deactivated; a
   * deprovisioned one is deleted for good, with its memberships, roles, grants and factors.
   */
  deleteUser(idOrLogin: string): void {
    const { user, index } = this.user(idOrLogin);
    if (user.status !== 'DEPROVISIONED') {
      this.lifecycle('deactivate', user.id);
      return;
    }
    this.directory.deleted.add(user.id);
    for (const members of this.directory.memberships.values()) members.delete(user.id);
    for (const map of [this.directory.userRoles, this.directory.grants, this.directory.factors]) map.delete(user.id);
    this.systemLog.emit('delete', { subject: index, requestUri: `/api/v1/users/${user.id}` });
  }

  clearSessions(idOrLogin: string, oauthTokens: boolean): void {
    const { user, index } = this.user(idOrLogin);
    this.systemLog.emit('clear-sessions', { subject: index, requestUri: `/api/v1/users/${user.id}/sessions`, extra: { oauthTokens: String(oauthTokens) } });
  }

  /** Revokes one grant (`grantId`) or all of the user's grants; one event per grant revoked. */
  revokeGrants(idOrLogin: string, grantId?: string): void {
    const { user, index } = this.user(idOrLogin);
    const grants = this.directory.grants.get(user.id) ?? [];
    let revoked: OktaGrant[];
    if (grantId === undefined) {
      revoked = grants;
      this.directory.grants.delete(user.id);
    } else {
      const grant = grants.find((g) => g.id === grantId);
      if (!grant) throw oktaErrors.notFound(grantId, 'OAuth2ScopeConsentGrant');
      revoked = [grant];
      this.directory.grants.set(user.id, grants.filter((g) => g !== grant));
    }
    const uri = `/api/v1/users/${user.id}/grants${grantId === undefined ? '' : `/${grantId}`}`;
    for (const grant of revoked) {
      const app = this.directory.apps.findIndex((a) => a.clientId === grant.clientId);
      this.systemLog.emit('revoke-grant', { subject: index, app: Math.max(app, 0), requestUri: uri, extra: { grantId: grant.id, scopeId: grant.scopeId } });
    }
  }

  removeFromGroup(groupId: string, userId: string): void {
    const groupIndex = this.directory.groups.findIndex((g) => g.id === groupId);
    const group = this.directory.groups[groupIndex];
    if (!group) throw oktaErrors.notFound(groupId, 'UserGroup');
    const { user, index } = this.user(userId);
    if (group.type === 'BUILT_IN') throw oktaErrors.validation('group membership', ['Cannot remove users from a built-in group']);
    const members = this.directory.memberships.get(group.id)!;
    // Removing a non-member is a no-op, answered 204 like a removal.
    if (!members.delete(user.id)) return;
    group.lastMembershipUpdated = isoString(this.clock.now());
    this.systemLog.emit('group-remove', { subject: index, group: groupIndex, requestUri: `/api/v1/groups/${group.id}/users/${user.id}` });
  }

  /** Removes a role assigned to the user directly (group-assigned roles are removed from the group). */
  removeRole(idOrLogin: string, roleAssignmentId: string): void {
    const { user, index } = this.user(idOrLogin);
    const roles = this.directory.userRoles.get(user.id) ?? [];
    const role = roles.find((r) => r.id === roleAssignmentId);
    if (!role) throw oktaErrors.notFound(roleAssignmentId, 'RoleAssignment');
    const rest = roles.filter((r) => r !== role);
    if (rest.length === 0) this.directory.userRoles.delete(user.id);
    else this.directory.userRoles.set(user.id, rest);
    this.systemLog.emit('revoke-role', { subject: index, requestUri: `/api/v1/users/${user.id}/roles/${role.id}`, extra: { privilegeRevoked: role.type } });
  }
}
