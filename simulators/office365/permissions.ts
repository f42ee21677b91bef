/**
 * Which application permissions each kind of call needs (any one of the list), per Microsoft Graph's
 * permission reference for the endpoints the simulator serves. A token without one of them gets 403.
 */
export const NEEDS = {
  readUsers: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  readSignInActivity: ['AuditLog.Read.All'],
  enableDisableUser: ['User.EnableDisableAccount.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'],
  writePasswordProfile: ['User-PasswordProfile.ReadWrite.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'],
  writeUsers: ['User.ReadWrite.All', 'Directory.ReadWrite.All'],
  revokeSessions: ['User.RevokeSessions.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'],
  readGroups: ['GroupMember.Read.All', 'Group.Read.All', 'Group.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  writeGroupMembers: ['GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'],
  readRoles: ['RoleManagement.Read.Directory', 'RoleManagement.ReadWrite.Directory', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  writeRoles: ['RoleManagement.ReadWrite.Directory'],
  readApps: ['Application.Read.All', 'Application.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  readGrants: ['DelegatedPermissionGrant.Read.All', 'DelegatedPermissionGrant.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  writeGrants: ['DelegatedPermissionGrant.ReadWrite.All', 'Directory.ReadWrite.All'],
  writeAppRoleAssignments: ['AppRoleAssignment.ReadWrite.All'],
  readOrganization: ['Organization.Read.All', 'Organization.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  readFiles: ['Files.Read.All', 'Files.ReadWrite.All', 'Sites.Read.All', 'Sites.ReadWrite.All', 'Sites.FullControl.All'],
  writeFiles: ['Files.ReadWrite.All', 'Sites.ReadWrite.All', 'Sites.FullControl.All'],
  activityFeed: ['ActivityFeed.Read'],
  activityFeedDlp: ['ActivityFeed.ReadDlp'],
} as const satisfies Record<string, readonly string[]>;

export type Need = keyof typeof NEEDS;

export function allows(roles: readonly string[], need: Need): boolean {
  return NEEDS[need].some((permission) => roles.includes(permission));
}
