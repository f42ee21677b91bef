import type { AccountEvent, Subject } from '../../schemas/types.js';
import type { SubjectType } from '../../schemas/vocabulary.js';
import type { SnapshotContext } from '../contract.js';
import { arr, type Json, looksLikeEmail, obj } from '../runtime/json-fields.js';
import { isoTime } from '../runtime/provider-time.js';
import { failure, put, requireObject, requireString, str } from './fields.js';
import { buildAccountEvent } from '../../schemas/account-event.js';

/**
 * Microsoft Graph directory objects → AccountEvents. Pure; each throws AW_NORMALIZE_FAILED naming the
 * field when an id is missing. Inputs are Graph objects as `GET /users`, `/groups`, `/groups/{id}/members`,
 * `/directoryRoles/{id}/members`, `/oauth2PermissionGrants` and `/servicePrincipals/{id}/appRoleAssignedTo` return them.
 */

/** A `user` → kind `user`; `accountEnabled: false` (sign-in blocked) is `suspended`. */
export function normalizeGraphUser(rawUser: unknown, ctx: SnapshotContext): AccountEvent {
  const user = requireObject(rawUser, '(record)');
  const subject = userSubject(user, 'id');
  const enabled = user.accountEnabled;
  const attributes: Record<string, string> = {};
  put(attributes, 'user_principal_name', user.userPrincipalName);
  put(attributes, 'user_type', user.userType);
  put(attributes, 'job_title', user.jobTitle);
  put(attributes, 'department', user.department);
  put(attributes, 'sign_in_sessions_valid_from', user.signInSessionsValidFromDateTime);
  put(attributes, 'force_change_password_next_sign_in', obj(user.passwordProfile)?.forceChangePasswordNextSignIn);
  put(attributes, 'external_user_state', user.externalUserState);
  return accountEvent(ctx, 'user', [subject.id], subject, {
    status: enabled === true ? 'active' : enabled === false ? 'suspended' : 'unknown',
    status_raw: typeof enabled === 'boolean' ? `accountEnabled=${String(enabled)}` : null,
    created_at: isoTime(user.createdDateTime),
    last_login_at: isoTime(obj(user.signInActivity)?.lastSignInDateTime),
    attributes,
    raw: JSON.stringify(rawUser),
  });
}

/** A `group` → kind `group`. */
export function normalizeGraphGroup(rawGroup: unknown, ctx: SnapshotContext): AccountEvent {
  const group = requireObject(rawGroup, '(record)');
  const id = requireString(group, 'id');
  const attributes: Record<string, string> = {};
  const types = arr(group.groupTypes).filter((t): t is string => typeof t === 'string');
  if (types.length > 0) attributes.group_types = types.join(',');
  put(attributes, 'security_enabled', group.securityEnabled);
  put(attributes, 'mail_enabled', group.mailEnabled);
  put(attributes, 'visibility', group.visibility);
  put(attributes, 'description', group.description);
  const subject: Subject = { type: 'group', id, email: str(group.mail), name: str(group.displayName) };
  return accountEvent(ctx, 'group', [id], subject, { created_at: isoTime(group.createdDateTime), attributes, raw: JSON.stringify(rawGroup) });
}

/** A member listed by `GET /groups/{id}/members` (a user, a group, a service principal or a device) → kind `membership`. */
export function normalizeGraphMembership(rawGroup: unknown, rawMember: unknown, ctx: SnapshotContext): AccountEvent {
  const group = requireObject(rawGroup, 'group');
  const groupId = requireString(group, 'id', 'group.id');
  const subject = directoryObjectSubject(requireObject(rawMember, 'member'), 'member.id');
  return accountEvent(ctx, 'membership', [groupId, subject.id], subject, {
    group: { id: groupId, name: str(group.displayName) },
    raw: JSON.stringify({ group: rawGroup, member: rawMember }),
  });
}

/** A member of an activated directory role (`GET /directoryRoles/{id}/members`) → kind `privilege`. */
export function normalizeGraphRoleMember(rawRole: unknown, rawMember: unknown, ctx: SnapshotContext): AccountEvent {
  const role = requireObject(rawRole, 'role');
  const roleId = requireString(role, 'id', 'role.id');
  const subject = directoryObjectSubject(requireObject(rawMember, 'member'), 'member.id');
  const attributes: Record<string, string> = {};
  put(attributes, 'role_template_id', role.roleTemplateId);
  put(attributes, 'role_description', role.description);
  return accountEvent(ctx, 'privilege', [subject.id, roleId], subject, {
    // The template id is the same in every tenant (62e90394-... is Global Administrator): policies match on it.
    privilege: { id: roleId, name: str(role.displayName), type: str(role.roleTemplateId) },
    attributes,
    raw: JSON.stringify({ role: rawRole, member: rawMember }),
  });
}

/** What a delegated grant refers to, resolved by the caller from the scan (any may be unknown). */
export interface GrantContext {
  /** The client app's service principal. */
  client?: Json | null;
  /** The API's service principal (e.g. Microsoft Graph). */
  resource?: Json | null;
  /** The user who consented, for `consentType: Principal`. */
  principal?: Json | null;
}

/**
 * An `oAuth2PermissionGrant` (delegated permissions) → kind `app_grant`. The subject is the consenting
 * user; a tenant-wide consent (`AllPrincipals`) has the client app itself as subject.
 */
export function normalizeGraphPermissionGrant(rawGrant: unknown, refs: GrantContext, ctx: SnapshotContext): AccountEvent {
  const grant = requireObject(rawGrant, '(record)');
  const grantId = requireString(grant, 'id');
  const clientId = requireString(grant, 'clientId');
  const consentType = str(grant.consentType);
  const principalId = str(grant.principalId);
  const client = refs.client ?? null;
  let subject: Subject;
  if (consentType === 'Principal' && principalId !== null) {
    subject = refs.principal ? userSubject({ ...refs.principal, id: principalId }, 'principalId') : { type: 'user', id: principalId, email: null, name: null };
  } else {
    subject = { type: 'service', id: clientId, email: null, name: str(client?.displayName) };
  }
  const attributes: Record<string, string> = { grant_type: 'delegated' };
  put(attributes, 'grant_id', grantId);
  put(attributes, 'consent_type', consentType);
  put(attributes, 'client_service_principal_id', clientId);
  put(attributes, 'resource_id', grant.resourceId);
  put(attributes, 'resource_name', refs.resource?.displayName);
  return accountEvent(ctx, 'app_grant', [grantId], subject, {
    app: {
      id: str(client?.appId) ?? clientId,
      name: str(client?.displayName),
      scopes: (str(grant.scope) ?? '').split(' ').filter((s) => s !== ''),
    },
    raw: JSON.stringify(rawGrant),
    attributes,
  });
}

/**
 * An `appRoleAssignment` to a service principal (an application permission, e.g. Mail.Read for an app
 * acting on its own) → kind `app_grant`, whose subject is that service principal. `resource` is the API's
 * service principal, whose `appRoles` name the permission.
 */
export function normalizeGraphAppRoleAssignment(rawAssignment: unknown, rawResource: unknown, client: Json | null, ctx: SnapshotContext): AccountEvent {
  const assignment = requireObject(rawAssignment, '(record)');
  const assignmentId = requireString(assignment, 'id');
  const principalId = requireString(assignment, 'principalId');
  const resource = obj(rawResource);
  const appRoleId = str(assignment.appRoleId);
  const role = arr(resource?.appRoles).map(obj).find((r) => r !== null && r.id === appRoleId) ?? null;
  const attributes: Record<string, string> = { grant_type: 'application' };
  put(attributes, 'grant_id', assignmentId);
  put(attributes, 'app_role_id', appRoleId);
  put(attributes, 'resource_id', assignment.resourceId);
  put(attributes, 'resource_name', str(assignment.resourceDisplayName) ?? str(resource?.displayName));
  put(attributes, 'principal_type', assignment.principalType);
  const name = str(assignment.principalDisplayName) ?? str(client?.displayName);
  return accountEvent(ctx, 'app_grant', [assignmentId], { type: 'service', id: principalId, email: null, name }, {
    created_at: isoTime(assignment.createdDateTime),
    app: { id: str(client?.appId) ?? principalId, name, scopes: [str(role?.value) ?? appRoleId ?? 'unknown'] },
    attributes,
    raw: JSON.stringify({ assignment: rawAssignment, resource: resource === null ? null : { id: resource.id, displayName: resource.displayName } }),
  });
}

function accountEvent(
  ctx: SnapshotContext, kind: AccountEvent['kind'], ids: string[], subject: Subject, rest: Partial<AccountEvent> & { raw: string },
): AccountEvent {
  return buildAccountEvent('office365', ctx, kind, ids, subject, rest);
}

function userSubject(user: Json, idField: string): Subject & { id: string } {
  const id = str(user.id);
  if (id === null) throw failure(idField, `${idField} is missing or not a string`);
  const upn = str(user.userPrincipalName);
  const mail = str(user.mail);
  return {
    type: 'user',
    id,
    email: looksLikeEmail(mail) ? mail : looksLikeEmail(upn) && !upn.includes('#EXT#') ? upn : null,
    name: str(user.displayName) ?? upn,
  };
}

const ODATA_TYPES: Record<string, SubjectType> = {
  '#microsoft.graph.user': 'user', '#microsoft.graph.group': 'group', '#microsoft.graph.servicePrincipal': 'service',
};

/** A directoryObject as member lists return it: `@odata.type` tells users, groups and service principals apart. */
function directoryObjectSubject(member: Json, idField: string): Subject & { id: string } {
  const type = ODATA_TYPES[String(member['@odata.type'])] ?? (str(member.userPrincipalName) !== null ? 'user' : 'unknown');
  if (type === 'user') return userSubject(member, idField);
  const id = str(member.id);
  if (id === null) throw failure(idField, `${idField} is missing or not a string`);
  return { type, id, email: looksLikeEmail(str(member.mail)) ? str(member.mail) : null, name: str(member.displayName) };
}
