/**
 * The open vocabularies of the Avro schemas. The schemas carry them as plain strings (documented
 * in each field's `doc`) so that a new value is not a breaking change; these lists are what
 * Appwarden itself writes today. `vocabulary.test.ts` checks that each list matches the doc.
 */

export const PROVIDERS = ['office365', 'box', 'okta', 'google_workspace', 'servicenow', 'salesforce', 'dropbox', 'aws'] as const;
export type Provider = (typeof PROVIDERS)[number];

export const AUDIT_CATEGORIES = ['logon', 'user', 'admin', 'file', 'app', 'security', 'other'] as const;
export type AuditCategory = (typeof AUDIT_CATEGORIES)[number];

export const AUDIT_ACTIONS = [
  'login', 'logout', 'sso', 'mfa_verify', 'mfa_challenge', 'mfa_deny', 'mfa_factor_enable', 'mfa_factor_disable',
  'mfa_factor_reset', 'policy_evaluate', 'session_revoke', 'password_change', 'password_reset', 'account_lock',
  'account_unlock', 'user_create', 'user_update', 'user_delete', 'user_suspend', 'user_unsuspend', 'user_activate',
  'user_deactivate', 'group_member_add', 'group_member_remove', 'group_create', 'group_update', 'group_delete',
  'privilege_grant', 'privilege_revoke', 'app_grant', 'app_revoke', 'app_access', 'admin_access', 'impersonate',
  'impersonation_grant', 'impersonation_revoke', 'settings_change', 'rate_limit', 'file_view', 'file_download',
  'file_upload', 'file_edit', 'file_delete', 'file_rename', 'file_move', 'file_share', 'file_unshare',
  'file_link_create', 'file_link_remove', 'file_copy', 'file_restore', 'mail_forward_set', 'mail_rule_change',
  'mail_access', 'mail_send', 'mail_delete', 'mail_move', 'message_post', 'message_edit', 'message_delete',
  'meeting_create', 'meeting_update', 'meeting_delete', 'meeting_join', 'meeting_leave', 'dlp_match',
  'malware_detected', 'threat_detected', 'url_click', 'token_create', 'token_revoke', 'policy_change', 'device_enroll',
  'device_remove', 'device_change', 'data_export',
  // Business records (CRM, ITSM): a record, list view, page, report or dashboard read or queried.
  'record_view',
  'other',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const OUTCOMES = ['success', 'failure', 'unknown'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const ACTOR_TYPES = ['user', 'service', 'system', 'unknown'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

export const TARGET_TYPES = ['user', 'group', 'app', 'policy', 'role', 'token', 'url', 'session', 'device', 'file', 'folder', 'other'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

export const ACCOUNT_KINDS = ['user', 'group', 'membership', 'privilege', 'app_grant'] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

export const SUBJECT_TYPES = ['user', 'group', 'service', 'unknown'] as const;
export type SubjectType = (typeof SUBJECT_TYPES)[number];

export const ACCOUNT_STATUSES = ['active', 'suspended', 'deprovisioned', 'staged', 'locked', 'password_expired', 'unknown'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

export const FILE_CHANGES = ['seen', 'created', 'updated', 'deleted'] as const;
export type FileChange = (typeof FILE_CHANGES)[number];

export const ACCESS_LEVELS = ['private', 'internal', 'external', 'public', 'unknown'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

export const COLLABORATOR_TYPES = ['user', 'group', 'domain', 'anyone', 'unknown'] as const;
export type CollaboratorType = (typeof COLLABORATOR_TYPES)[number];

export const ALERT_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const ALERT_STATUSES = ['open', 'resolved', 'dismissed'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export const GOVERNANCE_MODES = ['enforce', 'dry_run'] as const;
export type GovernanceMode = (typeof GOVERNANCE_MODES)[number];

export const GOVERNANCE_STATUSES = [
  'pending', 'awaiting_approval', 'running', 'succeeded', 'failed', 'unsupported', 'dry_run', 'reverted', 'skipped', 'rejected',
] as const;
export type GovernanceStatus = (typeof GOVERNANCE_STATUSES)[number];
