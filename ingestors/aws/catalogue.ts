/**
 * CloudTrail's catalogue, as data: per event source, the API actions of the service that CloudTrail
 * records under that `eventName` (each service's API Reference lists them; sign-in events are in the
 * CloudTrail user guide). Read on 2026-12-07. Not every action of every service: for the services
 * below, their security-relevant actions and enough of the others that each service's verb rules are
 * exercised; any other name of these services, and every other service, is mapped by its verb.
 */
import type { CatalogueSource } from '../runtime/event-table.js';

export const AWS_CATALOGUE_SOURCES: readonly CatalogueSource[] = [
  { url: 'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html', read: '2026-12-07' },
  { url: 'https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html', read: '2026-12-07' },
  { url: 'https://docs.aws.amazon.com/STS/latest/APIReference/API_Operations.html', read: '2026-12-07' },
  { url: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_Amazon_Simple_Storage_Service.html', read: '2026-12-07' },
  { url: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/OperationList-query.html', read: '2026-12-07' },
  { url: 'https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html', read: '2026-12-07' },
  { url: 'https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_Operations.html', read: '2026-12-07' },
  { url: 'https://docs.aws.amazon.com/organizations/latest/APIReference/API_Operations.html', read: '2026-12-07' },
  { url: 'https://docs.aws.amazon.com/config/latest/APIReference/API_Operations.html', read: '2026-12-07' },
  { url: 'https://docs.aws.amazon.com/guardduty/latest/APIReference/API_Operations.html', read: '2026-12-07' },
  { url: 'https://docs.aws.amazon.com/lambda/latest/dg/logging-using-cloudtrail.html', read: '2026-12-07' },
  { url: 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_Operations.html', read: '2026-12-07' },
  { url: 'https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_Operations.html', read: '2026-12-07' },
  { url: 'https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_Operations.html', read: '2026-12-07' },
  { url: 'https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_Operations.html', read: '2026-12-07' },
];

/** Event names by event source. */
export const AWS_CATALOGUE: Readonly<Record<string, readonly string[]>> = {
  'signin.amazonaws.com': [
    'ConsoleLogin', 'CheckMfa', 'SwitchRole', 'ExitRole', 'RenewRole', 'GetSigninToken', 'PasswordRecoveryRequested',
    'PasswordRecoveryCompleted', 'UserAuthentication', 'CredentialChallenge', 'CredentialVerification',
  ],
  'sts.amazonaws.com': [
    'AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity', 'AssumeRoot', 'GetSessionToken', 'GetFederationToken',
    'GetCallerIdentity', 'GetAccessKeyInfo', 'DecodeAuthorizationMessage',
  ],
  'iam.amazonaws.com': [
    'CreateUser', 'DeleteUser', 'UpdateUser', 'TagUser', 'UntagUser', 'GetUser', 'ListUsers', 'ChangePassword', 'CreateLoginProfile',
    'UpdateLoginProfile', 'DeleteLoginProfile', 'CreateAccessKey', 'UpdateAccessKey', 'DeleteAccessKey', 'ListAccessKeys',
    'GetAccessKeyLastUsed', 'CreateServiceSpecificCredential', 'DeleteServiceSpecificCredential', 'UploadSSHPublicKey',
    'DeleteSSHPublicKey', 'UploadSigningCertificate', 'DeleteSigningCertificate', 'CreateVirtualMFADevice', 'EnableMFADevice',
    'DeactivateMFADevice', 'DeleteVirtualMFADevice', 'ResyncMFADevice', 'ListMFADevices', 'AddUserToGroup', 'RemoveUserFromGroup',
    'CreateGroup', 'DeleteGroup', 'UpdateGroup', 'ListGroups', 'AttachUserPolicy', 'AttachGroupPolicy', 'AttachRolePolicy',
    'PutUserPolicy', 'PutGroupPolicy', 'PutRolePolicy', 'DetachUserPolicy', 'DetachGroupPolicy', 'DetachRolePolicy',
    'DeleteUserPolicy', 'DeleteGroupPolicy', 'DeleteRolePolicy', 'PutUserPermissionsBoundary', 'PutRolePermissionsBoundary',
    'DeleteUserPermissionsBoundary', 'DeleteRolePermissionsBoundary', 'CreatePolicy', 'DeletePolicy', 'CreatePolicyVersion',
    'DeletePolicyVersion', 'SetDefaultPolicyVersion', 'GetPolicy', 'ListPolicies', 'CreateRole', 'DeleteRole', 'UpdateRole',
    'UpdateAssumeRolePolicy', 'CreateServiceLinkedRole', 'GetRole', 'ListRoles', 'CreateSAMLProvider', 'UpdateSAMLProvider',
    'DeleteSAMLProvider', 'CreateOpenIDConnectProvider', 'DeleteOpenIDConnectProvider', 'AddClientIDToOpenIDConnectProvider',
    'UpdateAccountPasswordPolicy', 'DeleteAccountPasswordPolicy', 'CreateAccountAlias', 'DeleteAccountAlias',
    'CreateInstanceProfile', 'AddRoleToInstanceProfile', 'RemoveRoleFromInstanceProfile', 'GenerateCredentialReport',
    'GetCredentialReport', 'GetAccountAuthorizationDetails', 'SimulatePrincipalPolicy',
  ],
  's3.amazonaws.com': [
    'CreateBucket', 'DeleteBucket', 'ListBuckets', 'PutBucketPolicy', 'DeleteBucketPolicy', 'GetBucketPolicy', 'PutBucketAcl',
    'GetBucketAcl', 'PutObjectAcl', 'PutBucketPublicAccessBlock', 'DeleteBucketPublicAccessBlock', 'PutAccountPublicAccessBlock',
    'DeleteAccountPublicAccessBlock', 'PutBucketVersioning', 'PutBucketLogging', 'PutBucketEncryption', 'DeleteBucketEncryption',
    'PutBucketLifecycle', 'PutBucketReplication', 'DeleteBucketReplication', 'PutBucketOwnershipControls', 'PutBucketCors',
    'PutBucketWebsite', 'GetObject', 'PutObject', 'CopyObject', 'DeleteObject', 'DeleteObjects', 'HeadObject', 'ListObjects',
    'ListObjectsV2', 'CreateMultipartUpload', 'UploadPart', 'CompleteMultipartUpload', 'RestoreObject',
  ],
  'ec2.amazonaws.com': [
    'AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress', 'RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress',
    'CreateSecurityGroup', 'DeleteSecurityGroup', 'ModifySecurityGroupRules', 'CreateNetworkAclEntry', 'ReplaceNetworkAclEntry',
    'DeleteNetworkAclEntry', 'ModifySnapshotAttribute', 'ModifyImageAttribute', 'CreateKeyPair', 'ImportKeyPair', 'DeleteKeyPair',
    'CreateInstanceExportTask', 'DisableEbsEncryptionByDefault', 'RunInstances', 'StartInstances', 'StopInstances',
    'TerminateInstances', 'ModifyInstanceAttribute', 'CreateSnapshot', 'DescribeInstances', 'DescribeSecurityGroups', 'GetPasswordData',
  ],
  'kms.amazonaws.com': [
    'CreateKey', 'DisableKey', 'EnableKey', 'ScheduleKeyDeletion', 'CancelKeyDeletion', 'PutKeyPolicy', 'CreateGrant', 'RevokeGrant',
    'RetireGrant', 'EnableKeyRotation', 'DisableKeyRotation', 'CreateAlias', 'DeleteAlias', 'Decrypt', 'Encrypt', 'GenerateDataKey',
    'ReEncrypt', 'Sign', 'Verify', 'GenerateMac', 'VerifyMac', 'GenerateRandom', 'DescribeKey', 'ListKeys', 'GetKeyPolicy',
  ],
  'cloudtrail.amazonaws.com': [
    'CreateTrail', 'DeleteTrail', 'UpdateTrail', 'StartLogging', 'StopLogging', 'PutEventSelectors', 'PutInsightSelectors',
    'DeleteEventDataStore', 'LookupEvents', 'DescribeTrails', 'GetTrailStatus',
  ],
  'organizations.amazonaws.com': [
    'LeaveOrganization', 'RemoveAccountFromOrganization', 'InviteAccountToOrganization', 'CreateAccount', 'CloseAccount',
    'CreatePolicy', 'UpdatePolicy', 'DeletePolicy', 'AttachPolicy', 'DetachPolicy', 'EnablePolicyType', 'DisablePolicyType',
    'EnableAWSServiceAccess', 'DisableAWSServiceAccess', 'DescribeOrganization', 'ListAccounts',
  ],
  'config.amazonaws.com': [
    'PutConfigurationRecorder', 'StopConfigurationRecorder', 'DeleteConfigurationRecorder', 'DeleteDeliveryChannel',
    'PutConfigRule', 'DeleteConfigRule', 'DescribeConfigRules',
  ],
  'guardduty.amazonaws.com': [
    'CreateDetector', 'DeleteDetector', 'UpdateDetector', 'CreateFilter', 'UpdateFilter', 'DeleteFilter', 'CreateIPSet',
    'DeleteThreatIntelSet', 'DisassociateFromMasterAccount', 'DisassociateFromAdministratorAccount', 'DeleteMembers',
    'ArchiveFindings', 'ListFindings', 'GetFindings',
  ],
  'lambda.amazonaws.com': [
    'AddPermission20150331v2', 'RemovePermission20150331v2', 'CreateFunctionUrlConfig20211031', 'UpdateFunctionUrlConfig20211031',
    'CreateFunction20150331', 'UpdateFunctionCode20150331v2', 'UpdateFunctionConfiguration20150331v2', 'DeleteFunction20150331',
    'ListFunctions20150331', 'GetFunction20150331v2',
  ],
  'rds.amazonaws.com': [
    'ModifyDBSnapshotAttribute', 'ModifyDBClusterSnapshotAttribute', 'StartExportTask', 'ModifyDBInstance', 'DeleteDBInstance',
    'DeleteDBCluster', 'CreateDBSnapshot', 'RestoreDBInstanceFromDBSnapshot', 'DescribeDBInstances',
  ],
  'secretsmanager.amazonaws.com': [
    'CreateSecret', 'PutSecretValue', 'RotateSecret', 'DeleteSecret', 'RestoreSecret', 'GetSecretValue', 'PutResourcePolicy',
    'DeleteResourcePolicy', 'DescribeSecret', 'ListSecrets',
  ],
  'ssm.amazonaws.com': [
    'StartSession', 'ResumeSession', 'TerminateSession', 'SendCommand', 'PutParameter', 'DeleteParameter', 'DeleteParameters',
    'GetParameter', 'GetParameters', 'ModifyDocumentPermission', 'DescribeInstanceInformation',
  ],
  'sso.amazonaws.com': [
    'CreateAccountAssignment', 'DeleteAccountAssignment', 'CreatePermissionSet', 'DeletePermissionSet',
    'AttachManagedPolicyToPermissionSet', 'DetachManagedPolicyFromPermissionSet', 'PutInlinePolicyToPermissionSet',
    'DeleteInlinePolicyFromPermissionSet', 'ListPermissionSets',
  ],
};
