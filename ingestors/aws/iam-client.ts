/**
 * IAM reads and writes (Query API, version 2010-05-08): the account's users, groups, roles and
 * policies in one paged `GetAccountAuthorizationDetails`, and per user what it does not hold
 * (console password, MFA devices, access keys and their last use).
 * https://docs.aws.amazon.com/IAM/latest/APIReference/
 */
import { ProviderHttpError } from '../../core/errors.js';
import type { HttpClient } from '../runtime/http-client.js';
import { arr, obj, str } from '../runtime/json-fields.js';
import { QueryApi, xmlToJson, type Json } from './query-api.js';

/** AWS's managed policy that denies every action: attached to suspend a user. */
export const DENY_ALL_POLICY_ARN = 'arn:aws:iam::aws:policy/AWSDenyAll';

/** The account's identities as one dump: every page of GetAccountAuthorizationDetails merged. */
export interface AuthorizationDetails {
  users: Json[];
  groups: Json[];
  roles: Json[];
  /** Customer managed policies with their versions (documents decoded). */
  policies: Json[];
}

export class IamClient {
  readonly api: QueryApi;

  constructor(http: HttpClient, private readonly pageSize: number) {
    this.api = new QueryApi(http, '2010-05-08');
  }

  async authorizationDetails(): Promise<AuthorizationDetails> {
    const out: AuthorizationDetails = { users: [], groups: [], roles: [], policies: [] };
    const filters = { 'Filter.member.1': 'User', 'Filter.member.2': 'Group', 'Filter.member.3': 'Role', 'Filter.member.4': 'LocalManagedPolicy' };
    for await (const page of this.api.pages('GetAccountAuthorizationDetails', { ...filters, MaxItems: this.pageSize })) {
      out.users.push(...(arr(page.UserDetailList) as Json[]));
      out.groups.push(...(arr(page.GroupDetailList) as Json[]));
      out.roles.push(...(arr(page.RoleDetailList) as Json[]));
      out.policies.push(...(arr(page.Policies) as Json[]));
    }
    return out;
  }

  /** ListUsers: the fields GetAccountAuthorizationDetails leaves out (PasswordLastUsed). */
  users(): Promise<Json[]> {
    return this.api.list('ListUsers', 'Users', { MaxItems: this.pageSize });
  }

  /** The user's console password (`GetLoginProfile`), or null when it has none (404 NoSuchEntity). */
  async loginProfile(userName: string): Promise<Json | null> {
    const { status, result } = await this.api.call('GetLoginProfile', { UserName: userName }, [404]);
    if (status === 404) return null;
    return obj(obj(xmlToJson(result))?.LoginProfile) ?? {};
  }

  mfaDevices(userName: string): Promise<Json[]> {
    return this.api.list('ListMFADevices', 'MFADevices', { UserName: userName, MaxItems: this.pageSize });
  }

  accessKeys(userName: string): Promise<Json[]> {
    return this.api.list('ListAccessKeys', 'AccessKeyMetadata', { UserName: userName, MaxItems: this.pageSize });
  }

  async accessKeyLastUsed(accessKeyId: string): Promise<Json | null> {
    const { result } = await this.api.call('GetAccessKeyLastUsed', { AccessKeyId: accessKeyId });
    return obj(obj(xmlToJson(result))?.AccessKeyLastUsed);
  }

  /** A user with its login profile, MFA devices and access keys (each with `LastUsed`): the raw record of an account event. */
  async userDetails(user: Json): Promise<Json> {
    const userName = String(user.UserName);
    const [loginProfile, mfaDevices, keys] = await Promise.all([this.loginProfile(userName), this.mfaDevices(userName), this.accessKeys(userName)]);
    const accessKeys = await Promise.all(keys.map(async (key) => ({ ...key, LastUsed: await this.accessKeyLastUsed(String(key.AccessKeyId)) })));
    return { ...user, LoginProfile: loginProfile, MFADevices: mfaDevices, AccessKeys: accessKeys };
  }

  attachedUserPolicies(userName: string): Promise<Json[]> {
    return this.api.list('ListAttachedUserPolicies', 'AttachedPolicies', { UserName: userName, MaxItems: this.pageSize });
  }

  /** The user's name from its name or its id (`AIDA...`, as account events carry it); null when there is no such user. */
  async userName(idOrName: string): Promise<string | null> {
    for (const user of await this.users()) {
      if (user.UserId === idOrName || user.UserName === idOrName) return str(user.UserName);
    }
    return null;
  }

  async deleteLoginProfile(userName: string): Promise<void> {
    await this.api.call('DeleteLoginProfile', { UserName: userName });
  }

  async updateAccessKey(userName: string, accessKeyId: string, status: 'Active' | 'Inactive'): Promise<void> {
    await this.api.call('UpdateAccessKey', { UserName: userName, AccessKeyId: accessKeyId, Status: status });
  }

  async attachUserPolicy(userName: string, policyArn: string): Promise<void> {
    await this.api.call('AttachUserPolicy', { UserName: userName, PolicyArn: policyArn });
  }

  /** Detaches; a policy that is not attached (404 NoSuchEntity) is what we wanted. */
  async detachUserPolicy(userName: string, policyArn: string): Promise<void> {
    const { status, error } = await this.api.call('DetachUserPolicy', { UserName: userName, PolicyArn: policyArn }, [404]);
    if (status === 404 && error !== 'NoSuchEntity') throw new ProviderHttpError('AW_PROVIDER_REQUEST_FAILED', `DetachUserPolicy answered 404 ${error}`, { httpStatus: 404 });
  }
}
