import type { Clock } from '../common/clock.js';
import type { ActivityGenerator, ActivityDraft, SimEvent } from './activity-kinds.js';
import { event } from './activity-kinds.js';
import { findGroup, findUser, type Directory, type SimUser } from './directory.js';
import { FOLDER_MIME, type DriveState, type PermissionRole, type SimFile, type SimPermission } from './drive.js';
import { googleErrors } from './google-errors.js';
import type { Reports } from './reports.js';

type Json = Record<string, any>;

// The access a role gives, in Drive audit terms.
const ACCESS: Record<PermissionRole, string> = { owner: 'owner', organizer: 'can_manage', fileOrganizer: 'can_organize', writer: 'can_edit', commenter: 'can_comment', reader: 'can_view' };
const ROLES = new Set<PermissionRole>(['owner', 'organizer', 'fileOrganizer', 'writer', 'commenter', 'reader']);
// Admin console calls come from Google's side; Drive calls from the impersonated user.
const ADMIN_CONSOLE_IP = '203.0.113.10';

/**
 * The write calls: each changes the tenant's state (visible in the next read or scan) and leaves
 * the matching audit activity (admin, token or drive), readable after that application's lag.
 * Refusals and unknown ids throw `GoogleApiError`s.
 */
export class Governance {
  constructor(
    private readonly directory: Directory,
    private readonly drive: DriveState,
    private readonly reports: Reports,
    private readonly generator: ActivityGenerator,
    private readonly clock: Clock,
  ) {}

  private actor(email: string): ActivityDraft['actor'] {
    const user = findUser(this.directory, email);
    return { callerType: 'USER', email, profileId: user?.id ?? '' };
  }

  private adminEvent(caller: string, events: SimEvent[]): void {
    this.reports.emit({ application: 'admin', actor: this.actor(caller), ipAddress: ADMIN_CONSOLE_IP, events });
  }

  private driveEvent(caller: string, file: SimFile, name: string, type: string, values: Record<string, string | boolean | string[]>): void {
    const doc = this.generator.docParams(file);
    this.reports.emit({ application: 'drive', actor: this.actor(caller), ipAddress: this.generator.ip(), events: [event(type, name, { primary_event: true, billable: true, ...doc, ...values })] });
  }

  user(userKey: string): SimUser {
    const user = findUser(this.directory, userKey);
    if (!user) throw googleErrors.notFound('userKey');
    return user;
  }

  // ---- Directory

  /** `PATCH/PUT users/{key}`: suspension, password-change-at-next-login, password, names, org unit. */
  patchUser(caller: string, userKey: string, body: Json): SimUser {
    const user = this.user(userKey);
    const email = user.primaryEmail;
    if (typeof body.suspended === 'boolean' && body.suspended !== user.suspended) {
      user.suspended = body.suspended;
      if (body.suspended) user.suspensionReason = 'ADMIN';
      else delete user.suspensionReason;
      this.adminEvent(caller, [event('USER_SETTINGS', body.suspended ? 'SUSPEND_USER' : 'UNSUSPEND_USER', { USER_EMAIL: email })]);
    }
    if (typeof body.changePasswordAtNextLogin === 'boolean' && body.changePasswordAtNextLogin !== user.changePasswordAtNextLogin) {
      const old = user.changePasswordAtNextLogin;
      user.changePasswordAtNextLogin = body.changePasswordAtNextLogin;
      this.adminEvent(caller, [event('USER_SETTINGS', 'CHANGE_PASSWORD_ON_NEXT_LOGIN', { USER_EMAIL: email, OLD_VALUE: String(old), NEW_VALUE: String(body.changePasswordAtNextLogin) })]);
    }
    if (typeof body.password === 'string' && body.password !== '') this.adminEvent(caller, [event('USER_SETTINGS', 'CHANGE_PASSWORD', { USER_EMAIL: email })]);
    if (typeof body.orgUnitPath === 'string' && body.orgUnitPath !== user.orgUnitPath) {
      this.adminEvent(caller, [event('USER_SETTINGS', 'MOVE_USER_TO_ORG_UNIT', { USER_EMAIL: email, ORG_UNIT_NAME: user.orgUnitPath, NEW_VALUE: body.orgUnitPath })]);
      user.orgUnitPath = body.orgUnitPath;
    }
    return user;
  }

  /** `POST users/{key}/signOut`: ends every session (Google logs it as RESET_SIGNIN_COOKIES). */
  signOut(caller: string, userKey: string): void {
    const user = this.user(userKey);
    this.directory.signOuts.set(user.id, this.clock.now());
    this.adminEvent(caller, [event('USER_SETTINGS', 'RESET_SIGNIN_COOKIES', { USER_EMAIL: user.primaryEmail })]);
  }

  /** `DELETE users/{key}/tokens/{clientId}`: the admin log and the user's token log both record it. */
  deleteToken(caller: string, userKey: string, clientId: string): void {
    const user = this.user(userKey);
    const tokens = this.directory.tokens.get(user.id) ?? [];
    const token = tokens.find((t) => t.clientId === clientId);
    if (!token) throw googleErrors.notFound('clientId');
    this.directory.tokens.set(user.id, tokens.filter((t) => t !== token));
    this.adminEvent(caller, [event('USER_SETTINGS', 'REVOKE_3LO_TOKEN', { USER_EMAIL: user.primaryEmail, APP_ID: clientId, APP_NAME: token.displayText })]);
    const app = this.directory.apps.find((a) => a.clientId === clientId);
    this.reports.emit({
      application: 'token', actor: this.generator.actorOf(user), ipAddress: ADMIN_CONSOLE_IP,
      events: [event('auth', 'revoke', { client_id: clientId, app_name: token.displayText, client_type: app?.clientType ?? 'WEB', scope: token.scopes })],
    });
  }

  /** `DELETE groups/{groupKey}/members/{memberKey}`: the admin log records REMOVE_GROUP_MEMBER. */
  removeGroupMember(caller: string, groupKey: string, memberKey: string): void {
    const group = findGroup(this.directory, groupKey);
    if (!group) throw googleErrors.notFound('groupKey');
    const members = this.directory.members.get(group.id) ?? [];
    const key = memberKey.toLowerCase();
    const member = members.find((m) => m.id === memberKey || m.email.toLowerCase() === key);
    if (!member) throw googleErrors.notFound('memberKey');
    this.directory.members.set(group.id, members.filter((m) => m !== member));
    group.directMembersCount = String(members.length - 1);
    this.adminEvent(caller, [event('GROUP_SETTINGS', 'REMOVE_GROUP_MEMBER', { USER_EMAIL: member.email, GROUP_EMAIL: group.email })]);
  }

  /** `DELETE customer/{customer}/roleassignments/{id}`: the admin log records UNASSIGN_ROLE. */
  deleteRoleAssignment(caller: string, roleAssignmentId: string): void {
    const assignment = this.directory.roleAssignments.find((a) => a.roleAssignmentId === roleAssignmentId);
    if (!assignment) throw googleErrors.notFound('roleAssignmentId');
    this.directory.roleAssignments.splice(this.directory.roleAssignments.indexOf(assignment), 1);
    const roleOf = (roleId: string) => this.directory.roles.find((r) => r.roleId === roleId);
    const role = roleOf(assignment.roleId);
    const user = this.directory.users.find((u) => u.id === assignment.assignedTo);
    // The user's admin flags follow the roles left: a super admin role sets isAdmin, any other isDelegatedAdmin.
    const left = this.directory.roleAssignments.filter((a) => a.assignedTo === assignment.assignedTo).map((a) => roleOf(a.roleId));
    if (user && role?.isSuperAdminRole) user.isAdmin = left.some((r) => r?.isSuperAdminRole);
    if (user && !role?.isSuperAdminRole) user.isDelegatedAdmin = left.some((r) => r && !r.isSuperAdminRole);
    this.adminEvent(caller, [event('DELEGATED_ADMIN_SETTINGS', 'UNASSIGN_ROLE', { ROLE_NAME: role?.roleName ?? assignment.roleId, USER_EMAIL: user?.primaryEmail ?? assignment.assignedTo })]);
  }

  // ---- Drive

  /** The file as `caller` may reach it: 404 when they cannot see it, 403 when they may not change its sharing. */
  editableFile(caller: string, fileId: string): SimFile {
    const file = this.drive.files.get(fileId);
    if (!file || !this.drive.canSee(file, caller)) throw googleErrors.fileNotFound(fileId);
    if (!this.drive.canShare(file, caller)) throw googleErrors.forbidden('insufficientFilePermissions', 'The user does not have sufficient permissions for this file.');
    return file;
  }

  deletePermission(caller: string, fileId: string, permissionId: string): void {
    const file = this.editableFile(caller, fileId);
    const index = file.permissions.findIndex((p) => p.id === permissionId);
    if (index < 0) {
      if (file.driveId && this.drive.permissionsOf(file).some((p) => p.id === permissionId)) {
        throw googleErrors.forbidden('cannotDeletePermission', 'The authenticated user does not have the required access to delete the permission.');
      }
      throw googleErrors.permissionNotFound(permissionId);
    }
    const permission = file.permissions[index]!;
    if (permission.role === 'owner') throw googleErrors.forbidden('cannotRemoveOwner', 'The owner of a file cannot be removed.');
    const before = this.drive.viewers(file);
    const oldVisibility = this.drive.visibility(file);
    file.permissions.splice(index, 1);
    this.touch(file, before);
    this.sharingEvent(caller, file, permission, oldVisibility, ACCESS[permission.role], 'none');
  }

  /** `POST files/{id}/permissions`: a new grant, or with `transferOwnership` a new owner (the old one keeps writer access). */
  createPermission(caller: string, fileId: string, body: Json, transferOwnership: boolean): SimPermission {
    const file = this.editableFile(caller, fileId);
    const role = body.role as PermissionRole;
    const type = body.type as SimPermission['type'];
    if (!ROLES.has(role) || !['user', 'group', 'domain', 'anyone'].includes(type)) throw googleErrors.invalid('Invalid permission: type and role are required.', 'permission');
    const before = this.drive.viewers(file);
    const oldVisibility = this.drive.visibility(file);
    if (role === 'owner') {
      if (!transferOwnership) throw googleErrors.forbidden('forbidden', "The transferOwnership parameter must be enabled when the permission role is 'owner'.");
      if (file.driveId || file.owner !== caller.toLowerCase()) throw googleErrors.forbidden('insufficientFilePermissions', 'Only the owner of a My Drive file can transfer its ownership.');
      const next = findUser(this.directory, String(body.emailAddress ?? ''));
      if (!next || next.suspended || next.archived) throw googleErrors.forbidden('invalidSharingRequest', 'Ownership can be transferred only to an active user of the organization.');
      const previous = file.owner;
      for (const p of file.permissions) if (p.role === 'owner') p.role = 'writer';
      const existing = file.permissions.find((p) => p.id === next.id);
      if (existing) existing.role = 'owner';
      else file.permissions.push(this.drive.userPermission(next, 'owner'));
      file.owner = next.primaryEmail;
      this.touch(file, before);
      this.driveEvent(caller, file, 'change_owner', 'acl_change', { new_owner: next.primaryEmail, owner: previous ?? '' });
      return file.permissions.find((p) => p.id === next.id)!;
    }
    let permission: SimPermission;
    if (type === 'user' || type === 'group') {
      const email = String(body.emailAddress ?? '').toLowerCase();
      if (!email.includes('@')) throw googleErrors.invalid('emailAddress is required for a user or group permission.', 'permission.emailAddress');
      const user = findUser(this.directory, email);
      permission = user ? this.drive.userPermission(user, role) : { id: this.drive.newPermissionId('user'), type, role, emailAddress: email };
    } else if (type === 'domain') {
      permission = { id: this.drive.newPermissionId('domain'), type, role, domain: String(body.domain ?? this.directory.domain), allowFileDiscovery: body.allowFileDiscovery === true };
    } else {
      permission = { id: this.drive.newPermissionId('anyone'), type, role, allowFileDiscovery: body.allowFileDiscovery === true };
      if (permission.allowFileDiscovery) permission.id = 'anyone';
    }
    file.permissions = file.permissions.filter((p) => p.id !== permission.id);
    file.permissions.push(permission);
    this.touch(file, before);
    this.sharingEvent(caller, file, permission, oldVisibility, 'none', ACCESS[role]);
    return permission;
  }

  /** `PATCH files/{id}`: move (addParents/removeParents), rename, trash. */
  updateFile(caller: string, fileId: string, changes: { addParents: string[]; removeParents: string[]; body: Json }): SimFile {
    const file = this.editableFile(caller, fileId);
    const before = this.drive.viewers(file);
    for (const parent of changes.addParents) {
      const folder = this.drive.files.get(parent);
      const ownRoot = this.drive.roots.get(caller.toLowerCase()) === parent;
      if (!ownRoot && !(folder && folder.mimeType === FOLDER_MIME && this.drive.canShare(folder, caller))) throw googleErrors.fileNotFound(parent);
    }
    const unknown = changes.removeParents.filter((p) => !file.parents.includes(p));
    if (unknown.length > 0) throw googleErrors.invalid(`Invalid removeParents: ${unknown.join(',')} is not a parent of the file.`, 'removeParents');
    if (changes.addParents.length > 0 || changes.removeParents.length > 0) {
      const source = [...file.parents];
      file.parents = [...file.parents.filter((p) => !changes.removeParents.includes(p)), ...changes.addParents.filter((p) => !file.parents.includes(p))];
      this.driveEvent(caller, file, 'move', 'access', { source_folder_id: source, destination_folder_id: file.parents });
    }
    if (typeof changes.body.name === 'string' && changes.body.name !== file.name) {
      this.driveEvent(caller, file, 'rename', 'access', { old_value: [file.name], new_value: [changes.body.name] });
      file.name = changes.body.name;
    }
    if (typeof changes.body.trashed === 'boolean' && changes.body.trashed !== file.trashed) {
      file.trashed = changes.body.trashed;
      this.driveEvent(caller, file, file.trashed ? 'trash' : 'untrash', 'access', {});
    }
    this.touch(file, before);
    return file;
  }

  /** `POST files`: a new file or folder owned by the caller, in their My Drive root unless parents say otherwise. */
  createFile(caller: string, body: Json): SimFile {
    const owner = findUser(this.directory, caller);
    if (!owner) throw googleErrors.notAuthorized();
    const now = this.clock.now();
    const file: SimFile = {
      id: this.drive.newFileId(), name: typeof body.name === 'string' && body.name !== '' ? body.name : 'Untitled', mimeType: typeof body.mimeType === 'string' ? body.mimeType : 'application/octet-stream',
      createdTime: now, modifiedTime: now, parents: Array.isArray(body.parents) && body.parents.length > 0 ? body.parents.map(String) : [this.drive.rootOf(owner.primaryEmail)],
      owner: owner.primaryEmail, trashed: false, permissions: [this.drive.userPermission(owner, 'owner')], labels: new Map(),
    };
    this.drive.files.set(file.id, file);
    this.touch(file, new Set());
    this.driveEvent(caller, file, 'create', 'access', {});
    return file;
  }

  /** `POST files/{id}/modifyLabels`: applies or removes labels, setting selection and text fields. */
  modifyLabels(caller: string, fileId: string, modifications: Json[]): Json[] {
    const file = this.editableFile(caller, fileId);
    const modified: Json[] = [];
    for (const modification of modifications) {
      const labelId = String(modification?.labelId ?? '');
      if (!this.drive.labels.some((l) => l.id === labelId)) throw googleErrors.invalid(`Invalid label ID: ${labelId}`, 'labelModifications.labelId');
      if (modification.removeLabel === true) {
        file.labels.delete(labelId);
        continue;
      }
      const fields = { ...(file.labels.get(labelId) ?? {}) };
      for (const field of Array.isArray(modification.fieldModifications) ? modification.fieldModifications : []) {
        if (typeof field?.fieldId !== 'string') continue;
        if (Array.isArray(field.setSelectionValues)) fields[field.fieldId] = { kind: 'drive#labelField', id: field.fieldId, valueType: 'selection', selection: field.setSelectionValues };
        else if (Array.isArray(field.setTextValues)) fields[field.fieldId] = { kind: 'drive#labelField', id: field.fieldId, valueType: 'text', text: field.setTextValues };
      }
      file.labels.set(labelId, fields);
      modified.push({ kind: 'drive#label', id: labelId, revisionId: '1', fields });
    }
    this.touch(file, this.drive.viewers(file));
    return modified;
  }

  private touch(file: SimFile, viewersBefore: ReadonlySet<string>): void {
    file.modifiedTime = this.clock.now();
    this.drive.recordChange(file, viewersBefore, file.modifiedTime);
  }

  /** A person's access changed (change_user_access), or the link or domain visibility did (change_document_visibility). */
  private sharingEvent(caller: string, file: SimFile, permission: SimPermission, oldVisibility: string, oldValue: string, newValue: string): void {
    const visibility = this.drive.visibility(file);
    const external = (permission.emailAddress ?? '').split('@').pop() !== this.directory.domain;
    if (permission.type === 'user' || permission.type === 'group') {
      this.driveEvent(caller, file, 'change_user_access', 'acl_change', {
        target_user: permission.emailAddress ?? '', old_value: [oldValue], new_value: [newValue], old_visibility: oldVisibility, visibility,
        visibility_change: external ? 'external' : 'internal',
      });
    } else {
      this.driveEvent(caller, file, 'change_document_visibility', 'acl_change', {
        old_visibility: oldVisibility, visibility, visibility_change: permission.type === 'anyone' ? 'external' : 'internal',
        ...(permission.type === 'domain' ? { target_domain: permission.domain ?? '' } : {}),
      });
    }
  }
}
