import { providerStatus } from '../../core/errors.js';
import type { SnapshotItem, SnapshotKinds, SnapshotPage, SnapshotStream } from '../contract.js';
import type { CredentialProbe } from './credentials.js';
import type { DirectoryClient } from './directory-client.js';
import { type Json, obj, str } from '../runtime/json-fields.js';
import { SCOPES } from './scopes.js';
import {
  normalizeGoogleGroup, normalizeGoogleMembership, normalizeGoogleRoleAssignment, normalizeGoogleToken, normalizeGoogleUser, type Assignee,
} from './normalize-directory.js';

/** The items of the directory scan; relations carry both ends (`{ group, member }`, `{ user, token }`). */
const ACCOUNT_KINDS = {
  user: (raw, ctx) => normalizeGoogleUser(raw, ctx),
  app_grant: (raw, ctx) => normalizeGoogleToken(obj(raw)?.user, obj(raw)?.token, ctx),
  group: (raw, ctx) => normalizeGoogleGroup(raw, ctx),
  membership: (raw, ctx) => normalizeGoogleMembership(obj(raw)?.group, obj(raw)?.member, ctx),
  privilege: (raw, ctx) => normalizeGoogleRoleAssignment(obj(raw)?.assignment, obj(raw)?.role, (obj(raw)?.assignee ?? null) as Assignee | null, ctx),
} satisfies SnapshotKinds;
type AccountItem = SnapshotItem<keyof typeof ACCOUNT_KINDS>;

/**
 * The directory scan: users with the OAuth tokens they granted, groups with their members, then
 * role assignments with their role names. Parts whose scope the credentials lack are left out.
 */
export function accountsStream(directory: DirectoryClient, probe: CredentialProbe): SnapshotStream<keyof typeof ACCOUNT_KINDS> {
  return {
    name: 'accounts',
    topic: 'account',
    kinds: ACCOUNT_KINDS,
    capabilities: ['accounts', 'groups', 'privileges', 'app_grants'],
    permission: SCOPES.users,
    async *read(signal): AsyncIterable<SnapshotPage<keyof typeof ACCOUNT_KINDS>> {
      // What the credentials may not read is kept as the last complete scan saw it, not deleted.
      const skipped = [
        ...(probe.allows('users') ? [] : ['user', 'app_grant']),
        ...(probe.allows('userSecurity') ? [] : ['app_grant']),
        ...(probe.allows('groups') ? [] : ['group', 'membership']),
        ...(probe.allows('roles') ? [] : ['privilege']),
      ];
      if (skipped.length > 0) yield { items: [], skipped };
      // Who a role assignment names (it carries only an id).
      const assignees = new Map<string, Assignee>();
      if (probe.allows('users')) {
        for await (const users of directory.users()) {
          for (const user of users) assignees.set(String(user.id), { type: 'user', email: str(user.primaryEmail), name: str((user.name as Json | undefined)?.fullName) });
          const items: AccountItem[] = users.map((raw) => ({ kind: 'user', raw }));
          if (probe.allows('userSecurity')) {
            // Per user; the instance's HTTP queue bounds how many run at once.
            const grants = await Promise.all(users.map(async (user) => (await tokensOf(directory, String(user.id))).map((token): AccountItem => ({ kind: 'app_grant', raw: { user, token } }))));
            items.push(...grants.flat());
          }
          yield { items };
          if (signal.aborted) return;
        }
      }
      if (probe.allows('groups')) {
        for await (const groups of directory.groups()) {
          for (const group of groups) assignees.set(String(group.id), { type: 'group', email: str(group.email), name: str(group.name) });
          yield { items: groups.map((raw) => ({ kind: 'group', raw })) };
          for (const group of groups) {
            for await (const members of directory.members(String(group.id))) yield { items: members.map((member) => ({ kind: 'membership', raw: { group, member } })) };
            if (signal.aborted) return;
          }
        }
      }
      if (probe.allows('roles')) {
        const roles = new Map((await directory.roles()).map((role) => [String(role.roleId), role]));
        for await (const assignments of directory.roleAssignments()) {
          yield {
            items: assignments.map((assignment) => ({
              kind: 'privilege',
              raw: { assignment, role: roles.get(String(assignment.roleId)) ?? null, assignee: assignees.get(String(assignment.assignedTo)) ?? null },
            })),
          };
        }
      }
    },
  };
}

/** A user deleted since the list was read has no tokens (404) rather than failing the scan. */
async function tokensOf(directory: DirectoryClient, userId: string): Promise<Json[]> {
  try {
    return await directory.tokens(userId);
  } catch (err) {
    if (providerStatus(err) === 404) return [];
    throw err;
  }
}
