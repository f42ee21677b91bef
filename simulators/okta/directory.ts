export type UserStatus = 'STAGED' | 'PROVISIONED' | 'ACTIVE' | 'RECOVERY' | 'PASSWORD_EXPIRED' | 'LOCKED_OUT' | 'SUSPENDED' | 'DEPROVISIONED';

/** An Okta user as `GET /api/v1/users/{id}` returns it, without `_links` (added per request). */
export interface OktaUser {
  id: string;
  status: UserStatus;
  created: string;
  activated: string | null;
  statusChanged: string | null;
  lastLogin: string | null;
  lastUpdated: string;
  passwordChanged: string | null;
  type: { id: string };
  profile: {
    firstName: string;
    lastName: string;
    mobilePhone: string | null;
    secondEmail: string | null;
    login: string;
    email: string;
  };
  credentials: {
    emails: { value: string; status: 'VERIFIED'; type: 'PRIMARY' }[];
    provider: { type: 'OKTA'; name: 'OKTA' };
  };
}

/** An Okta group, without `_links`. The org always has the built-in `Everyone` group. */
export interface OktaGroup {
  id: string;
  created: string;
  lastUpdated: string;
  lastMembershipUpdated: string;
  objectClass: string[];
  type: 'OKTA_GROUP' | 'BUILT_IN';
  profile: { name: string; description: string };
}

/** A standard admin role assigned to a user (directly, or through a group). */
export interface OktaRoleAssignment {
  id: string;
  label: string;
  type: string;
  status: 'ACTIVE' | 'INACTIVE';
  created: string;
  lastUpdated: string;
  assignmentType: 'USER' | 'GROUP';
}

/** A user's consent grant to an app for one scope (Okta's OAuth2ScopeConsentGrant), without `issuer` and `_links`. */
export interface OktaGrant {
  id: string;
  status: 'ACTIVE' | 'REVOKED';
  created: string;
  createdBy: { id: string; type: 'User' };
  lastUpdated: string;
  clientId: string;
  userId: string;
  scopeId: string;
  source: 'END_USER' | 'ADMIN';
}

/** An MFA factor a user enrolled (Okta's UserFactor), without `_links` and `_embedded`. */
export interface OktaFactor {
  id: string;
  factorType: 'push' | 'token:software:totp' | 'sms';
  provider: 'OKTA' | 'GOOGLE';
  vendorName: string;
  status: 'ACTIVE';
  created: string;
  lastUpdated: string;
  profile: Record<string, string>;
}

/** An OAuth client app of the org (its app instance id is its client id, as for Okta OIDC apps). */
export interface OktaApp {
  clientId: string;
  label: string;
}

export interface Directory {
  users: OktaUser[];
  groups: OktaGroup[];
  /** Group id → member user ids, in the order they were added. */
  memberships: Map<string, Set<string>>;
  /** User id → roles assigned to that user directly. */
  userRoles: Map<string, OktaRoleAssignment[]>;
  /** Group id → roles assigned to the group (its members hold them too). */
  groupRoles: Map<string, OktaRoleAssignment[]>;
  /** User id → the user's consent grants. */
  grants: Map<string, OktaGrant[]>;
  /** User id → the MFA factors the user enrolled (`reset_factors` empties it). */
  factors: Map<string, OktaFactor[]>;
  apps: OktaApp[];
  /** Ids of users deleted for good: gone from every listing and lookup. */
  deleted: Set<string>;
  /** The id Okta shows for its own system principal in the System Log. */
  systemPrincipalId: string;
  /** The id of the API token this simulator accepts (events it causes carry it). */
  apiTokenId: string;
}

const ROLE_LABELS: Record<string, string> = {
  SUPER_ADMIN: 'Super Administrator',
  ORG_ADMIN: 'Organization Administrator',
  APP_ADMIN: 'Application Administrator',
  USER_ADMIN: 'Group Administrator',
  HELP_DESK_ADMIN: 'Help Desk Administrator',
  READ_ONLY_ADMIN: 'Read Only Administrator',
  REPORT_ADMIN: 'Report Administrator',
};
/** The well-known first user (tests and the README use it): `alice@<domain>`, active, super admin. */
export function aliceLogin(domain: string): string {
  return `alice@${domain}`;
}

export function roleLabel(type: string): string {
  return ROLE_LABELS[type] ?? type;
}

/** Every role a user holds: its own, then those of its groups (as `GET /users/{id}/roles` lists them). */
export function rolesOfUser(directory: Directory, userId: string): OktaRoleAssignment[] {
  const roles = [...(directory.userRoles.get(userId) ?? [])];
  for (const [groupId, groupRoles] of directory.groupRoles) {
    if (directory.memberships.get(groupId)?.has(userId)) roles.push(...groupRoles);
  }
  return roles;
}
