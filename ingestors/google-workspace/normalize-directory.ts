import type { AccountEvent, Subject } from '../../schemas/types.js';
import type { AccountStatus, SubjectType } from '../../schemas/vocabulary.js';
import type { SnapshotContext } from '../contract.js';
import { fieldErrors, type Json, obj, put, str } from '../runtime/json-fields.js';
import { isoTimeOrNever } from '../runtime/provider-time.js';
import { buildAccountEvent } from '../../schemas/account-event.js';

const { requireObject, requireString } = fieldErrors('google_workspace');

// ---- Directory API resources: users, groups, members, roles and role assignments, tokens

/** A Directory API User → AccountEvent of kind `user`. Suspended and archived users keep their reason in `status_raw`. */
export function normalizeGoogleUser(rawUser: unknown, ctx: SnapshotContext): AccountEvent {
  const user = requireObject(rawUser, '(record)');
  const subject = userSubject(user, 'id');
  let status: AccountStatus = 'active';
  let statusRaw = 'active';
  if (user.suspended === true) {
    status = 'suspended';
    statusRaw = str(user.suspensionReason) ?? 'suspended';
  } else if (user.archived === true) {
    status = 'deprovisioned';
    statusRaw = 'archived';
  }
  const attributes: Record<string, string> = {};
  put(attributes, 'is_admin', user.isAdmin);
  put(attributes, 'is_delegated_admin', user.isDelegatedAdmin);
  put(attributes, 'is_enrolled_in_2sv', user.isEnrolledIn2Sv);
  put(attributes, 'is_enforced_in_2sv', user.isEnforcedIn2Sv);
  put(attributes, 'org_unit_path', user.orgUnitPath);
  put(attributes, 'change_password_at_next_login', user.changePasswordAtNextLogin);
  put(attributes, 'customer_id', user.customerId);
  put(attributes, 'archived', user.archived);
  if (Array.isArray(user.aliases)) put(attributes, 'aliases', user.aliases.filter((a) => typeof a === 'string').join(','));
  return accountEvent(ctx, 'user', [subject.id], subject, {
    status, status_raw: statusRaw, created_at: isoTimeOrNever(user.creationTime), last_login_at: isoTimeOrNever(user.lastLoginTime), attributes, raw: JSON.stringify(rawUser),
  });
}

/** A Directory API Group → AccountEvent of kind `group`. */
export function normalizeGoogleGroup(rawGroup: unknown, ctx: SnapshotContext): AccountEvent {
  const group = requireObject(rawGroup, '(record)');
  const subject: Subject = { type: 'group', id: requireString(group, 'id', 'id'), email: str(group.email), name: str(group.name) };
  const attributes: Record<string, string> = {};
  put(attributes, 'description', group.description);
  put(attributes, 'direct_members_count', group.directMembersCount);
  put(attributes, 'admin_created', group.adminCreated);
  return accountEvent(ctx, 'group', [subject.id], subject, { attributes, raw: JSON.stringify(rawGroup) });
}

const MEMBER_TYPES: Record<string, SubjectType> = { USER: 'user', GROUP: 'group' };

/** A member listed in a group (`GET groups/{key}/members`) → AccountEvent of kind `membership`; the subject is the member. */
export function normalizeGoogleMembership(rawGroup: unknown, rawMember: unknown, ctx: SnapshotContext): AccountEvent {
  const group = requireObject(rawGroup, 'group');
  const groupId = requireString(group, 'id', 'group.id');
  const member = requireObject(rawMember, 'member');
  const memberId = requireString(member, 'id', 'member.id');
  const memberType = str(member.type);
  const subject: Subject = { type: MEMBER_TYPES[memberType ?? ''] ?? 'unknown', id: memberId, email: str(member.email), name: null };
  const attributes: Record<string, string> = {};
  put(attributes, 'role', member.role);
  put(attributes, 'member_type', memberType);
  put(attributes, 'member_status', member.status);
  put(attributes, 'delivery_settings', member.delivery_settings);
  return accountEvent(ctx, 'membership', [groupId, memberId], subject, {
    group: { id: groupId, name: str(group.name) ?? str(group.email) }, attributes, raw: JSON.stringify({ group: rawGroup, member: rawMember }),
  });
}

/** Who a role is assigned to, as the scan knows them (a user or a group of the directory). */
export interface Assignee {
  type: 'user' | 'group';
  email: string | null;
  name: string | null;
}

/**
 * A role assignment (`GET customer/{id}/roleassignments`) with its role (from the roles list) →
 * AccountEvent of kind `privilege`; the subject is the user or group it is assigned to.
 */
export function normalizeGoogleRoleAssignment(rawAssignment: unknown, rawRole: unknown, assignee: Assignee | null, ctx: SnapshotContext): AccountEvent {
  const assignment = requireObject(rawAssignment, 'assignment');
  const assignmentId = requireString(assignment, 'roleAssignmentId', 'assignment.roleAssignmentId');
  const assignedTo = requireString(assignment, 'assignedTo', 'assignment.assignedTo');
  const role = obj(rawRole);
  // int64 ids come as strings; a number is read too.
  const roleId = typeof assignment.roleId === 'number' ? String(assignment.roleId) : requireString(assignment, 'roleId', 'assignment.roleId');
  const assigneeType = str(assignment.assigneeType)?.toLowerCase() ?? assignee?.type ?? 'user';
  const subject: Subject = { type: assigneeType === 'group' ? 'group' : 'user', id: assignedTo, email: assignee?.email ?? null, name: assignee?.name ?? null };
  let type: string | null = null;
  if (role) type = role.isSuperAdminRole === true ? 'super_admin' : role.isSystemRole === true ? 'system' : 'custom';
  const attributes: Record<string, string> = {};
  put(attributes, 'role_assignment_id', assignmentId);
  put(attributes, 'scope_type', assignment.scopeType);
  put(attributes, 'org_unit_id', assignment.orgUnitId);
  put(attributes, 'assignee_type', assignment.assigneeType);
  put(attributes, 'condition', assignment.condition);
  put(attributes, 'role_description', role?.roleDescription);
  return accountEvent(ctx, 'privilege', [assignedTo, assignmentId], subject, {
    privilege: { id: roleId, name: str(role?.roleName), type }, attributes, raw: JSON.stringify({ assignment: rawAssignment, role: rawRole ?? null }),
  });
}

/** An OAuth token a user granted an app (`GET users/{key}/tokens`) → AccountEvent of kind `app_grant`. */
export function normalizeGoogleToken(rawUser: unknown, rawToken: unknown, ctx: SnapshotContext): AccountEvent {
  const subject = userSubject(requireObject(rawUser, 'user'), 'user.id');
  const token = requireObject(rawToken, 'token');
  const clientId = requireString(token, 'clientId', 'token.clientId');
  const attributes: Record<string, string> = {};
  put(attributes, 'anonymous', token.anonymous);
  put(attributes, 'native_app', token.nativeApp);
  return accountEvent(ctx, 'app_grant', [subject.id, clientId], subject, {
    app: { id: clientId, name: str(token.displayText), scopes: Array.isArray(token.scopes) ? token.scopes.filter((s): s is string => typeof s === 'string') : [] },
    attributes,
    raw: JSON.stringify({ user: rawUser, token: rawToken }),
  });
}

function userSubject(user: Json, idField: string): Subject & { id: string } {
  const id = requireString(user, 'id', idField);
  return { type: 'user', id, email: str(user.primaryEmail), name: str(obj(user.name)?.fullName) };
}

function accountEvent(ctx: SnapshotContext, kind: AccountEvent['kind'], ids: string[], subject: Subject, rest: Partial<AccountEvent> & { raw: string }): AccountEvent {
  return buildAccountEvent('google_workspace', ctx, kind, ids, subject, rest);
}
