import { OCSF_ACTIVITY as A, OCSF_CLASS as C } from '../../schemas/ocsf.js';
import type { AuditAction } from '../../schemas/vocabulary.js';
import { mapping as m, type EventMapping } from '../runtime/event-table.js';
import { obj, str, type Json } from '../runtime/json-fields.js';
import { DROPBOX_CATALOGUE } from './catalogue.js';
import { CATALOGUE_CATEGORY, CATALOGUE_EVENT_TYPES, CATALOGUE_FAMILIES } from './event-types-catalogue.js';

/** How one team_log event type maps to our category, action and OCSF class/activity. */
export type DropboxEventMapping = EventMapping;

const F = A.fileHosting;
const file = (action: AuditAction, activityId: number) => m('file', action, C.FILE_HOSTING_ACTIVITY, activityId);
const share = file('file_share', F.SHARE);
const unshare = file('file_unshare', F.UNSHARE);
const view = file('file_view', F.PREVIEW);
const download = file('file_download', F.DOWNLOAD);
const login = m('logon', 'login', C.AUTHENTICATION, A.authentication.LOGON);
const sessionRevoke = m('logon', 'session_revoke', C.AUTHENTICATION, A.authentication.LOGOFF);
const userUpdate = m('user', 'user_update', C.ACCOUNT_CHANGE, A.OTHER);
const settings = m('admin', 'settings_change', C.ENTITY_MANAGEMENT, A.entityManagement.UPDATE);
const appGrant = m('app', 'app_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES);
const appRevoke = m('app', 'app_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES);

/**
 * Event types of the team log we map explicitly (Dropbox `team_log` EventType union,
 * dropbox.com/developers/documentation/http/teams#team_log-get_events). Others map by their category.
 */
const EVENT_TYPES: Record<string, DropboxEventMapping> = {
  // logins
  login_success: login,
  login_fail: login,
  emm_error: login,
  sso_error: login,
  logout: m('logon', 'logout', C.AUTHENTICATION, A.authentication.LOGOFF),
  reseller_support_session_start: m('admin', 'impersonate', C.AUTHENTICATION, A.authentication.LOGON),
  sign_in_as_session_start: m('admin', 'impersonate', C.AUTHENTICATION, A.authentication.LOGON),
  sign_in_as_session_end: m('admin', 'logout', C.AUTHENTICATION, A.authentication.LOGOFF),
  guest_admin_signed_in_via_trusted_teams: m('admin', 'admin_access', C.AUTHENTICATION, A.authentication.LOGON),
  // devices and sessions
  device_unlink: sessionRevoke,
  device_delete_on_unlink_success: sessionRevoke,
  device_delete_on_unlink_fail: sessionRevoke,
  device_management_disabled: settings,
  // two-step verification and passwords (tfa_change_status is resolved from its details)
  tfa_reset: m('user', 'mfa_factor_reset', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_DISABLE),
  tfa_add_backup_phone: m('user', 'mfa_factor_enable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_ENABLE),
  tfa_add_security_key: m('user', 'mfa_factor_enable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_ENABLE),
  tfa_remove_backup_phone: m('user', 'mfa_factor_disable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_DISABLE),
  tfa_remove_security_key: m('user', 'mfa_factor_disable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_DISABLE),
  password_change: m('user', 'password_change', C.ACCOUNT_CHANGE, A.accountChange.PASSWORD_CHANGE),
  password_reset: m('user', 'password_reset', C.ACCOUNT_CHANGE, A.accountChange.PASSWORD_RESET),
  password_reset_all: m('user', 'password_reset', C.ACCOUNT_CHANGE, A.accountChange.PASSWORD_RESET),
  // members (member_change_status is resolved from its details)
  member_add_name: userUpdate,
  member_change_name: userUpdate,
  member_change_email: userUpdate,
  member_change_membership_type: userUpdate,
  member_change_admin_role: m('admin', 'privilege_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES),
  member_permanently_delete_account_contents: m('user', 'user_delete', C.ACCOUNT_CHANGE, A.accountChange.DELETE),
  member_transfer_account_contents: userUpdate,
  // groups
  group_add_member: m('admin', 'group_member_add', C.GROUP_MANAGEMENT, A.groupManagement.ADD_USER),
  group_remove_member: m('admin', 'group_member_remove', C.GROUP_MANAGEMENT, A.groupManagement.REMOVE_USER),
  group_create: m('admin', 'group_create', C.GROUP_MANAGEMENT, A.groupManagement.CREATE),
  group_delete: m('admin', 'group_delete', C.GROUP_MANAGEMENT, A.groupManagement.DELETE),
  group_rename: m('admin', 'group_update', C.GROUP_MANAGEMENT, A.OTHER),
  group_description_updated: m('admin', 'group_update', C.GROUP_MANAGEMENT, A.OTHER),
  // apps
  app_link_user: appGrant,
  app_link_team: appGrant,
  app_unlink_user: appRevoke,
  app_unlink_team: appRevoke,
  integration_connected: appGrant,
  integration_disconnected: appRevoke,
  // files
  file_add: file('file_upload', F.UPLOAD),
  file_download: download,
  file_preview: view,
  file_edit: file('file_edit', F.UPDATE),
  file_delete: file('file_delete', F.DELETE),
  file_permanently_delete: file('file_delete', F.DELETE),
  file_rename: file('file_rename', F.RENAME),
  file_move: file('file_move', F.MOVE),
  file_copy: file('file_copy', F.COPY),
  file_restore: file('file_restore', F.RESTORE),
  file_revert: file('file_edit', F.UPDATE),
  // sharing
  shared_content_download: download,
  shared_content_view: view,
  shared_content_add_member: share,
  shared_content_add_invitees: share,
  shared_content_change_member_role: share,
  shared_content_remove_member: unshare,
  shared_content_remove_invitees: unshare,
  shared_content_relinquish_membership: unshare,
  shared_content_unshare: unshare,
  shared_folder_create: share,
  shared_folder_mount: share,
  shared_folder_transfer_ownership: share,
  shared_folder_unmount: unshare,
  shared_folder_change_members_policy: share,
  sf_add_group: share,
  sf_invite_group: share,
  sf_external_invite_warn: share,
  sf_team_invite: share,
  shared_link_create: file('file_link_create', F.SHARE),
  shared_link_change_visibility: file('file_link_create', F.SHARE),
  shared_link_settings_add_password: file('file_link_create', F.SHARE),
  shared_link_remove_expiry: file('file_link_create', F.SHARE),
  shared_link_remove: file('file_link_remove', F.UNSHARE),
  shared_link_disable: file('file_link_remove', F.UNSHARE),
  shared_link_view: view,
  shared_link_download: download,
  ...CATALOGUE_EVENT_TYPES,
};

/** Each team_log category (`event_category`), for event types not listed above. */
const CATEGORIES: Record<string, DropboxEventMapping> = {
  logins: m('logon', 'other', C.AUTHENTICATION, A.OTHER),
  sso: m('logon', 'other', C.AUTHENTICATION, A.OTHER),
  devices: m('logon', 'other', C.AUTHENTICATION, A.OTHER),
  tfa: m('user', 'other', C.ACCOUNT_CHANGE, A.OTHER),
  passwords: m('user', 'other', C.ACCOUNT_CHANGE, A.OTHER),
  members: m('user', 'other', C.ACCOUNT_CHANGE, A.OTHER),
  groups: m('admin', 'other', C.GROUP_MANAGEMENT, A.OTHER),
  apps: m('app', 'other', C.API_ACTIVITY, A.OTHER),
  sharing: file('other', A.OTHER),
  file_operations: file('other', A.OTHER),
  file_requests: file('other', A.OTHER),
  comments: file('other', A.OTHER),
  paper: file('other', A.OTHER),
  showcase: file('other', A.OTHER),
  team_folders: file('other', A.OTHER),
  team_policies: settings,
  team_profile: settings,
  domains: m('admin', 'other', C.ENTITY_MANAGEMENT, A.OTHER),
  trusted_teams: m('admin', 'other', C.ENTITY_MANAGEMENT, A.OTHER),
  legal_holds: m('admin', 'other', C.ENTITY_MANAGEMENT, A.OTHER),
  data_governance: m('admin', 'other', C.ENTITY_MANAGEMENT, A.OTHER),
  reports: m('admin', 'other', C.ENTITY_MANAGEMENT, A.OTHER),
  team_admin_actions: m('admin', 'other', C.ENTITY_MANAGEMENT, A.OTHER),
};

const FALLBACK = m('other', 'other', C.BASE_EVENT, A.OTHER);

/**
 * The `.tag` of a union value (`{".tag": "suspended"}` → `suspended`). Records re-exported by some
 * SIEM pipelines spell it `_tag`; it is read too, so those records normalize alike.
 */
export function tagOf(value: unknown): string | null {
  const o = obj(value);
  return str(o?.['.tag']) ?? str(o?._tag);
}

/** Event types whose meaning depends on their details (from which status, to which). */
function fromDetails(eventType: string, details: Json | null): DropboxEventMapping | null {
  const next = tagOf(details?.new_value);
  const previous = tagOf(details?.previous_value);
  if (eventType === 'member_change_status') {
    if (next === 'suspended') return m('user', 'user_suspend', C.ACCOUNT_CHANGE, A.accountChange.DISABLE);
    if (next === 'removed') return m('user', 'user_delete', C.ACCOUNT_CHANGE, A.accountChange.DELETE);
    if (next === 'invited' || previous === 'not_joined') return m('user', 'user_create', C.ACCOUNT_CHANGE, A.accountChange.CREATE);
    if (next === 'active' && previous === 'suspended') return m('user', 'user_unsuspend', C.ACCOUNT_CHANGE, A.accountChange.ENABLE);
    if (next === 'active') return m('user', 'user_activate', C.ACCOUNT_CHANGE, A.accountChange.ENABLE);
    return m('user', 'other', C.ACCOUNT_CHANGE, A.OTHER);
  }
  if (eventType === 'tfa_change_status') {
    return next === 'disabled'
      ? m('user', 'mfa_factor_disable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_DISABLE)
      : m('user', 'mfa_factor_enable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_ENABLE);
  }
  if (eventType === 'member_change_admin_role' && (next === null || next === 'member_only')) {
    return m('admin', 'privilege_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES);
  }
  return null;
}

/**
 * The mapping of a team_log event: by its type (and details, for status changes), else by its
 * category; an unknown type in an unknown category is an admin `other`, so it still flows.
 */
export function dropboxEventMapping(eventType: string, category: string | null, details: Json | null): DropboxEventMapping {
  return fromDetails(eventType, details) ?? dropboxTableMapping(eventType)
    ?? (category !== null ? CATEGORIES[category] : undefined) ?? FALLBACK;
}

/**
 * The table's mapping of a type, details aside: listed exactly, in a deliberate family (a prefix),
 * or catalogued (its category's meaning, `CATALOGUE_CATEGORY`); null for a type the table does not know.
 */
export function dropboxTableMapping(eventType: string): DropboxEventMapping | null {
  const exact = EVENT_TYPES[eventType];
  if (exact) return exact;
  // A team policy's name starts like its subject (`member_send_invite_policy_changed`): the suffix decides first.
  if (eventType.endsWith('_policy_changed')) return CATALOGUE_CATEGORY.team_policies ?? null;
  for (const [prefix, mapping] of CATALOGUE_FAMILIES) if (eventType.startsWith(prefix)) return mapping;
  return CATALOGUE_CATEGORY[DROPBOX_CATEGORY_OF.get(eventType) ?? ''] ?? null;
}

const DROPBOX_CATEGORY_OF: ReadonlyMap<string, string> = new Map(
  Object.entries(DROPBOX_CATALOGUE).flatMap(([category, types]) => types.map((type) => [type, category] as const)),
);

/** The key `/v1/connectors` counts an unknown event under: its `.tag`, when the table does not know it. */
export function dropboxUnknownEventType(event: { action_raw: string }): string | null {
  return dropboxTableMapping(event.action_raw) === null ? event.action_raw : null;
}

export const KNOWN_DROPBOX_EVENT_TYPES: readonly string[] = Object.keys(EVENT_TYPES);
