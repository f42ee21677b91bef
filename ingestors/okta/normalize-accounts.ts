import { buildAccountEvent } from '../../schemas/account-event.js';
import type { AccountEvent, Subject } from '../../schemas/types.js';
import type { AccountStatus } from '../../schemas/vocabulary.js';
import { fieldErrors, looksLikeEmail, obj, put, str, type Json } from '../runtime/json-fields.js';
import { isoTime } from '../runtime/provider-time.js';

/** Where an account record comes from and when we observed it. */
export interface OktaAccountContext {
  instance: string;
  observedAt: number;
}

const { failure, requireObject } = fieldErrors('okta');

// ---- Accounts: GET /api/v1/users, /groups, /groups/{id}/users, /users/{id}/roles, /users/{id}/grants

const USER_STATUSES: Record<string, AccountStatus> = {
  ACTIVE: 'active',
  SUSPENDED: 'suspended',
  DEPROVISIONED: 'deprovisioned',
  STAGED: 'staged',
  PROVISIONED: 'staged', // activation sent, the user has not set a password yet
  LOCKED_OUT: 'locked',
  PASSWORD_EXPIRED: 'password_expired',
  RECOVERY: 'password_expired', // a password reset is in progress
};

/** An Okta User object → AccountEvent of kind `user`. */
export function normalizeOktaUser(rawUser: unknown, ctx: OktaAccountContext): AccountEvent {
  const user = requireObject(rawUser, '(record)');
  const subject = userSubject(user, 'id');
  const profile = obj(user.profile);
  const statusRaw = str(user.status);
  const attributes: Record<string, string> = {};
  put(attributes, 'login', profile?.login);
  put(attributes, 'user_type_id', obj(user.type)?.id);
  put(attributes, 'credential_provider', obj(obj(user.credentials)?.provider)?.type);
  put(attributes, 'activated', user.activated);
  put(attributes, 'status_changed', user.statusChanged);
  put(attributes, 'last_updated', user.lastUpdated);
  put(attributes, 'password_changed', user.passwordChanged);
  put(attributes, 'department', profile?.department);
  put(attributes, 'title', profile?.title);
  return accountEvent(ctx, 'user', [subject.id], subject, {
    status: statusRaw === null ? 'unknown' : (USER_STATUSES[statusRaw] ?? 'unknown'),
    status_raw: statusRaw,
    created_at: isoTime(user.created),
    last_login_at: isoTime(user.lastLogin),
    attributes,
    raw: JSON.stringify(rawUser),
  });
}

/** An Okta Group object → AccountEvent of kind `group`. */
export function normalizeOktaGroup(rawGroup: unknown, ctx: OktaAccountContext): AccountEvent {
  const group = requireObject(rawGroup, '(record)');
  const id = requireId(group, 'id');
  const profile = obj(group.profile);
  const attributes: Record<string, string> = {};
  put(attributes, 'group_type', group.type);
  put(attributes, 'description', profile?.description);
  put(attributes, 'last_updated', group.lastUpdated);
  put(attributes, 'last_membership_updated', group.lastMembershipUpdated);
  const subject: Subject = { type: 'group', id, email: null, name: str(profile?.name) };
  return accountEvent(ctx, 'group', [id], subject, {
    created_at: isoTime(group.created), attributes, raw: JSON.stringify(rawGroup),
  });
}

/** A user listed in a group (`GET /api/v1/groups/{id}/users`) → AccountEvent of kind `membership`. */
export function normalizeOktaMembership(rawGroup: unknown, rawUser: unknown, ctx: OktaAccountContext): AccountEvent {
  const group = requireObject(rawGroup, 'group');
  const groupId = requireId(group, 'group.id');
  const subject = userSubject(requireObject(rawUser, 'user'), 'user.id');
  return accountEvent(ctx, 'membership', [groupId, subject.id], subject, {
    group: { id: groupId, name: str(obj(group.profile)?.name) },
    raw: JSON.stringify({ group: rawGroup, user: rawUser }),
  });
}

/** An admin role assigned to a user (`GET /api/v1/users/{id}/roles`) → AccountEvent of kind `privilege`. */
export function normalizeOktaRoleAssignment(rawUser: unknown, rawRole: unknown, ctx: OktaAccountContext): AccountEvent {
  const subject = userSubject(requireObject(rawUser, 'user'), 'user.id');
  return privilegeEvent(subject, rawRole, JSON.stringify({ user: rawUser, role: rawRole }), ctx);
}

/** An admin role assigned to a group (`GET /api/v1/groups/{id}/roles`) → AccountEvent of kind `privilege` whose subject is the group. */
export function normalizeOktaGroupRoleAssignment(rawGroup: unknown, rawRole: unknown, ctx: OktaAccountContext): AccountEvent {
  const group = requireObject(rawGroup, 'group');
  const subject: Subject = { type: 'group', id: requireId(group, 'group.id'), email: null, name: str(obj(group.profile)?.name) };
  return privilegeEvent(subject, rawRole, JSON.stringify({ group: rawGroup, role: rawRole }), ctx);
}

function privilegeEvent(subject: Subject & { id: string }, rawRole: unknown, raw: string, ctx: OktaAccountContext): AccountEvent {
  const role = requireObject(rawRole, 'role');
  const roleId = requireId(role, 'role.id');
  const attributes: Record<string, string> = {};
  put(attributes, 'assignment_type', role.assignmentType);
  put(attributes, 'role_status', role.status);
  return accountEvent(ctx, 'privilege', [subject.id, roleId], subject, {
    created_at: isoTime(role.created),
    privilege: { id: roleId, name: str(role.label), type: str(role.type) },
    attributes,
    raw,
  });
}

/** An OAuth grant a user gave an app (`GET /api/v1/users/{id}/grants`) → AccountEvent of kind `app_grant`. */
export function normalizeOktaGrant(rawUser: unknown, rawGrant: unknown, ctx: OktaAccountContext): AccountEvent {
  const subject = userSubject(requireObject(rawUser, 'user'), 'user.id');
  const grant = requireObject(rawGrant, 'grant');
  const grantId = requireId(grant, 'grant.id');
  const links = obj(grant._links);
  const scope = str(obj(obj(grant._embedded)?.scope)?.name) ?? str(grant.scopeId);
  const attributes: Record<string, string> = {};
  put(attributes, 'grant_status', grant.status);
  put(attributes, 'issuer', grant.issuer);
  put(attributes, 'source', grant.source);
  put(attributes, 'scope_id', grant.scopeId);
  return accountEvent(ctx, 'app_grant', [subject.id, grantId], subject, {
    created_at: isoTime(grant.created),
    app: {
      id: str(grant.clientId) ?? grantId,
      name: str(obj(links?.app)?.title) ?? str(obj(links?.client)?.title),
      scopes: scope === null ? [] : [scope],
    },
    deleted: grant.status === 'REVOKED',
    attributes,
    raw: JSON.stringify({ user: rawUser, grant: rawGrant }),
  });
}

function accountEvent(
  ctx: OktaAccountContext, kind: AccountEvent['kind'], ids: string[], subject: Subject,
  rest: Partial<AccountEvent> & { raw: string },
): AccountEvent {
  return buildAccountEvent('okta', ctx, kind, ids, subject, rest);
}

function userSubject(user: Json, idField: string): Subject {
  const id = requireId(user, idField);
  const profile = obj(user.profile);
  const login = str(profile?.login);
  const fullName = [str(profile?.firstName), str(profile?.lastName)].filter((p) => p !== null).join(' ');
  return {
    type: 'user',
    id,
    email: str(profile?.email) ?? (login !== null && looksLikeEmail(login) ? login : null),
    name: fullName || str(profile?.displayName) || login,
  };
}

function requireId(o: Json, field: string): string {
  const id = o.id;
  if (typeof id !== 'string' || id === '') throw failure(field, `${field} is missing or not a string`);
  return id;
}
