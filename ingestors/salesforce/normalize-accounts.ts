import { buildAccountEvent } from '../../schemas/account-event.js';
import type { AccountEvent, Subject } from '../../schemas/types.js';
import type { AccountStatus } from '../../schemas/vocabulary.js';
import type { SnapshotContext } from '../contract.js';
import { bool, fieldErrors, num, obj, put, str, type Json } from '../runtime/json-fields.js';
import { isoTime, isoTimeOrNever } from '../runtime/provider-time.js';

const { failure, requireObject, requireString } = fieldErrors('salesforce');

/**
 * Permissions that make a profile or permission set admin-grade: whoever holds one can read or change
 * everything, or manage users and their access. Their fields are `Permissions<Name>` on PermissionSet.
 */
export const ADMIN_PERMISSIONS = [
  'ModifyAllData', 'ViewAllData', 'ManageUsers', 'AuthorApex', 'CustomizeApplication', 'ManageProfilesPermissionsets', 'ManageSharing',
] as const;

/** The admin-grade permissions a PermissionSet row grants. */
export function adminPermissions(permissionSet: Json): string[] {
  return ADMIN_PERMISSIONS.filter((p) => permissionSet[`Permissions${p}`] === true);
}

function event(ctx: SnapshotContext, kind: AccountEvent['kind'], ids: string[], subject: Subject, rest: Partial<AccountEvent> & { raw: string }): AccountEvent {
  return buildAccountEvent('salesforce', { instance: ctx.instance, observedAt: ctx.observedAt }, kind, ids, subject, rest);
}

function userSubject(user: Json, field: string): Subject {
  const id = requireString(user, 'Id', `${field}.Id`);
  return { type: str(user.UserType) === 'AutomatedProcess' ? 'service' : 'user', id, email: str(user.Email), name: str(user.Name) ?? str(user.Username) };
}

/** A user as the account scan reads it: a User row with its UserLogin (`IsFrozen`, `IsPasswordLocked`) under `UserLogin`. */
export function normalizeUser(raw: unknown, ctx: SnapshotContext): AccountEvent {
  const user = requireObject(raw, '(record)');
  const subject = userSubject(user, 'user');
  const login = obj(user.UserLogin);
  const active = bool(user.IsActive);
  const frozen = bool(login?.IsFrozen) === true;
  const locked = bool(login?.IsPasswordLocked) === true;
  const status: AccountStatus = active === false ? 'deprovisioned' : frozen ? 'suspended' : locked ? 'locked' : active === true ? 'active' : 'unknown';
  const attributes: Record<string, string> = {};
  put(attributes, 'username', user.Username);
  put(attributes, 'user_type', user.UserType);
  put(attributes, 'profile_id', user.ProfileId);
  put(attributes, 'profile', obj(user.Profile)?.Name);
  put(attributes, 'role_id', user.UserRoleId);
  put(attributes, 'frozen', frozen);
  put(attributes, 'last_password_change', user.LastPasswordChangeDate);
  return event(ctx, 'user', [subject.id], subject, {
    status,
    status_raw: active === false ? 'inactive' : frozen ? 'frozen' : locked ? 'password_locked' : 'active',
    created_at: isoTime(user.CreatedDate),
    last_login_at: isoTimeOrNever(user.LastLoginDate),
    attributes,
    raw: JSON.stringify(raw),
  });
}

/** A public group (`Group`, Type `Regular`). */
export function normalizeGroup(raw: unknown, ctx: SnapshotContext): AccountEvent {
  const group = requireObject(raw, '(record)');
  const id = requireString(group, 'Id');
  const attributes: Record<string, string> = {};
  put(attributes, 'developer_name', group.DeveloperName);
  put(attributes, 'group_type', group.Type);
  return event(ctx, 'group', [id], { type: 'group', id, email: str(group.Email), name: str(group.Name) }, {
    created_at: isoTime(group.CreatedDate), attributes, raw: JSON.stringify(raw),
  });
}

/** A GroupMember row with its group and member (a user, or a nested group) beside it: `{ group, member, membership }`. */
export function normalizeMembership(raw: unknown, ctx: SnapshotContext): AccountEvent {
  const pair = requireObject(raw, '(record)');
  const group = requireObject(pair.group, 'group');
  const groupId = requireString(group, 'Id', 'group.Id');
  const membership = requireObject(pair.membership, 'membership');
  const memberId = requireString(membership, 'UserOrGroupId', 'membership.UserOrGroupId');
  const member = obj(pair.member);
  const subject: Subject = member !== null && 'Username' in member
    ? userSubject(member, 'member')
    : { type: memberId.startsWith('00G') ? 'group' : 'unknown', id: memberId, email: null, name: str(member?.Name) };
  return event(ctx, 'membership', [groupId, memberId], subject, {
    group: { id: groupId, name: str(group.Name) },
    attributes: { group_member_id: requireString(membership, 'Id', 'membership.Id') },
    raw: JSON.stringify(raw),
  });
}

/** A user's profile or permission set with admin-grade permissions: `{ user, permissionSet, assignment }`. */
export function normalizePrivilege(raw: unknown, ctx: SnapshotContext): AccountEvent {
  const item = requireObject(raw, '(record)');
  const subject = userSubject(requireObject(item.user, 'user'), 'user');
  const set = requireObject(item.permissionSet, 'permissionSet');
  const setId = requireString(set, 'Id', 'permissionSet.Id');
  const permissions = adminPermissions(set);
  if (permissions.length === 0) throw failure('permissionSet', `permission set ${setId} grants no admin-grade permission`);
  const profile = set.IsOwnedByProfile === true;
  const attributes: Record<string, string> = { permissions: permissions.join(',') };
  put(attributes, 'assignment_id', obj(item.assignment)?.Id);
  put(attributes, 'profile_id', set.ProfileId);
  return event(ctx, 'privilege', [subject.id, setId], subject, {
    privilege: { id: setId, name: profile ? (str(obj(set.Profile)?.Name) ?? str(set.Label)) : (str(set.Label) ?? str(set.Name)), type: profile ? 'profile' : 'permission_set' },
    attributes,
    raw: JSON.stringify(raw),
  });
}

/** A connected app's OAuth token of a user (`OauthToken`): `{ token, user }`. */
export function normalizeOauthToken(raw: unknown, ctx: SnapshotContext): AccountEvent {
  const item = requireObject(raw, '(record)');
  const token = requireObject(item.token, 'token');
  const id = requireString(token, 'Id', 'token.Id');
  const user = obj(item.user);
  const userId = requireString(token, 'UserId', 'token.UserId');
  const subject: Subject = user !== null ? userSubject(user, 'user') : { type: 'user', id: userId, email: null, name: str(obj(token.User)?.Username) };
  const attributes: Record<string, string> = {};
  put(attributes, 'last_used', token.LastUsedDate);
  put(attributes, 'use_count', num(token.UseCount));
  put(attributes, 'app_menu_item_id', token.AppMenuItemId);
  return event(ctx, 'app_grant', [userId, id], subject, {
    app: { id, name: str(token.AppName), scopes: [] },
    created_at: isoTime(token.CreatedDate),
    attributes,
    raw: JSON.stringify(raw),
  });
}
