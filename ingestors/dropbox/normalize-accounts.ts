import { buildAccountEvent } from '../../schemas/account-event.js';
import type { AccountEvent, Subject } from '../../schemas/types.js';
import type { AccountStatus } from '../../schemas/vocabulary.js';
import type { SnapshotContext } from '../contract.js';
import { arr, fieldErrors, obj, put, str, type Json } from '../runtime/json-fields.js';
import { isoTime } from '../runtime/provider-time.js';
import { tagOf } from './event-types.js';

const { requireObject, requireString } = fieldErrors('dropbox');

const STATUSES: Record<string, AccountStatus> = {
  active: 'active',
  suspended: 'suspended',
  invited: 'staged', // invited, has not joined yet
  removed: 'deprovisioned',
};

function event(ctx: SnapshotContext, kind: AccountEvent['kind'], ids: string[], subject: Subject, rest: Partial<AccountEvent> & { raw: string }): AccountEvent {
  return buildAccountEvent('dropbox', ctx, kind, ids, subject, rest);
}

/** A member's `profile` (`TeamMemberProfile`/`MemberProfile`) → the subject of its records; its id is the `team_member_id`. */
function memberSubject(profile: Json, field: string): Subject & { id: string } {
  const id = requireString(profile, 'team_member_id', `${field}.team_member_id`);
  const name = obj(profile.name);
  return { type: 'user', id, email: str(profile.email), name: str(name?.display_name) ?? ([str(name?.given_name), str(name?.surname)].filter((p) => p !== null).join(' ') || null) };
}

/** A `members/list_v2` item (`{profile, roles}`) → AccountEvent of kind `user`. */
export function normalizeDropboxMember(raw: unknown, ctx: SnapshotContext): AccountEvent {
  const member = requireObject(raw, '(record)');
  const profile = requireObject(member.profile, 'profile');
  const subject = memberSubject(profile, 'profile');
  const status = tagOf(profile.status);
  const roles = arr(member.roles).map(obj);
  const attributes: Record<string, string> = {};
  put(attributes, 'account_id', profile.account_id);
  put(attributes, 'external_id', profile.external_id);
  put(attributes, 'membership_type', tagOf(profile.membership_type));
  put(attributes, 'email_verified', profile.email_verified);
  put(attributes, 'invited_on', profile.invited_on);
  put(attributes, 'suspended_on', profile.suspended_on);
  put(attributes, 'member_folder_id', profile.member_folder_id);
  const roleNames = roles.map((r) => str(r?.name)).filter((n): n is string => n !== null);
  if (roleNames.length > 0) attributes.admin_roles = roleNames.join(',');
  const groups = arr(profile.groups).filter((g): g is string => typeof g === 'string');
  if (groups.length > 0) attributes.group_ids = groups.join(',');
  return event(ctx, 'user', [subject.id], subject, {
    status: status === null ? 'unknown' : (STATUSES[status] ?? 'unknown'),
    status_raw: status,
    created_at: isoTime(profile.joined_on) ?? isoTime(profile.invited_on),
    attributes,
    raw: JSON.stringify(raw),
  });
}

/** A `team/groups/list` item (`GroupSummary`) → AccountEvent of kind `group`. */
export function normalizeDropboxGroup(raw: unknown, ctx: SnapshotContext): AccountEvent {
  const group = requireObject(raw, '(record)');
  const id = requireString(group, 'group_id');
  const attributes: Record<string, string> = {};
  put(attributes, 'management_type', tagOf(group.group_management_type));
  put(attributes, 'external_id', group.group_external_id);
  put(attributes, 'member_count', group.member_count);
  return event(ctx, 'group', [id], { type: 'group', id, email: null, name: str(group.group_name) }, { attributes, raw: JSON.stringify(raw) });
}

/** A member of a group (`team/groups/members/list` item `{profile, access_type}`, with its group) → kind `membership`. */
export function normalizeDropboxMembership(raw: unknown, ctx: SnapshotContext): AccountEvent {
  const record = requireObject(raw, '(record)');
  const group = requireObject(record.group, 'group');
  const groupId = requireString(group, 'group_id', 'group.group_id');
  const member = requireObject(record.member, 'member');
  const subject = memberSubject(requireObject(member.profile, 'member.profile'), 'member.profile');
  const attributes: Record<string, string> = {};
  put(attributes, 'access_type', tagOf(member.access_type));
  return event(ctx, 'membership', [groupId, subject.id], subject, {
    group: { id: groupId, name: str(group.group_name) }, attributes, raw: JSON.stringify(raw),
  });
}

/** An admin role a member holds (`roles[]` of `members/list_v2`, with the member's profile) → kind `privilege`. */
export function normalizeDropboxRole(raw: unknown, ctx: SnapshotContext): AccountEvent {
  const record = requireObject(raw, '(record)');
  const subject = memberSubject(requireObject(record.profile, 'profile'), 'profile');
  const role = requireObject(record.role, 'role');
  const roleId = requireString(role, 'role_id', 'role.role_id');
  const attributes: Record<string, string> = {};
  put(attributes, 'description', role.description);
  return event(ctx, 'privilege', [subject.id, roleId], subject, {
    privilege: { id: roleId, name: str(role.name), type: 'admin_role' }, attributes, raw: JSON.stringify(raw),
  });
}

/** An app a member linked (`linked_apps/list_members_linked_apps`: `{member, app}`) → kind `app_grant`; its id is `<team_member_id>/<app_id>`. */
export function normalizeDropboxLinkedApp(raw: unknown, ctx: SnapshotContext): AccountEvent {
  const record = requireObject(raw, '(record)');
  const member = requireObject(record.member, 'member');
  const subject = memberSubject(member, 'member');
  const app = requireObject(record.app, 'app');
  const appId = requireString(app, 'app_id', 'app.app_id');
  const attributes: Record<string, string> = { grant_id: linkedAppId(subject.id, appId) };
  put(attributes, 'publisher', app.publisher);
  put(attributes, 'publisher_url', app.publisher_url);
  put(attributes, 'is_app_folder', app.is_app_folder);
  put(attributes, 'linked', app.linked);
  return event(ctx, 'app_grant', [subject.id, appId], subject, {
    created_at: isoTime(app.linked),
    // A linked app's access is its permission type: its own app folder, or the member's whole Dropbox.
    app: { id: appId, name: str(app.app_name), scopes: [app.is_app_folder === true ? 'app_folder' : 'full_dropbox'] },
    attributes,
    raw: JSON.stringify(raw),
  });
}

/** The id of a member's linked app, as app_grant targets carry it. */
export function linkedAppId(teamMemberId: string, appId: string): string {
  return `${teamMemberId}/${appId}`;
}
