import { OCSF_ACTIVITY as A, OCSF_CLASS as C } from '../../schemas/ocsf.js';
import { deliberateOther as why, mapping as m, type EventMapping } from '../runtime/event-table.js';

/** How one CloudTrail `eventName` maps to our category, action and OCSF class/activity. */
export type AwsEventMapping = EventMapping;

const grant = m('admin', 'privilege_grant', C.ACCOUNT_CHANGE, A.accountChange.ATTACH_POLICY);
const revoke = m('admin', 'privilege_revoke', C.ACCOUNT_CHANGE, A.accountChange.DETACH_POLICY);
const setting = (activityId: number) => m('admin', 'settings_change', C.API_ACTIVITY, activityId);
const userUpdate = m('user', 'user_update', C.ACCOUNT_CHANGE, A.OTHER);
const policy = (activityId: number) => m('admin', 'policy_change', C.API_ACTIVITY, activityId);
const federated = m('logon', 'sso', C.AUTHENTICATION, A.authentication.LOGON);

/**
 * CloudTrail event names we know: console sign-in, IAM, STS, and the management events that change
 * who may see or record what (CloudTrail, S3 exposure, KMS keys, EC2 security groups). Others fall
 * back to `fallback` by their verb.
 */
const EVENT_NAMES: Record<string, AwsEventMapping> = {
  ConsoleLogin: m('logon', 'login', C.AUTHENTICATION, A.authentication.LOGON),
  SwitchRole: federated,
  AssumeRole: federated,
  AssumeRoleWithSAML: federated,
  AssumeRoleWithWebIdentity: federated,
  GetSessionToken: m('logon', 'other', C.AUTHENTICATION, A.OTHER),
  GetFederationToken: m('logon', 'other', C.AUTHENTICATION, A.OTHER),

  CreateUser: m('user', 'user_create', C.ACCOUNT_CHANGE, A.accountChange.CREATE),
  DeleteUser: m('user', 'user_delete', C.ACCOUNT_CHANGE, A.accountChange.DELETE),
  UpdateUser: userUpdate,
  ChangePassword: m('user', 'password_change', C.ACCOUNT_CHANGE, A.accountChange.PASSWORD_CHANGE),
  CreateLoginProfile: m('user', 'password_reset', C.ACCOUNT_CHANGE, A.accountChange.PASSWORD_RESET),
  UpdateLoginProfile: m('user', 'password_reset', C.ACCOUNT_CHANGE, A.accountChange.PASSWORD_RESET),
  DeleteLoginProfile: m('user', 'user_deactivate', C.ACCOUNT_CHANGE, A.accountChange.DISABLE),
  CreateAccessKey: m('user', 'token_create', C.ENTITY_MANAGEMENT, A.entityManagement.CREATE),
  UpdateAccessKey: userUpdate,
  DeleteAccessKey: m('user', 'token_revoke', C.ENTITY_MANAGEMENT, A.entityManagement.DELETE),
  CreateServiceSpecificCredential: m('user', 'token_create', C.ENTITY_MANAGEMENT, A.entityManagement.CREATE),
  DeleteServiceSpecificCredential: m('user', 'token_revoke', C.ENTITY_MANAGEMENT, A.entityManagement.DELETE),
  CreateVirtualMFADevice: m('user', 'mfa_factor_enable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_ENABLE),
  ResyncMFADevice: userUpdate,
  CreatePolicy: policy(A.api.CREATE), DeletePolicy: policy(A.api.DELETE), SetDefaultPolicyVersion: policy(A.api.UPDATE),
  DeletePolicyVersion: policy(A.api.UPDATE),
  EnableMFADevice: m('user', 'mfa_factor_enable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_ENABLE),
  DeactivateMFADevice: m('user', 'mfa_factor_disable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_DISABLE),
  DeleteVirtualMFADevice: m('user', 'mfa_factor_disable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_DISABLE),

  AddUserToGroup: m('admin', 'group_member_add', C.GROUP_MANAGEMENT, A.groupManagement.ADD_USER),
  RemoveUserFromGroup: m('admin', 'group_member_remove', C.GROUP_MANAGEMENT, A.groupManagement.REMOVE_USER),
  CreateGroup: m('admin', 'group_create', C.GROUP_MANAGEMENT, A.groupManagement.CREATE),
  DeleteGroup: m('admin', 'group_delete', C.GROUP_MANAGEMENT, A.groupManagement.DELETE),
  AttachUserPolicy: grant, AttachGroupPolicy: grant, AttachRolePolicy: grant, PutUserPolicy: grant, PutGroupPolicy: grant, PutRolePolicy: grant,
  DetachUserPolicy: revoke, DetachGroupPolicy: revoke, DetachRolePolicy: revoke, DeleteUserPolicy: revoke, DeleteGroupPolicy: revoke, DeleteRolePolicy: revoke,
  CreateRole: setting(A.api.CREATE),
  DeleteRole: setting(A.api.DELETE),
  UpdateAssumeRolePolicy: policy(A.api.UPDATE),
  CreatePolicyVersion: policy(A.api.UPDATE),

  CreateTrail: setting(A.api.CREATE), DeleteTrail: setting(A.api.DELETE), UpdateTrail: setting(A.api.UPDATE),
  StartLogging: setting(A.api.UPDATE), StopLogging: setting(A.api.UPDATE), PutEventSelectors: setting(A.api.UPDATE),

  PutBucketPolicy: policy(A.api.UPDATE), DeleteBucketPolicy: policy(A.api.DELETE), PutBucketAcl: setting(A.api.UPDATE),
  PutObjectAcl: setting(A.api.UPDATE),
  PutBucketPublicAccessBlock: setting(A.api.UPDATE), DeleteBucketPublicAccessBlock: setting(A.api.DELETE),
  PutAccountPublicAccessBlock: setting(A.api.UPDATE), DeleteAccountPublicAccessBlock: setting(A.api.DELETE),

  PutKeyPolicy: policy(A.api.UPDATE), DisableKey: setting(A.api.UPDATE), ScheduleKeyDeletion: setting(A.api.DELETE),
  AuthorizeSecurityGroupIngress: setting(A.api.UPDATE), AuthorizeSecurityGroupEgress: setting(A.api.UPDATE),
  RevokeSecurityGroupIngress: setting(A.api.UPDATE), CreateSecurityGroup: setting(A.api.CREATE), DeleteSecurityGroup: setting(A.api.DELETE),
};

/**
 * Every other CloudTrail event is an API call on the account's resources: mapped deliberately by
 * its verb (the OCSF API Activity of a read, create, update or delete) as action `other`, since the
 * verb alone does not say which of our actions it is. An event name whose verb is none of these is
 * unknown (category `other`) and counted.
 */
const VERB = 'an API call on a cloud resource: its verb is in activity_id, the call in action_raw';
const VERBS: ReadonlyArray<readonly [readonly string[], AwsEventMapping]> = [
  [['Get', 'List', 'Describe', 'Lookup', 'Head', 'Search', 'BatchGet', 'Select', 'Scan', 'Query', 'Check', 'Validate', 'Preview', 'Estimate', 'View'],
    why('admin', C.API_ACTIVITY, A.api.READ, VERB)],
  [['Create', 'Run', 'Start', 'Add', 'Import', 'Copy', 'Register', 'Request', 'Allocate', 'Issue', 'Invoke', 'Publish', 'Send', 'Generate', 'Accept', 'Subscribe'],
    why('admin', C.API_ACTIVITY, A.api.CREATE, VERB)],
  [['Delete', 'Remove', 'Terminate', 'Stop', 'Deregister', 'Release', 'Cancel', 'Revoke', 'Disable', 'Unsubscribe', 'Purge', 'Reject'],
    why('admin', C.API_ACTIVITY, A.api.DELETE, VERB)],
  [['Put', 'Update', 'Modify', 'Set', 'Attach', 'Detach', 'Enable', 'Associate', 'Disassociate', 'Tag', 'Untag', 'Change', 'Replace', 'Reset', 'Restore', 'Reboot', 'Apply', 'Upload', 'Edit', 'Rotate', 'Authorize', 'Assign', 'Unassign'],
    why('admin', C.API_ACTIVITY, A.api.UPDATE, VERB)],
];
const UNKNOWN = m('other', 'other', C.API_ACTIVITY, A.OTHER);

const BY_VERB: ReadonlyMap<string, AwsEventMapping> = new Map(VERBS.flatMap(([verbs, mapping]) => verbs.map((verb) => [verb, mapping] as const)));

/** The leading word of an event name (`PutBucketPolicy` → `Put`; `BatchGetItem` → `BatchGet` is tried first). */
function byVerb(eventName: string): AwsEventMapping | null {
  let end = 1;
  while (end < eventName.length && !isUpper(eventName.charCodeAt(end))) end += 1;
  let next = end + 1;
  while (next < eventName.length && !isUpper(eventName.charCodeAt(next))) next += 1;
  return BY_VERB.get(eventName.slice(0, next)) ?? BY_VERB.get(eventName.slice(0, end)) ?? null;
}

function isUpper(code: number): boolean {
  return code >= 65 && code <= 90;
}

/** The key `/v1/connectors` counts an unknown event under: its `eventName`, when neither the table nor a verb knows it. */
export function awsUnknownEventType(event: { action_raw: string }): string | null {
  return EVENT_NAMES[event.action_raw] !== undefined || byVerb(event.action_raw) !== null ? null : event.action_raw;
}

export function awsEventMapping(eventName: string): AwsEventMapping {
  return EVENT_NAMES[eventName] ?? byVerb(eventName) ?? UNKNOWN;
}

export const KNOWN_AWS_EVENT_NAMES: readonly string[] = Object.keys(EVENT_NAMES);
