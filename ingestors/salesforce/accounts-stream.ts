import type { SnapshotItem, SnapshotKinds, SnapshotPage, SnapshotStream } from '../contract.js';
import { str, type Json } from '../runtime/json-fields.js';
import { soqlIn, type SalesforceApi } from './api.js';
import { ADMIN_PERMISSIONS, adminPermissions, normalizeGroup, normalizeMembership, normalizeOauthToken, normalizePrivilege, normalizeUser } from './normalize-accounts.js';

export const ACCOUNT_KINDS = {
  user: normalizeUser,
  group: normalizeGroup,
  membership: normalizeMembership,
  privilege: normalizePrivilege,
} satisfies SnapshotKinds;
type AccountItem = SnapshotItem<keyof typeof ACCOUNT_KINDS>;

export const GRANT_KINDS = { app_grant: normalizeOauthToken } satisfies SnapshotKinds;

const USER_FIELDS = 'Id, Username, Email, Name, IsActive, UserType, ProfileId, Profile.Name, UserRoleId, LastLoginDate, LastPasswordChangeDate, CreatedDate';
const IDS_PER_QUERY = 200;

async function usersById(api: SalesforceApi, signal: AbortSignal): Promise<Map<string, Json>> {
  const users = new Map<string, Json>();
  for await (const page of api.query(`SELECT Id, Username, Email, Name, UserType FROM User ORDER BY Id ASC`, signal)) for (const u of page) users.set(String(u.Id), u);
  return users;
}

/**
 * Users (with their UserLogin's frozen and locked flags), the profiles and permission sets that grant
 * admin-grade permissions to each user, public groups and their members. Permission: View Setup.
 */
export function accountStream(api: SalesforceApi): SnapshotStream<keyof typeof ACCOUNT_KINDS> {
  return {
    name: 'accounts',
    topic: 'account',
    kinds: ACCOUNT_KINDS,
    capabilities: ['accounts', 'groups', 'privileges'],
    permission: 'ViewSetup',
    async *read(signal): AsyncIterable<SnapshotPage<keyof typeof ACCOUNT_KINDS>> {
      const logins = new Map<string, Json>();
      for await (const page of api.query('SELECT Id, UserId, IsFrozen, IsPasswordLocked FROM UserLogin', signal)) for (const l of page) logins.set(String(l.UserId), l);
      const users = new Map<string, Json>();
      for await (const page of api.query(`SELECT ${USER_FIELDS} FROM User ORDER BY Id ASC`, signal)) {
        for (const u of page) users.set(String(u.Id), u);
        yield { items: page.map((u): AccountItem => ({ kind: 'user', raw: { ...u, UserLogin: logins.get(String(u.Id)) ?? null } })) };
      }
      // Every profile owns a permission set (IsOwnedByProfile): one query covers profiles and permission sets.
      const sets = (await api.queryAll(
        `SELECT Id, Name, Label, IsOwnedByProfile, ProfileId, Profile.Name, ${ADMIN_PERMISSIONS.map((p) => `Permissions${p}`).join(', ')} FROM PermissionSet`, signal,
      )).filter((s) => adminPermissions(s).length > 0);
      const setsById = new Map(sets.map((s) => [String(s.Id), s]));
      for (let i = 0; i < sets.length; i += IDS_PER_QUERY) {
        const ids = sets.slice(i, i + IDS_PER_QUERY).map((s) => String(s.Id));
        for await (const page of api.query(`SELECT Id, AssigneeId, PermissionSetId FROM PermissionSetAssignment WHERE ${soqlIn('PermissionSetId', ids)}`, signal)) {
          yield {
            items: page.flatMap((assignment): AccountItem[] => {
              const user = users.get(String(assignment.AssigneeId));
              const permissionSet = setsById.get(String(assignment.PermissionSetId));
              return user && permissionSet ? [{ kind: 'privilege', raw: { user, permissionSet, assignment } }] : [];
            }),
          };
        }
      }
      const groups = await api.queryAll("SELECT Id, Name, DeveloperName, Type, Email, CreatedDate FROM Group WHERE Type = 'Regular'", signal);
      yield { items: groups.map((raw): AccountItem => ({ kind: 'group', raw })) };
      const groupsById = new Map(groups.map((g) => [String(g.Id), g]));
      for (let i = 0; i < groups.length; i += IDS_PER_QUERY) {
        const ids = groups.slice(i, i + IDS_PER_QUERY).map((g) => String(g.Id));
        for await (const page of api.query(`SELECT Id, GroupId, UserOrGroupId FROM GroupMember WHERE ${soqlIn('GroupId', ids)}`, signal)) {
          yield {
            items: page.map((membership): AccountItem => {
              const memberId = String(membership.UserOrGroupId);
              return { kind: 'membership', raw: { group: groupsById.get(String(membership.GroupId)), member: users.get(memberId) ?? groupsById.get(memberId) ?? null, membership } };
            }),
          };
        }
      }
    },
  };
}

/** Connected apps' OAuth tokens of every user (`OauthToken`). Permission: Manage Users. */
export function oauthTokenStream(api: SalesforceApi): SnapshotStream<keyof typeof GRANT_KINDS> {
  return {
    name: 'oauth_tokens',
    topic: 'account',
    kinds: GRANT_KINDS,
    capabilities: ['app_grants'],
    permission: 'ManageUsers',
    async *read(signal): AsyncIterable<SnapshotPage<keyof typeof GRANT_KINDS>> {
      const users = await usersById(api, signal);
      for await (const page of api.query('SELECT Id, AppName, AppMenuItemId, UserId, LastUsedDate, UseCount, CreatedDate FROM OauthToken ORDER BY Id ASC', signal)) {
        yield { items: page.map((token) => ({ kind: 'app_grant' as const, raw: { token, user: users.get(str(token.UserId) ?? '') ?? null } })) };
      }
    },
  };
}
