import { providerStatus } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { ActivityStream, SnapshotItem, SnapshotKinds, SnapshotPage, SnapshotStream, TimeWindow } from '../contract.js';
import { isPermissionRefusal } from '../runtime/permission-gate.js';
import { arr, obj, str, type Json } from '../runtime/json-fields.js';
import { isoTime } from '../runtime/provider-time.js';
import type { DropboxClient } from './client.js';
import {
  normalizeDropboxGroup, normalizeDropboxLinkedApp, normalizeDropboxMember, normalizeDropboxMembership, normalizeDropboxRole,
} from './normalize-accounts.js';
import { ROUTES, type TeamDirectory } from './team.js';

/** `YYYY-MM-DDTHH:MM:SSZ`, the only form team_log takes (whole seconds). */
function dropboxTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The team log (`team_log/get_events`, then `get_events/continue` with its cursor while `has_more`),
 * one time window at a time. Dropbox keeps whole seconds: the window is widened to them (start
 * inclusive, end exclusive), and an event read twice keeps its id. Pages may be empty while `has_more`.
 */
export class TeamLogStream implements ActivityStream {
  readonly name = 'team_log';
  readonly capabilities = ['activities:logon', 'activities:user', 'activities:admin'] as const;
  readonly permission = 'events.read';

  constructor(private readonly client: DropboxClient, private readonly pageSize: number) {}

  async *read(window: TimeWindow): AsyncIterable<unknown[]> {
    const [route, next, key] = ROUTES.events;
    const time = { start_time: dropboxTime(Math.floor(window.since / 1000) * 1000), end_time: dropboxTime(Math.ceil(window.until / 1000) * 1000) };
    for await (const page of this.client.pages(route, { limit: this.pageSize, time }, next, key)) {
      if (page.items.length > 0) yield page.items;
    }
  }

  timeOf(raw: unknown): number | null {
    return isoTime(obj(raw)?.timestamp);
  }
}

export const ACCOUNT_KINDS = {
  user: normalizeDropboxMember,
  group: normalizeDropboxGroup,
  membership: normalizeDropboxMembership,
  privilege: normalizeDropboxRole,
  app_grant: normalizeDropboxLinkedApp,
} satisfies SnapshotKinds;
type AccountItem = SnapshotItem<keyof typeof ACCOUNT_KINDS>;

/**
 * Members (removed ones included) with their admin roles, groups with their members, and the apps each
 * member linked. Groups need `groups.read` and linked apps `sessions.list`: refused, that part is skipped
 * (what the last complete scan saw of it is kept) and the rest is read.
 */
export class TeamAccountStream implements SnapshotStream<keyof typeof ACCOUNT_KINDS> {
  readonly name = 'accounts';
  readonly topic = 'account' as const;
  readonly kinds = ACCOUNT_KINDS;
  readonly capabilities = ['accounts', 'groups', 'privileges', 'app_grants'] as const;
  readonly permission = 'members.read';

  constructor(private readonly client: DropboxClient, private readonly team: TeamDirectory, private readonly pageSize: number, private readonly log: Logger) {}

  async *read(signal: AbortSignal): AsyncIterable<SnapshotPage<keyof typeof ACCOUNT_KINDS>> {
    const profiles = new Map<string, Json>();
    for await (const page of this.team.memberPages()) {
      const items: AccountItem[] = [];
      for (const member of page.items) {
        const profile = obj(member.profile) ?? {};
        const id = str(profile.team_member_id);
        if (id !== null) profiles.set(id, profile);
        items.push({ kind: 'user', raw: member });
        for (const role of arr(member.roles)) items.push({ kind: 'privilege', raw: { profile, role } });
      }
      yield { items };
    }
    if (signal.aborted) return;
    yield* this.part('groups.read', ['group', 'membership'], () => this.groups());
    yield* this.part('sessions.list', ['app_grant'], () => this.linkedApps(profiles));
  }

  /** A part of the scan that needs a scope of its own: refused, it is skipped rather than failing the scan. */
  private async *part(scope: string, kinds: string[], read: () => AsyncIterable<SnapshotPage<keyof typeof ACCOUNT_KINDS>>): AsyncIterable<SnapshotPage<keyof typeof ACCOUNT_KINDS>> {
    try {
      yield* read();
    } catch (err) {
      if (!isPermissionRefusal(err)) throw err;
      this.log.warn({ scope, kinds }, 'the token lacks a scope; that part of the account scan is skipped');
      yield { items: [], skipped: kinds };
    }
  }

  private async *groups(): AsyncIterable<SnapshotPage<keyof typeof ACCOUNT_KINDS>> {
    const [route, next, key] = ROUTES.groups;
    for await (const page of this.client.pages(route, { limit: this.pageSize }, next, key)) {
      yield { items: page.items.map((raw): AccountItem => ({ kind: 'group', raw })) };
      for (const group of page.items) {
        const [mRoute, mNext, mKey] = ROUTES.groupMembers;
        const selector = { '.tag': 'group_id', group_id: str(group.group_id) };
        for await (const members of this.client.pages(mRoute, { group: selector, limit: this.pageSize }, mNext, mKey)) {
          yield { items: members.items.map((member): AccountItem => ({ kind: 'membership', raw: { group, member } })) };
        }
      }
    }
  }

  /** `team/linked_apps/list_members_linked_apps`, paged by its `cursor` on the same route. */
  private async *linkedApps(profiles: ReadonlyMap<string, Json>): AsyncIterable<SnapshotPage<keyof typeof ACCOUNT_KINDS>> {
    let cursor: string | null = null;
    for (let n = 0; n < 100_000; n++) {
      const page: Json = await this.client.rpc<Json>('team/linked_apps/list_members_linked_apps', cursor === null ? {} : { cursor });
      const items: AccountItem[] = [];
      for (const entry of arr(page.apps).map(obj)) {
        const memberId = str(entry?.team_member_id);
        if (memberId === null) continue;
        const member = profiles.get(memberId) ?? { team_member_id: memberId };
        for (const app of arr(entry?.linked_api_apps)) items.push({ kind: 'app_grant', raw: { member, app } });
      }
      yield { items };
      cursor = str(page.cursor);
      if (page.has_more !== true || cursor === null) return;
    }
  }
}

/** True when a request for a member failed because the member is gone or cannot be acted as. */
export function isMemberGone(err: unknown): boolean {
  const status = providerStatus(err);
  return status === 401 || status === 409;
}
