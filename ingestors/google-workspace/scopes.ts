import type { Capability } from '../contract.js';

/**
 * The OAuth scopes the connector asks for, one per job. Each request uses a token for its own scope
 * only: Google refuses a whole token request when one of its scopes is not authorized for
 * domain-wide delegation, so a missing scope then costs only the capabilities that need it.
 */
export const SCOPES = {
  reports: 'https://www.googleapis.com/auth/admin.reports.audit.readonly',
  users: 'https://www.googleapis.com/auth/admin.directory.user',
  userSecurity: 'https://www.googleapis.com/auth/admin.directory.user.security',
  groups: 'https://www.googleapis.com/auth/admin.directory.group.readonly',
  roles: 'https://www.googleapis.com/auth/admin.directory.rolemanagement.readonly',
  groupsWrite: 'https://www.googleapis.com/auth/admin.directory.group',
  rolesWrite: 'https://www.googleapis.com/auth/admin.directory.rolemanagement',
  drive: 'https://www.googleapis.com/auth/drive',
} as const;

export type ScopeName = keyof typeof SCOPES;

/** What each scope serves, for "missing permission: <scope>". */
export const SCOPE_CAPABILITIES: Record<ScopeName, readonly Capability[]> = {
  reports: ['activities:logon', 'activities:user', 'activities:admin'],
  users: ['accounts', 'action:suspend_user', 'action:unsuspend_user', 'action:force_password_change'],
  userSecurity: ['app_grants', 'action:revoke_sessions', 'action:revoke_app_grant'],
  groups: ['groups'],
  roles: ['privileges'],
  groupsWrite: ['action:remove_from_group'],
  rolesWrite: ['action:remove_privilege'],
  drive: [
    'files:periodic', 'files:realtime', 'action:remove_public_link', 'action:remove_permission',
    'action:remove_external_collaborators', 'action:make_private', 'action:quarantine', 'action:restore_sharing', 'action:apply_label',
  ],
};

/** Who a request acts as and with which scope: the admin, or (Drive) the user whose files are read. */
export interface Principal {
  scope: ScopeName;
  /** The impersonated user's email; the configured admin when absent. */
  subject?: string;
}
