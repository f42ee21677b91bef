import { buildAccountEvent } from '../../schemas/account-event.js';
import type { AccountEvent, Subject } from '../../schemas/types.js';
import type { AccountStatus } from '../../schemas/vocabulary.js';
import type { SnapshotContext } from '../contract.js';
import { looksLikeEmail, put, type Json } from '../runtime/json-fields.js';
import { display, flag, requireObject, requireValue, time, value } from './fields.js';

/** What the account normalizers need of the instance: the zone its times are written in. */
export interface AccountSettings {
  zone: string;
}

function event(ctx: SnapshotContext, kind: AccountEvent['kind'], ids: string[], subject: Subject, rest: Partial<AccountEvent> & { raw: string }): AccountEvent {
  return buildAccountEvent('servicenow', ctx, kind, ids, subject, rest);
}

/** The status of a `sys_user`: deactivated (active=false), else locked out, else a password to reset, else active. */
function userStatus(row: Json): { status: AccountStatus; raw: string } {
  const active = flag(row, 'active');
  const locked = flag(row, 'locked_out');
  const reset = flag(row, 'password_needs_reset');
  const raw = `active=${value(row, 'active') ?? ''},locked_out=${value(row, 'locked_out') ?? ''}`;
  if (active === false) return { status: 'suspended', raw };
  if (locked === true) return { status: 'locked', raw };
  if (reset === true) return { status: 'password_expired', raw };
  return { status: active === true ? 'active' : 'unknown', raw };
}

/** A `sys_user` row → AccountEvent of kind `user`; integration and web-service-only users are `service` subjects. */
export function normalizeUser(raw: unknown, ctx: SnapshotContext, settings: AccountSettings): AccountEvent {
  const row = requireObject(raw, '(record)');
  const id = requireValue(row, 'sys_id');
  const userName = value(row, 'user_name');
  const email = value(row, 'email') ?? (looksLikeEmail(userName) ? userName : null);
  const fullName = [value(row, 'first_name'), value(row, 'last_name')].filter((p) => p !== null).join(' ');
  const service = flag(row, 'web_service_access_only') === true || flag(row, 'internal_integration_user') === true;
  const { status, raw: statusRaw } = userStatus(row);
  const attributes: Record<string, string> = {};
  for (const key of ['user_name', 'active', 'locked_out', 'failed_attempts', 'password_needs_reset', 'web_service_access_only',
    'internal_integration_user', 'enable_multifactor_authn', 'title', 'source', 'sso_source', 'vip', 'sys_updated_on', 'sys_created_by']) {
    put(attributes, key, display(row, key));
  }
  put(attributes, 'department', display(row, 'department'));
  return event(ctx, 'user', [id], { type: service ? 'service' : 'user', id, email, name: value(row, 'name') ?? (fullName || userName) }, {
    status,
    status_raw: statusRaw,
    created_at: time(row, 'sys_created_on', settings.zone),
    last_login_at: time(row, 'last_login_time', settings.zone),
    attributes,
    raw: JSON.stringify(raw),
  });
}

/** A `sys_user_group` row → AccountEvent of kind `group`. */
export function normalizeGroup(raw: unknown, ctx: SnapshotContext, settings: AccountSettings): AccountEvent {
  const row = requireObject(raw, '(record)');
  const id = requireValue(row, 'sys_id');
  const attributes: Record<string, string> = {};
  for (const key of ['description', 'type', 'active', 'roles', 'manager', 'sys_updated_on']) put(attributes, key, display(row, key));
  return event(ctx, 'group', [id], { type: 'group', id, email: value(row, 'email'), name: display(row, 'name') }, {
    created_at: time(row, 'sys_created_on', settings.zone),
    attributes,
    raw: JSON.stringify(raw),
  });
}

/** The user a relation row references (`user` column), as a subject named by its display value. */
function referencedUser(row: Json): Subject & { id: string } {
  const id = requireValue(row, 'user');
  const name = display(row, 'user');
  return { type: 'user', id, email: looksLikeEmail(name) ? name : null, name: name === id ? null : name };
}

/** A `sys_user_grmember` row (read with display values) → AccountEvent of kind `membership`. */
export function normalizeMembership(raw: unknown, ctx: SnapshotContext, settings: AccountSettings): AccountEvent {
  const row = requireObject(raw, '(record)');
  const sysId = requireValue(row, 'sys_id');
  const groupId = requireValue(row, 'group');
  const subject = referencedUser(row);
  const groupName = display(row, 'group');
  return event(ctx, 'membership', [groupId, subject.id], subject, {
    group: { id: groupId, name: groupName === groupId ? null : groupName },
    created_at: time(row, 'sys_created_on', settings.zone),
    attributes: { membership_id: sysId },
    raw: JSON.stringify(raw),
  });
}

/** A `sys_user_has_role` row of an admin-grade role (read with display values) → AccountEvent of kind `privilege`. */
export function normalizeRoleAssignment(raw: unknown, ctx: SnapshotContext, settings: AccountSettings): AccountEvent {
  const row = requireObject(raw, '(record)');
  const sysId = requireValue(row, 'sys_id');
  const roleId = requireValue(row, 'role');
  const subject = referencedUser(row);
  const attributes: Record<string, string> = { assignment_id: sysId };
  put(attributes, 'inherited', value(row, 'inherited'));
  put(attributes, 'granted_by', display(row, 'granted_by'));
  put(attributes, 'state', value(row, 'state'));
  return event(ctx, 'privilege', [subject.id, roleId, sysId], subject, {
    privilege: { id: roleId, name: display(row, 'role'), type: 'role' },
    created_at: time(row, 'sys_created_on', settings.zone),
    attributes,
    raw: JSON.stringify(raw),
  });
}

/** An `oauth_credential` row (a token an OAuth application holds, read with display values) → AccountEvent of kind `app_grant`. */
export function normalizeOAuthCredential(raw: unknown, ctx: SnapshotContext, settings: AccountSettings): AccountEvent {
  const row = requireObject(raw, '(record)');
  const sysId = requireValue(row, 'sys_id');
  const appId = value(row, 'peer') ?? value(row, 'oauth_entity');
  const appName = display(row, 'peer') ?? display(row, 'oauth_entity');
  const userId = value(row, 'user');
  // A client-credentials token belongs to the application, not to a user.
  const subject: Subject = userId !== null ? referencedUser(row) : { type: 'service', id: appId ?? sysId, email: null, name: appName };
  const scope = value(row, 'scope');
  const attributes: Record<string, string> = { token_id: sysId };
  put(attributes, 'token_type', value(row, 'type'));
  put(attributes, 'expires', value(row, 'expires'));
  return event(ctx, 'app_grant', [subject.id, sysId], subject, {
    app: { id: appId ?? sysId, name: appName === appId ? null : appName, scopes: scope === null ? [] : scope.split(/[\s,]+/).filter((s) => s !== '') },
    created_at: time(row, 'sys_created_on', settings.zone),
    attributes,
    raw: JSON.stringify(raw),
  });
}
