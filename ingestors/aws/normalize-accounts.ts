/**
 * IAM identities → AccountEvents: users (console access, MFA, access keys with age and last use),
 * roles (as service principals, with their trust: who may assume them, cross-account flagged), groups,
 * memberships, and each attached or inline policy as a privilege (AdministratorAccess and `*:*` admin-grade).
 * Items carry what they need (`accountId`, the policy documents), so each normalizer is pure.
 */
import { buildAccountEvent } from '../../schemas/account-event.js';
import type { AccountEvent, Subject } from '../../schemas/types.js';
import type { SnapshotContext } from '../contract.js';
import { arr, fieldErrors, obj, put, str, type Json } from '../runtime/json-fields.js';
import { isoTime } from '../runtime/provider-time.js';
import { DENY_ALL_POLICY_ARN } from './iam-client.js';
import { ADMINISTRATOR_ACCESS_ARN, grantsEverything, trustOf } from './policy-documents.js';

const { requireObject, requireString } = fieldErrors('aws');
const DAY_MS = 86_400_000;

function event(ctx: SnapshotContext, kind: AccountEvent['kind'], ids: string[], subject: Subject, rest: Partial<AccountEvent> & { raw: string }): AccountEvent {
  return buildAccountEvent('aws', ctx, kind, ids, subject, rest);
}

function userSubject(user: Json, field: string): Subject & { id: string } {
  return { type: 'user', id: requireString(user, 'UserId', `${field}.UserId`), email: null, name: str(user.UserName) };
}

function roleSubject(role: Json, field: string): Subject & { id: string } {
  return { type: 'service', id: requireString(role, 'RoleId', `${field}.RoleId`), email: null, name: str(role.RoleName) };
}

function groupSubject(group: Json, field: string): Subject & { id: string } {
  return { type: 'group', id: requireString(group, 'GroupId', `${field}.GroupId`), email: null, name: str(group.GroupName) };
}

/** A user of GetAccountAuthorizationDetails with `LoginProfile`, `MFADevices` and `AccessKeys` (each with `LastUsed`). */
export function normalizeIamUser(raw: unknown, ctx: SnapshotContext): AccountEvent {
  const user = requireObject(raw, '(record)');
  const subject = userSubject(user, 'user');
  const attributes: Record<string, string> = {};
  put(attributes, 'arn', user.Arn);
  put(attributes, 'path', user.Path);
  attributes.console_access = String(obj(user.LoginProfile) !== null);
  put(attributes, 'password_reset_required', obj(user.LoginProfile)?.PasswordResetRequired);
  const mfa = arr(user.MFADevices);
  attributes.mfa_enabled = String(mfa.length > 0);
  attributes.mfa_devices = String(mfa.length);
  const keys = arr(user.AccessKeys).map(obj).filter((k): k is Json => k !== null);
  const active = keys.filter((k) => k.Status === 'Active');
  attributes.access_keys = String(keys.length);
  attributes.access_keys_active = String(active.length);
  let oldest: number | null = null;
  let lastUsed: number | null = null;
  for (const key of keys) {
    const id = str(key.AccessKeyId);
    if (id === null) continue;
    const created = isoTime(key.CreateDate);
    const used = isoTime(obj(key.LastUsed)?.LastUsedDate);
    put(attributes, `access_key.${id}.status`, key.Status);
    put(attributes, `access_key.${id}.created_at`, key.CreateDate);
    if (created !== null) attributes[`access_key.${id}.age_days`] = String(Math.floor((ctx.observedAt - created) / DAY_MS));
    if (used !== null) attributes[`access_key.${id}.last_used_at`] = new Date(used).toISOString();
    put(attributes, `access_key.${id}.last_used_service`, obj(key.LastUsed)?.ServiceName === 'N/A' ? undefined : obj(key.LastUsed)?.ServiceName);
    if (key.Status === 'Active' && created !== null) oldest = oldest === null ? created : Math.min(oldest, created);
    if (used !== null) lastUsed = lastUsed === null ? used : Math.max(lastUsed, used);
  }
  if (oldest !== null) attributes.oldest_active_key_age_days = String(Math.floor((ctx.observedAt - oldest) / DAY_MS));
  if (lastUsed !== null) attributes.access_key_last_used_at = new Date(lastUsed).toISOString();
  const denied = arr(user.AttachedManagedPolicies).some((p) => obj(p)?.PolicyArn === DENY_ALL_POLICY_ARN);
  const passwordUsed = isoTime(user.PasswordLastUsed);
  return event(ctx, 'user', [subject.id], subject, {
    // IAM users have no status; one held by the deny-all policy (our suspension) can do nothing.
    status: denied ? 'suspended' : 'active',
    status_raw: denied ? 'AWSDenyAll' : null,
    created_at: isoTime(user.CreateDate),
    last_login_at: passwordUsed, // the last console sign-in; key use is in access_key_last_used_at
    attributes,
    raw: JSON.stringify(raw),
  });
}

/** A role (`{ role, accountId }`): a service principal whose trust policy says who may assume it. */
export function normalizeIamRole(raw: unknown, ctx: SnapshotContext): AccountEvent {
  const item = requireObject(raw, '(record)');
  const role = requireObject(item.role, 'role');
  const subject = roleSubject(role, 'role');
  const trust = trustOf(role.AssumeRolePolicyDocument, String(item.accountId ?? ''));
  const attributes: Record<string, string> = { principal_type: 'role', cross_account: String(trust.crossAccount) };
  put(attributes, 'arn', role.Arn);
  put(attributes, 'path', role.Path);
  if (trust.principals.length > 0) attributes.trusted_principals = trust.principals.join(',');
  if (trust.services.length > 0) attributes.trusted_services = trust.services.join(',');
  if (trust.federated.length > 0) attributes.trusted_federated = trust.federated.join(',');
  put(attributes, 'last_used_region', obj(role.RoleLastUsed)?.Region);
  return event(ctx, 'user', [subject.id], subject, {
    status: 'active',
    created_at: isoTime(role.CreateDate),
    last_login_at: isoTime(obj(role.RoleLastUsed)?.LastUsedDate),
    attributes,
    raw: JSON.stringify(role),
  });
}

export function normalizeIamGroup(raw: unknown, ctx: SnapshotContext): AccountEvent {
  const group = requireObject(raw, '(record)');
  const subject = groupSubject(group, 'group');
  const attributes: Record<string, string> = {};
  put(attributes, 'arn', group.Arn);
  put(attributes, 'path', group.Path);
  return event(ctx, 'group', [subject.id], subject, { created_at: isoTime(group.CreateDate), attributes, raw: JSON.stringify(raw) });
}

/** `{ group, user }`: a user in a group. */
export function normalizeIamMembership(raw: unknown, ctx: SnapshotContext): AccountEvent {
  const item = requireObject(raw, '(record)');
  const group = requireObject(item.group, 'group');
  const groupId = requireString(group, 'GroupId', 'group.GroupId');
  const subject = userSubject(requireObject(item.user, 'user'), 'user');
  return event(ctx, 'membership', [groupId, subject.id], subject, {
    group: { id: groupId, name: str(group.GroupName) },
    raw: JSON.stringify({ group: { GroupId: groupId, GroupName: group.GroupName }, user: { UserId: subject.id, UserName: subject.name } }),
  });
}

/**
 * `{ holder, holderType, policy, document? }`: a managed policy attached to (`PolicyArn`) or an inline
 * policy of (`PolicyName`, `PolicyDocument`) a user, group or role.
 */
export function normalizeIamPrivilege(raw: unknown, ctx: SnapshotContext): AccountEvent {
  const item = requireObject(raw, '(record)');
  const holder = requireObject(item.holder, 'holder');
  const type = item.holderType;
  const subject = type === 'role' ? roleSubject(holder, 'holder') : type === 'group' ? groupSubject(holder, 'holder') : userSubject(holder, 'holder');
  const policy = requireObject(item.policy, 'policy');
  const arn = str(policy.PolicyArn);
  const name = requireString(policy, 'PolicyName', 'policy.PolicyName');
  const id = arn ?? `${str(holder.Arn) ?? subject.id}/inline/${name}`;
  const document = arn === null ? policy.PolicyDocument : item.document;
  const admin = arn === ADMINISTRATOR_ACCESS_ARN || grantsEverything(document);
  const attributes: Record<string, string> = { admin_grade: String(admin), holder_type: String(type) };
  put(attributes, 'holder_arn', holder.Arn);
  return event(ctx, 'privilege', [subject.id, id], subject, {
    privilege: { id, name, type: arn === null ? 'inline' : arn.startsWith('arn:aws:iam::aws:') ? 'aws_managed' : 'customer_managed' },
    attributes,
    raw: JSON.stringify({ holder: { Arn: holder.Arn, Id: subject.id, Name: subject.name }, holderType: type, policy, document: document ?? null }),
  });
}
