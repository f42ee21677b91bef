import { buildAccountEvent } from '../../schemas/account-event.js';
import type { AccountEvent, Subject } from '../../schemas/types.js';
import type { AccountStatus } from '../../schemas/vocabulary.js';
import type { SnapshotContext } from '../contract.js';
import { fieldErrors, type Json, obj, put, str } from '../runtime/json-fields.js';
import { isoTimeOrNever } from '../runtime/provider-time.js';

const { failure, requireObject, requireString } = fieldErrors('box');

/** Box user statuses: `inactive` is a deactivated user; the `cannot_delete_edit*` ones are active users with restrictions. */
const STATUSES: Record<string, AccountStatus> = {
  active: 'active', inactive: 'suspended', cannot_delete_edit: 'active', cannot_delete_edit_upload: 'active',
};

/** The admin roles of the Box Admin Console, as `role` of a user holds them. */
export const ADMIN_ROLES: Record<string, string> = { admin: 'Admin', coadmin: 'Co-Admin' };

function userSubject(user: Json, field: string): Subject & { id: string } {
  return { type: 'user', id: requireString(user, 'id', `${field}.id`), email: str(user.login), name: str(user.name) };
}

function event(ctx: SnapshotContext, kind: AccountEvent['kind'], ids: string[], subject: Subject, rest: Partial<AccountEvent> & { raw: string }): AccountEvent {
  return buildAccountEvent('box', ctx, kind, ids, subject, rest);
}

/** A managed user (`GET /users`) → AccountEvent of kind `user`. */
export function normalizeBoxUser(raw: unknown, ctx: SnapshotContext): AccountEvent {
  const user = requireObject(raw, '(record)');
  const subject = userSubject(user, 'user');
  const statusRaw = str(user.status);
  const attributes: Record<string, string> = { user_type: 'managed' };
  put(attributes, 'role', user.role);
  put(attributes, 'enterprise_id', obj(user.enterprise)?.id);
  put(attributes, 'is_external_collab_restricted', user.is_external_collab_restricted);
  put(attributes, 'is_platform_access_only', user.is_platform_access_only);
  put(attributes, 'space_amount', user.space_amount);
  put(attributes, 'space_used', user.space_used);
  put(attributes, 'modified_at', user.modified_at);
  return event(ctx, 'user', [subject.id], subject, {
    status: statusRaw === null ? 'unknown' : STATUSES[statusRaw] ?? 'unknown', status_raw: statusRaw,
    created_at: isoTimeOrNever(user.created_at), attributes, raw: JSON.stringify(raw),
  });
}

/**
 * A collaborator from outside the enterprise, as the file scan saw them in collaborations:
 * `{ user, status, items }` (the user object `accessible_by` holds, the collaboration's status, how many items).
 */
export function normalizeBoxExternalUser(raw: unknown, ctx: SnapshotContext): AccountEvent {
  const record = requireObject(raw, '(record)');
  const user = requireObject(record.user, 'user');
  const subject = userSubject(user, 'user');
  const status = str(record.status);
  const attributes: Record<string, string> = { user_type: 'external' };
  put(attributes, 'collaborations', record.items);
  put(attributes, 'collaboration_status', status);
  return event(ctx, 'user', [subject.id], subject, {
    status: status === 'pending' ? 'staged' : 'active', status_raw: status, attributes, raw: JSON.stringify(raw),
  });
}

/** A group (`GET /groups`) → AccountEvent of kind `group`. */
export function normalizeBoxGroup(raw: unknown, ctx: SnapshotContext): AccountEvent {
  const group = requireObject(raw, '(record)');
  const subject: Subject = { type: 'group', id: requireString(group, 'id'), email: null, name: str(group.name) };
  const attributes: Record<string, string> = {};
  put(attributes, 'group_type', group.group_type);
  put(attributes, 'provenance', group.provenance);
  put(attributes, 'invitability_level', group.invitability_level);
  put(attributes, 'member_viewability_level', group.member_viewability_level);
  return event(ctx, 'group', [subject.id], subject, { created_at: isoTimeOrNever(group.created_at), attributes, raw: JSON.stringify(raw) });
}

/** A group membership (`GET /groups/{id}/memberships`) → AccountEvent of kind `membership`; the subject is the member. */
export function normalizeBoxMembership(raw: unknown, ctx: SnapshotContext): AccountEvent {
  const membership = requireObject(raw, '(record)');
  const user = requireObject(membership.user, 'user');
  const group = requireObject(membership.group, 'group');
  const groupId = requireString(group, 'id', 'group.id');
  const subject = userSubject(user, 'user');
  const attributes: Record<string, string> = {};
  put(attributes, 'membership_id', membership.id);
  put(attributes, 'role', membership.role);
  return event(ctx, 'membership', [groupId, subject.id], subject, {
    group: { id: groupId, name: str(group.name) }, created_at: isoTimeOrNever(membership.created_at), attributes, raw: JSON.stringify(raw),
  });
}

/**
 * A user whose `role` is admin or co-admin → AccountEvent of kind `privilege`. Box's API reports the
 * role only (`fields=role`); a co-admin's permission checkboxes are visible in the Admin Console alone.
 */
export function normalizeBoxAdminRole(raw: unknown, ctx: SnapshotContext): AccountEvent {
  const user = requireObject(raw, '(record)');
  const subject = userSubject(user, 'user');
  const role = str(user.role);
  if (role === null || !ADMIN_ROLES[role]) throw failure('role', `role ${JSON.stringify(user.role) ?? 'undefined'} is not an admin role`);
  return event(ctx, 'privilege', [subject.id, role], subject, {
    privilege: { id: role, name: ADMIN_ROLES[role]!, type: role === 'admin' ? 'super_admin' : 'admin' }, raw: JSON.stringify(raw),
  });
}
