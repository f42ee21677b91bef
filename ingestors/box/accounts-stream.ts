import type { SnapshotItem, SnapshotKinds, SnapshotPage, SnapshotStream } from '../contract.js';
import type { BoxClient } from './client.js';
import type { ExternalCollaborators } from './external-collaborators.js';
import {
  ADMIN_ROLES, normalizeBoxAdminRole, normalizeBoxExternalUser, normalizeBoxGroup, normalizeBoxMembership, normalizeBoxUser,
} from './normalize-accounts.js';
import { PERMISSIONS, type CredentialProbe } from './credentials.js';

const ACCOUNT_KINDS = {
  user: normalizeBoxUser,
  external_user: normalizeBoxExternalUser,
  group: normalizeBoxGroup,
  membership: normalizeBoxMembership,
  privilege: normalizeBoxAdminRole,
} satisfies SnapshotKinds;
type Kind = keyof typeof ACCOUNT_KINDS;

/** Where the external collaborators are kept apart from the managed users, for deletions. */
const EXTERNAL_SCOPE = 'external';

/**
 * The account scan: managed users with their admin role (admin, co-admin), groups with their
 * memberships, and the external collaborators the last complete file scan met.
 */
export function accountsStream(client: BoxClient, probe: CredentialProbe, externals: ExternalCollaborators): SnapshotStream<Kind> {
  return {
    name: 'accounts',
    topic: 'account',
    kinds: ACCOUNT_KINDS,
    capabilities: ['accounts', 'groups', 'privileges'],
    permission: PERMISSIONS.users,
    async *read(signal): AsyncIterable<SnapshotPage<Kind>> {
      for await (const users of client.users()) {
        const items: SnapshotItem<Kind>[] = users.map((raw) => ({ kind: 'user', raw }));
        for (const user of users) if (typeof user.role === 'string' && ADMIN_ROLES[user.role]) items.push({ kind: 'privilege', raw: user });
        yield { items };
        if (signal.aborted) return;
      }
      const external = externals.seen();
      if (external === null) yield { items: [], skipped: [EXTERNAL_SCOPE] };
      else yield { items: external.map((raw) => ({ kind: 'external_user', raw })), scope: EXTERNAL_SCOPE };
      if (!probe.allows(PERMISSIONS.groups)) {
        // Groups cannot be read: what the last complete scan saw of them is kept, not deleted.
        yield { items: [], skipped: ['group', 'membership'] };
        return;
      }
      for await (const groups of client.groups()) {
        yield { items: groups.map((raw) => ({ kind: 'group', raw })) };
        for (const group of groups) {
          for await (const members of client.memberships(String(group.id))) yield { items: members.map((raw) => ({ kind: 'membership', raw })) };
          if (signal.aborted) return;
        }
      }
    },
  };
}
