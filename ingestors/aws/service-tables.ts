import { OCSF_ACTIVITY as A, OCSF_CLASS as C } from '../../schemas/ocsf.js';
import { deliberateOther as why, mapping as m, type EventMapping, type PatternRule } from '../runtime/event-table.js';

const E = A.entityManagement;
const grant = m('admin', 'privilege_grant', C.ACCOUNT_CHANGE, A.accountChange.ATTACH_POLICY);
const revoke = m('admin', 'privilege_revoke', C.ACCOUNT_CHANGE, A.accountChange.DETACH_POLICY);
const setting = (activityId: number) => m('admin', 'settings_change', C.API_ACTIVITY, activityId);
const policy = (activityId: number) => m('admin', 'policy_change', C.API_ACTIVITY, activityId);
const userUpdate = m('user', 'user_update', C.ACCOUNT_CHANGE, A.OTHER);
const federated = m('logon', 'sso', C.AUTHENTICATION, A.authentication.LOGON);
const login = m('logon', 'login', C.AUTHENTICATION, A.authentication.LOGON);
const tokenCreate = m('user', 'token_create', C.ENTITY_MANAGEMENT, E.CREATE);
const tokenRevoke = m('user', 'token_revoke', C.ENTITY_MANAGEMENT, E.DELETE);
const mfaEnable = m('user', 'mfa_factor_enable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_ENABLE);
const mfaDisable = m('user', 'mfa_factor_disable', C.ACCOUNT_CHANGE, A.accountChange.MFA_FACTOR_DISABLE);
const passwordReset = m('user', 'password_reset', C.ACCOUNT_CHANGE, A.accountChange.PASSWORD_RESET);
const file = (action: 'file_download' | 'file_upload' | 'file_delete' | 'file_copy', activityId: number) => m('file', action, C.FILE_HOSTING_ACTIVITY, activityId);
const dataExport = m('admin', 'data_export', C.WEB_RESOURCES_ACTIVITY, A.webResources.EXPORT);
const read = (reason: string) => why('admin', C.API_ACTIVITY, A.api.READ, reason);

/** One service's table: its event names mapped one by one, then its verb families (most specific first). */
export interface ServiceTable {
  exact?: Record<string, EventMapping>;
  rules?: PatternRule[];
}

/**
 * Per event source: the security-relevant event names, and the verb families whose meaning is the same
 * across the service (IAM's `Attach*Policy` grants, S3's `PutBucket*` configure a bucket). Each rule
 * is exercised by catalogued names (`AWS_CATALOGUE`) in the catalogue test. What neither lists is
 * mapped by its verb alone (`VERBS`, below).
 */
export const SERVICES: Readonly<Record<string, ServiceTable>> = {
  'signin.amazonaws.com': {
    exact: {
      ConsoleLogin: login,
      UserAuthentication: login,
      CheckMfa: m('logon', 'mfa_verify', C.AUTHENTICATION, A.OTHER),
      CredentialVerification: m('logon', 'mfa_verify', C.AUTHENTICATION, A.OTHER),
      CredentialChallenge: m('logon', 'mfa_challenge', C.AUTHENTICATION, A.OTHER),
      SwitchRole: federated,
      RenewRole: federated,
      GetSigninToken: federated,
      ExitRole: m('logon', 'logout', C.AUTHENTICATION, A.authentication.LOGOFF),
      PasswordRecoveryCompleted: passwordReset,
      PasswordRecoveryRequested: why('logon', C.ACCOUNT_CHANGE, A.OTHER, 'a password recovery asked for: the reset itself is PasswordRecoveryCompleted'),
    },
  },
  'sts.amazonaws.com': {
    exact: {
      AssumeRole: federated,
      AssumeRoleWithSAML: federated,
      AssumeRoleWithWebIdentity: federated,
      AssumeRoot: m('admin', 'admin_access', C.AUTHENTICATION, A.authentication.LOGON),
      // Temporary credentials issued to the caller.
      GetSessionToken: m('logon', 'token_create', C.AUTHENTICATION, A.OTHER),
      GetFederationToken: m('logon', 'token_create', C.AUTHENTICATION, A.OTHER),
    },
  },
  'iam.amazonaws.com': {
    exact: {
      CreateUser: m('user', 'user_create', C.ACCOUNT_CHANGE, A.accountChange.CREATE),
      DeleteUser: m('user', 'user_delete', C.ACCOUNT_CHANGE, A.accountChange.DELETE),
      UpdateUser: userUpdate,
      ChangePassword: m('user', 'password_change', C.ACCOUNT_CHANGE, A.accountChange.PASSWORD_CHANGE),
      CreateLoginProfile: passwordReset,
      UpdateLoginProfile: passwordReset,
      DeleteLoginProfile: m('user', 'user_deactivate', C.ACCOUNT_CHANGE, A.accountChange.DISABLE),
      CreateAccessKey: tokenCreate,
      UpdateAccessKey: userUpdate,
      DeleteAccessKey: tokenRevoke,
      CreateServiceSpecificCredential: tokenCreate,
      DeleteServiceSpecificCredential: tokenRevoke,
      UploadSSHPublicKey: tokenCreate,
      DeleteSSHPublicKey: tokenRevoke,
      UploadSigningCertificate: tokenCreate,
      DeleteSigningCertificate: tokenRevoke,
      CreateVirtualMFADevice: mfaEnable,
      EnableMFADevice: mfaEnable,
      DeactivateMFADevice: mfaDisable,
      DeleteVirtualMFADevice: mfaDisable,
      ResyncMFADevice: userUpdate,
      AddUserToGroup: m('admin', 'group_member_add', C.GROUP_MANAGEMENT, A.groupManagement.ADD_USER),
      RemoveUserFromGroup: m('admin', 'group_member_remove', C.GROUP_MANAGEMENT, A.groupManagement.REMOVE_USER),
      CreateGroup: m('admin', 'group_create', C.GROUP_MANAGEMENT, A.groupManagement.CREATE),
      DeleteGroup: m('admin', 'group_delete', C.GROUP_MANAGEMENT, A.groupManagement.DELETE),
      UpdateGroup: m('admin', 'group_update', C.GROUP_MANAGEMENT, A.OTHER),
      // Managed policies and trust policies: who may do what changes for everyone they are attached to.
      CreatePolicy: policy(A.api.CREATE),
      DeletePolicy: policy(A.api.DELETE),
      CreatePolicyVersion: policy(A.api.UPDATE),
      DeletePolicyVersion: policy(A.api.UPDATE),
      SetDefaultPolicyVersion: policy(A.api.UPDATE),
      UpdateAssumeRolePolicy: policy(A.api.UPDATE),
      UpdateAccountPasswordPolicy: policy(A.api.UPDATE),
      DeleteAccountPasswordPolicy: policy(A.api.DELETE),
    },
    rules: [
      { prefix: 'Attach', suffix: 'Policy', mapping: grant },
      { prefix: 'Put', suffix: 'Policy', mapping: grant },
      { prefix: 'Detach', suffix: 'Policy', mapping: revoke },
      { prefix: 'Delete', suffix: 'Policy', mapping: revoke },
      { prefix: 'Put', suffix: 'PermissionsBoundary', mapping: policy(A.api.UPDATE) },
      { prefix: 'Delete', suffix: 'PermissionsBoundary', mapping: policy(A.api.DELETE) },
      // Identity providers the account trusts.
      { suffix: 'SAMLProvider', mapping: policy(A.api.UPDATE) },
      { suffix: 'OpenIDConnectProvider', mapping: policy(A.api.UPDATE) },
      { prefix: 'Create', mapping: setting(A.api.CREATE) },
      { prefix: 'Delete', mapping: setting(A.api.DELETE) },
      { prefix: 'Update', mapping: setting(A.api.UPDATE) },
      { prefix: 'Add', mapping: setting(A.api.UPDATE) },
      { prefix: 'Remove', mapping: setting(A.api.UPDATE) },
    ],
  },
  's3.amazonaws.com': {
    exact: {
      PutBucketPolicy: policy(A.api.UPDATE),
      DeleteBucketPolicy: policy(A.api.DELETE),
      PutBucketAcl: policy(A.api.UPDATE),
      PutObjectAcl: policy(A.api.UPDATE),
      PutBucketPublicAccessBlock: policy(A.api.UPDATE),
      DeleteBucketPublicAccessBlock: policy(A.api.DELETE),
      PutAccountPublicAccessBlock: policy(A.api.UPDATE),
      DeleteAccountPublicAccessBlock: policy(A.api.DELETE),
      PutBucketOwnershipControls: policy(A.api.UPDATE),
      // Data events (when the trail records them): objects read, written, copied and deleted.
      GetObject: file('file_download', A.fileHosting.DOWNLOAD),
      PutObject: file('file_upload', A.fileHosting.UPLOAD),
      CompleteMultipartUpload: file('file_upload', A.fileHosting.UPLOAD),
      CopyObject: file('file_copy', A.fileHosting.COPY),
      DeleteObject: file('file_delete', A.fileHosting.DELETE),
      DeleteObjects: file('file_delete', A.fileHosting.DELETE),
      CreateMultipartUpload: why('file', C.FILE_HOSTING_ACTIVITY, A.OTHER, 'an upload begun: CompleteMultipartUpload is the upload'),
      UploadPart: why('file', C.FILE_HOSTING_ACTIVITY, A.OTHER, 'one part of an upload: CompleteMultipartUpload is the upload'),
      RestoreObject: why('file', C.FILE_HOSTING_ACTIVITY, A.OTHER, 'an archived object brought back to a readable tier: not an undelete'),
    },
    rules: [
      { prefix: 'CreateBucket', mapping: setting(A.api.CREATE) },
      { prefix: 'DeleteBucket', mapping: setting(A.api.DELETE) },
      { prefix: 'PutBucket', mapping: setting(A.api.UPDATE) },
    ],
  },
  'ec2.amazonaws.com': {
    exact: {
      ModifySecurityGroupRules: policy(A.api.UPDATE),
      CreateSecurityGroup: policy(A.api.CREATE),
      DeleteSecurityGroup: policy(A.api.DELETE),
      // Sharing a snapshot or an image with other accounts (or everyone).
      ModifySnapshotAttribute: policy(A.api.UPDATE),
      ModifyImageAttribute: policy(A.api.UPDATE),
      CreateKeyPair: tokenCreate,
      ImportKeyPair: tokenCreate,
      DeleteKeyPair: tokenRevoke,
      CreateInstanceExportTask: dataExport,
      DisableEbsEncryptionByDefault: setting(A.api.UPDATE),
      GetPasswordData: why('admin', C.API_ACTIVITY, A.api.READ, 'a Windows instance\'s administrator password read: a read, named in action_raw'),
    },
    rules: [
      // Network access: security group and network ACL rules.
      { prefix: 'Authorize', suffix: 'SecurityGroupIngress', mapping: policy(A.api.UPDATE) },
      { prefix: 'Authorize', suffix: 'SecurityGroupEgress', mapping: policy(A.api.UPDATE) },
      { prefix: 'Revoke', suffix: 'SecurityGroupIngress', mapping: policy(A.api.UPDATE) },
      { prefix: 'Revoke', suffix: 'SecurityGroupEgress', mapping: policy(A.api.UPDATE) },
      { suffix: 'NetworkAclEntry', mapping: policy(A.api.UPDATE) },
    ],
  },
  'kms.amazonaws.com': {
    exact: {
      PutKeyPolicy: policy(A.api.UPDATE),
      // A grant lets a principal use the key; AWS services make most of them (EBS for an encrypted
      // volume), so they are a change of the key's access policy, not a privilege granted to a person.
      CreateGrant: policy(A.api.CREATE),
      RevokeGrant: policy(A.api.DELETE),
      RetireGrant: policy(A.api.DELETE),
      ScheduleKeyDeletion: setting(A.api.DELETE),
      CancelKeyDeletion: setting(A.api.UPDATE),
    },
    rules: [
      { prefix: 'Create', mapping: setting(A.api.CREATE) },
      { prefix: 'Delete', mapping: setting(A.api.DELETE) },
      { prefix: 'Enable', mapping: setting(A.api.UPDATE) },
      { prefix: 'Disable', mapping: setting(A.api.UPDATE) },
      ...['Decrypt', 'Encrypt', 'GenerateDataKey', 'ReEncrypt', 'Sign', 'Verify', 'GenerateMac', 'GenerateRandom'].map((prefix) => ({
        prefix, mapping: why('app', C.API_ACTIVITY, A.OTHER, 'a key used for a cryptographic operation: no action of ours names it'),
      })),
    ],
  },
  'cloudtrail.amazonaws.com': {
    exact: { StopLogging: setting(A.api.UPDATE), StartLogging: setting(A.api.UPDATE), DeleteTrail: setting(A.api.DELETE) },
    rules: [
      { prefix: 'Create', mapping: setting(A.api.CREATE) },
      { prefix: 'Delete', mapping: setting(A.api.DELETE) },
      { prefix: 'Update', mapping: setting(A.api.UPDATE) },
      { prefix: 'Put', mapping: setting(A.api.UPDATE) },
    ],
  },
  'organizations.amazonaws.com': {
    exact: {
      LeaveOrganization: setting(A.api.DELETE),
      RemoveAccountFromOrganization: setting(A.api.DELETE),
      InviteAccountToOrganization: setting(A.api.CREATE),
      CreateAccount: setting(A.api.CREATE),
      CloseAccount: setting(A.api.DELETE),
      // Service control policies: what every account of the organization may do.
      CreatePolicy: policy(A.api.CREATE), UpdatePolicy: policy(A.api.UPDATE), DeletePolicy: policy(A.api.DELETE),
      AttachPolicy: policy(A.api.UPDATE), DetachPolicy: policy(A.api.UPDATE),
      EnablePolicyType: policy(A.api.UPDATE), DisablePolicyType: policy(A.api.UPDATE),
    },
    rules: [
      { prefix: 'Enable', mapping: setting(A.api.UPDATE) },
      { prefix: 'Disable', mapping: setting(A.api.UPDATE) },
    ],
  },
  'config.amazonaws.com': {
    exact: { PutConfigRule: policy(A.api.UPDATE), DeleteConfigRule: policy(A.api.DELETE) },
    rules: [
      { suffix: 'ConfigurationRecorder', mapping: setting(A.api.UPDATE) },
      { suffix: 'DeliveryChannel', mapping: setting(A.api.UPDATE) },
    ],
  },
  'guardduty.amazonaws.com': {
    exact: {
      ArchiveFindings: why('security', C.DETECTION_FINDING, A.finding.CLOSE, 'findings archived: they were reported when found; who archived them is in the actor'),
    },
    rules: [
      // Filters (suppression rules), trusted IP sets and threat lists decide what is reported.
      { suffix: 'Filter', mapping: policy(A.api.UPDATE) },
      { suffix: 'IPSet', mapping: policy(A.api.UPDATE) },
      { suffix: 'ThreatIntelSet', mapping: policy(A.api.UPDATE) },
      { suffix: 'Detector', mapping: setting(A.api.UPDATE) },
      { prefix: 'Disassociate', mapping: setting(A.api.UPDATE) },
      { prefix: 'DeleteMembers', mapping: setting(A.api.DELETE) },
    ],
  },
  'lambda.amazonaws.com': {
    // Lambda's event names carry the API version (AddPermission20150331v2).
    rules: [
      { prefix: 'AddPermission', mapping: policy(A.api.UPDATE) },
      { prefix: 'RemovePermission', mapping: policy(A.api.UPDATE) },
      { prefix: 'CreateFunctionUrlConfig', mapping: policy(A.api.CREATE) },
      { prefix: 'UpdateFunctionUrlConfig', mapping: policy(A.api.UPDATE) },
      ...['CreateFunction', 'UpdateFunctionCode', 'UpdateFunctionConfiguration', 'DeleteFunction'].map((prefix) => ({
        prefix, mapping: why('app', C.API_ACTIVITY, prefix.startsWith('Create') ? A.api.CREATE : prefix.startsWith('Delete') ? A.api.DELETE : A.api.UPDATE, 'code deployed or removed: no action of ours names it'),
      })),
    ],
  },
  'rds.amazonaws.com': {
    exact: {
      ModifyDBSnapshotAttribute: policy(A.api.UPDATE),
      ModifyDBClusterSnapshotAttribute: policy(A.api.UPDATE),
      StartExportTask: dataExport,
      ModifyDBInstance: setting(A.api.UPDATE),
      DeleteDBInstance: setting(A.api.DELETE),
      DeleteDBCluster: setting(A.api.DELETE),
    },
  },
  'secretsmanager.amazonaws.com': {
    exact: {
      CreateSecret: tokenCreate, PutSecretValue: tokenCreate, RotateSecret: tokenCreate,
      DeleteSecret: tokenRevoke,
      RestoreSecret: setting(A.api.UPDATE),
      PutResourcePolicy: policy(A.api.UPDATE), DeleteResourcePolicy: policy(A.api.DELETE),
      GetSecretValue: read('a secret read: which one is in the request; no action of ours names a read of a credential'),
    },
  },
  'ssm.amazonaws.com': {
    exact: {
      StartSession: m('admin', 'admin_access', C.AUTHENTICATION, A.authentication.LOGON),
      ResumeSession: m('admin', 'admin_access', C.AUTHENTICATION, A.authentication.LOGON),
      TerminateSession: m('admin', 'logout', C.AUTHENTICATION, A.authentication.LOGOFF),
      SendCommand: why('admin', C.API_ACTIVITY, A.api.CREATE, 'a command run on managed instances: which is in the request'),
      ModifyDocumentPermission: policy(A.api.UPDATE),
    },
    rules: [
      { prefix: 'PutParameter', mapping: setting(A.api.UPDATE) },
      { prefix: 'DeleteParameter', mapping: setting(A.api.DELETE) },
    ],
  },
  'sso.amazonaws.com': {
    exact: {
      CreateAccountAssignment: m('admin', 'privilege_grant', C.USER_ACCESS_MANAGEMENT, A.userAccess.ASSIGN_PRIVILEGES),
      DeleteAccountAssignment: m('admin', 'privilege_revoke', C.USER_ACCESS_MANAGEMENT, A.userAccess.REVOKE_PRIVILEGES),
    },
    rules: [{ suffix: 'PermissionSet', mapping: policy(A.api.UPDATE) }],
  },
};
