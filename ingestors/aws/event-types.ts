import { OCSF_ACTIVITY as A, OCSF_CLASS as C } from '../../schemas/ocsf.js';
import type { AuditAction, AuditCategory } from '../../schemas/vocabulary.js';

/** How one CloudTrail `eventName` maps to our category, action and OCSF class/activity. */
export interface AwsEventMapping {
  category: AuditCategory;
  action: AuditAction;
  classUid: number;
  activityId: number;
}

function m(category: AuditCategory, action: AuditAction, classUid: number, activityId: number): AwsEventMapping {
  return { category, action, classUid, activityId };
}

const grant = m('admin', 'privilege_grant', C.ACCOUNT_CHANGE, A.accountChange.ATTACH_POLICY);
const revoke = m('admin', 'privilege_revoke', C.ACCOUNT_CHANGE, A.accountChange.DETACH_POLICY);
const setting = (activityId: number) => m('admin', 'settings_change', C.API_ACTIVITY, activityId);
const userUpdate = m('user', 'user_update', C.ACCOUNT_CHANGE, A.OTHER);
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
  CreateAccessKey: userUpdate,
  UpdateAccessKey: userUpdate,
  DeleteAccessKey: userUpdate,
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
  UpdateAssumeRolePolicy: setting(A.api.UPDATE),
  CreatePolicyVersion: setting(A.api.UPDATE),

  CreateTrail: setting(A.api.CREATE), DeleteTrail: setting(A.api.DELETE), UpdateTrail: setting(A.api.UPDATE),
  StartLogging: setting(A.api.UPDATE), StopLogging: setting(A.api.UPDATE), PutEventSelectors: setting(A.api.UPDATE),

  PutBucketPolicy: setting(A.api.UPDATE), DeleteBucketPolicy: setting(A.api.DELETE), PutBucketAcl: setting(A.api.UPDATE),
  PutObjectAcl: setting(A.api.UPDATE),
  PutBucketPublicAccessBlock: setting(A.api.UPDATE), DeleteBucketPublicAccessBlock: setting(A.api.DELETE),
  PutAccountPublicAccessBlock: setting(A.api.UPDATE), DeleteAccountPublicAccessBlock: setting(A.api.DELETE),

  PutKeyPolicy: setting(A.api.UPDATE), DisableKey: setting(A.api.UPDATE), ScheduleKeyDeletion: setting(A.api.DELETE),
  AuthorizeSecurityGroupIngress: setting(A.api.UPDATE), AuthorizeSecurityGroupEgress: setting(A.api.UPDATE),
  RevokeSecurityGroupIngress: setting(A.api.UPDATE), CreateSecurityGroup: setting(A.api.CREATE), DeleteSecurityGroup: setting(A.api.DELETE),
};

/** An unknown event by its verb: reads and writes of the account's resources. */
function fallback(eventName: string): AwsEventMapping {
  if (/^(Get|List|Describe|Lookup|Head|Search|Batch?Get)/.test(eventName)) return m('admin', 'other', C.API_ACTIVITY, A.api.READ);
  if (/^(Create|Run|Start|Add|Import|Copy)/.test(eventName)) return m('admin', 'other', C.API_ACTIVITY, A.api.CREATE);
  if (/^(Delete|Remove|Terminate|Stop|Deregister)/.test(eventName)) return m('admin', 'other', C.API_ACTIVITY, A.api.DELETE);
  if (/^(Put|Update|Modify|Set|Attach|Detach|Enable|Disable|Associate|Disassociate|Tag|Untag)/.test(eventName)) return m('admin', 'other', C.API_ACTIVITY, A.api.UPDATE);
  return m('admin', 'other', C.API_ACTIVITY, A.OTHER);
}

export function awsEventMapping(eventName: string): AwsEventMapping {
  return EVENT_NAMES[eventName] ?? fallback(eventName);
}

export const KNOWN_AWS_EVENT_NAMES: readonly string[] = Object.keys(EVENT_NAMES);
