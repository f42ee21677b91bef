/**
 * IAM and STS (Query API, XML answers) for the calls the connector makes: the account dump
 * (GetAccountAuthorizationDetails), ListUsers, GetLoginProfile, ListMFADevices, ListAccessKeys,
 * GetAccessKeyLastUsed, ListAttachedUserPolicies, the governance writes, and STS AssumeRole.
 * Lists page with Marker/IsTruncated; policy documents are URL-encoded as IAM sends them.
 */
import { toXml, type XmlValue } from '../../ingestors/aws/xml.js';
import type { AwsAccount, InlinePolicy, SimUser } from './account.js';
import { AwsError } from './aws-errors.js';

export type Params = Record<string, string>;
const IAM_NS = 'xmlns="https://iam.amazonaws.com/doc/2010-05-08/"';
const STS_NS = 'xmlns="https://sts.amazonaws.com/doc/2011-06-15/"';

const encodeDoc = (doc: unknown) => encodeURIComponent(JSON.stringify(doc));
const members = (items: XmlValue[]) => ({ member: items });
const inlineXml = (list: InlinePolicy[]) => members(list.map((p) => ({ PolicyName: p.PolicyName, PolicyDocument: encodeDoc(p.PolicyDocument) })));
const attachedXml = (arns: string[]) => members(arns.map((arn) => ({ PolicyName: arn.split('/').pop()!, PolicyArn: arn })));

export function respond(action: string, result: Record<string, XmlValue> | null, requestId: string, ns = IAM_NS): string {
  const inner = result === null ? '' : toXml(`${action}Result`, result);
  return `<${action}Response ${ns}>${inner}${toXml('ResponseMetadata', { RequestId: requestId })}</${action}Response>`;
}

/** A page of `items` from `Marker` (an index), at most `MaxItems`. */
function page<T>(items: T[], params: Params, defaultMax = 100): { items: T[]; truncated: Record<string, XmlValue> } {
  const from = params.Marker ? Number(Buffer.from(params.Marker, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(from) || from < 0) throw new AwsError(400, 'InvalidInput', 'Invalid Marker');
  const max = params.MaxItems ? Number(params.MaxItems) : defaultMax;
  const slice = items.slice(from, from + max);
  const more = from + max < items.length;
  return { items: slice, truncated: { IsTruncated: more, ...(more ? { Marker: Buffer.from(String(from + max)).toString('base64url') } : {}) } };
}

function userByName(account: AwsAccount, name: string | undefined): SimUser {
  const user = account.users.find((u) => u.UserName === name);
  if (!user) throw new AwsError(404, 'NoSuchEntity', `The user with name ${name ?? ''} cannot be found.`);
  return user;
}

/** The IAM permission an action needs (`iam:<Action>`). */
export const iamPermission = (action: string) => `iam:${action}`;

export function iamAction(account: AwsAccount, action: string, params: Params, requestId: string): string {
  const ok = (result: Record<string, XmlValue> | null) => respond(action, result, requestId);
  switch (action) {
    case 'GetAccountAuthorizationDetails': {
      // One list of every entity kind the filter names, paged as a whole.
      const filter = new Set(Object.entries(params).filter(([k]) => k.startsWith('Filter.member.')).map(([, v]) => v));
      const all = (kind: string) => filter.size === 0 || filter.has(kind);
      type Entry = { list: string; value: XmlValue };
      const entries: Entry[] = [
        ...(all('User') ? account.users.map((u): Entry => ({ list: 'UserDetailList', value: {
          Path: u.Path, UserName: u.UserName, UserId: u.UserId, Arn: u.Arn, CreateDate: u.CreateDate,
          UserPolicyList: inlineXml(u.inline), GroupList: members(u.groups), AttachedManagedPolicies: attachedXml(u.attached),
        } })) : []),
        ...(all('Group') ? account.groups.map((g): Entry => ({ list: 'GroupDetailList', value: {
          Path: g.Path, GroupName: g.GroupName, GroupId: g.GroupId, Arn: g.Arn, CreateDate: g.CreateDate, GroupPolicyList: inlineXml(g.inline), AttachedManagedPolicies: attachedXml(g.attached),
        } })) : []),
        ...(all('Role') ? account.roles.map((r): Entry => ({ list: 'RoleDetailList', value: {
          Path: r.Path, RoleName: r.RoleName, RoleId: r.RoleId, Arn: r.Arn, CreateDate: r.CreateDate, AssumeRolePolicyDocument: encodeDoc(r.trust),
          RolePolicyList: inlineXml(r.inline), AttachedManagedPolicies: attachedXml(r.attached),
        } })) : []),
        ...(all('LocalManagedPolicy') ? account.policies.map((p): Entry => ({ list: 'Policies', value: {
          PolicyName: p.PolicyName, PolicyId: p.PolicyId, Arn: p.Arn, Path: '/', DefaultVersionId: 'v1', AttachmentCount: 1, IsAttachable: true,
          PolicyVersionList: members([{ Document: encodeDoc(p.document), VersionId: 'v1', IsDefaultVersion: true }]),
        } })) : []),
      ];
      const { items, truncated } = page(entries, params);
      const lists: Record<string, XmlValue> = { UserDetailList: members([]), GroupDetailList: members([]), RoleDetailList: members([]), Policies: members([]) };
      for (const e of items) ((lists[e.list] as { member: XmlValue[] }).member).push(e.value);
      return ok({ ...lists, ...truncated });
    }
    case 'ListUsers': {
      const { items, truncated } = page(account.users, params);
      return ok({ Users: members(items.map((u) => ({ Path: u.Path, UserName: u.UserName, UserId: u.UserId, Arn: u.Arn, CreateDate: u.CreateDate, PasswordLastUsed: u.PasswordLastUsed }))), ...truncated });
    }
    case 'GetLoginProfile': {
      const user = userByName(account, params.UserName);
      if (!user.loginProfile) throw new AwsError(404, 'NoSuchEntity', `Login Profile for User ${user.UserName} cannot be found.`);
      return ok({ LoginProfile: { UserName: user.UserName, CreateDate: user.loginProfile.CreateDate, PasswordResetRequired: false } });
    }
    case 'DeleteLoginProfile': {
      const user = userByName(account, params.UserName);
      if (!user.loginProfile) throw new AwsError(404, 'NoSuchEntity', `Login Profile for User ${user.UserName} cannot be found.`);
      user.loginProfile = null;
      return ok(null);
    }
    case 'ListMFADevices': {
      const user = userByName(account, params.UserName);
      const { items, truncated } = page(user.mfa, params);
      return ok({ MFADevices: members(items.map((d) => ({ UserName: user.UserName, ...d }))), ...truncated });
    }
    case 'ListAccessKeys': {
      const user = userByName(account, params.UserName);
      const { items, truncated } = page(user.keys, params);
      return ok({ UserName: user.UserName, AccessKeyMetadata: members(items.map((k) => ({ UserName: user.UserName, AccessKeyId: k.AccessKeyId, Status: k.Status, CreateDate: k.CreateDate }))), ...truncated });
    }
    case 'GetAccessKeyLastUsed': {
      const owner = account.users.find((u) => u.keys.some((k) => k.AccessKeyId === params.AccessKeyId));
      const key = owner?.keys.find((k) => k.AccessKeyId === params.AccessKeyId);
      if (!owner || !key) throw new AwsError(403, 'AccessDenied', 'The access key does not belong to this account');
      return ok({ UserName: owner.UserName, AccessKeyLastUsed: key.lastUsed ?? { ServiceName: 'N/A', Region: 'N/A' } });
    }
    case 'UpdateAccessKey': {
      const user = userByName(account, params.UserName);
      const key = user.keys.find((k) => k.AccessKeyId === params.AccessKeyId);
      if (!key) throw new AwsError(404, 'NoSuchEntity', `The Access Key with id ${params.AccessKeyId ?? ''} cannot be found.`);
      if (params.Status !== 'Active' && params.Status !== 'Inactive') throw new AwsError(400, 'ValidationError', 'Status must be Active or Inactive');
      key.Status = params.Status;
      return ok(null);
    }
    case 'ListAttachedUserPolicies': {
      const user = userByName(account, params.UserName);
      const { items, truncated } = page(user.attached, params);
      return ok({ AttachedPolicies: attachedXml(items), ...truncated });
    }
    case 'AttachUserPolicy': {
      const user = userByName(account, params.UserName);
      const arn = params.PolicyArn ?? '';
      if (!arn.startsWith('arn:aws:iam::aws:policy/') && !account.policies.some((p) => p.Arn === arn)) throw new AwsError(404, 'NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`);
      if (!user.attached.includes(arn)) user.attached.push(arn);
      return ok(null);
    }
    case 'DetachUserPolicy': {
      const user = userByName(account, params.UserName);
      if (!user.attached.includes(params.PolicyArn ?? '')) throw new AwsError(404, 'NoSuchEntity', `Policy ${params.PolicyArn ?? ''} was not found.`);
      user.attached = user.attached.filter((a) => a !== params.PolicyArn);
      return ok(null);
    }
    default:
      throw new AwsError(400, 'InvalidAction', `The action ${action} is not valid for this web service.`);
  }
}

/** STS: AssumeRole of a role in the account whose trust policy names the caller's account, with its external id. */
export function stsAction(account: AwsAccount, action: string, params: Params, requestId: string, issue: (roleArn: string) => { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string }, callerArn: string): string {
  if (action === 'GetCallerIdentity') {
    return respond(action, { Arn: callerArn, UserId: callerArn, Account: account.accountId }, requestId, STS_NS);
  }
  if (action !== 'AssumeRole') throw new AwsError(400, 'InvalidAction', `The action ${action} is not valid for this web service.`);
  const role = account.roles.find((r) => r.Arn === params.RoleArn);
  const statement = ((role?.trust as { Statement?: Array<Record<string, unknown>> } | undefined)?.Statement ?? [])[0];
  const wanted = ((statement?.Condition as Record<string, Record<string, string>> | undefined)?.StringEquals ?? {})['sts:ExternalId'];
  const trusted = JSON.stringify(statement?.Principal ?? '').includes(`:${account.accountId}:`);
  if (!role || !trusted || (wanted !== undefined && wanted !== params.ExternalId) || !params.RoleSessionName) {
    throw new AwsError(403, 'AccessDenied', `User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${params.RoleArn ?? ''}`);
  }
  const creds = issue(role.Arn);
  return respond(action, {
    Credentials: { AccessKeyId: creds.accessKeyId, SecretAccessKey: creds.secretAccessKey, SessionToken: creds.sessionToken, Expiration: creds.expiration },
    AssumedRoleUser: { AssumedRoleId: `${role.RoleId}:${params.RoleSessionName}`, Arn: `arn:aws:sts::${account.accountId}:assumed-role/${role.RoleName}/${params.RoleSessionName}` },
  }, requestId, STS_NS);
}
