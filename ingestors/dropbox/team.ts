import { domainOf, obj, str, type Json } from '../runtime/json-fields.js';
import type { DropboxClient } from './client.js';
import { tagOf } from './event-types.js';

/** The routes whose listing the connector reads, with the page-size key their body takes. */
export const ROUTES = {
  members: ['team/members/list_v2', 'team/members/list/continue_v2', 'members'],
  groups: ['team/groups/list', 'team/groups/list/continue', 'groups'],
  groupMembers: ['team/groups/members/list', 'team/groups/members/list/continue', 'members'],
  teamFolders: ['team/team_folder/list', 'team/team_folder/list/continue', 'team_folders'],
  events: ['team_log/get_events', 'team_log/get_events/continue', 'events'],
  listFolder: ['files/list_folder', 'files/list_folder/continue', 'entries'],
  sharedLinks: ['sharing/list_shared_links', 'sharing/list_shared_links', 'links'],
  folderMembers: ['sharing/list_folder_members', 'sharing/list_folder_members/continue', 'users'],
} as const;

/**
 * What the streams and actions share about the team: its members (as `members/list_v2` lists them),
 * the admin the connector acts as for team folders, and the email domains counted as internal.
 */
export class TeamDirectory {
  #admin: Promise<string> | null = null;

  constructor(private readonly client: DropboxClient, private readonly options: { pageSize: number; internalDomains: readonly string[]; adminMemberId?: string | undefined }) {}

  /** Every member, removed ones included (`{profile, roles}` items), page by page. */
  memberPages(): AsyncGenerator<{ items: Json[]; cursor: string | null }> {
    const [route, next, key] = ROUTES.members;
    return this.client.pages(route, { limit: this.options.pageSize, include_removed: true }, next, key);
  }

  async members(): Promise<Json[]> {
    const out: Json[] = [];
    for await (const page of this.memberPages()) out.push(...page.items);
    return out;
  }

  /** The members whose Dropbox holds files: active and suspended (an invited member has none yet, a removed one is gone). */
  async filesMembers(): Promise<Json[]> {
    return (await this.members()).map((m) => obj(m.profile) ?? {}).filter((p) => {
      const status = tagOf(p.status);
      return (status === 'active' || status === 'suspended') && str(p.team_member_id) !== null;
    });
  }

  /** The team_member_id of the admin the connector acts as (`team/token/get_authenticated_admin`, or the configured one). */
  adminId(): Promise<string> {
    if (this.options.adminMemberId) return Promise.resolve(this.options.adminMemberId);
    this.#admin ??= this.client.rpc<Json>('team/token/get_authenticated_admin', null).then((res) => {
      const id = str(obj(res.admin_profile)?.team_member_id);
      if (id === null) throw new Error('team/token/get_authenticated_admin answered without admin_profile.team_member_id');
      return id;
    }).catch((err: unknown) => {
      this.#admin = null;
      throw err;
    });
    return this.#admin;
  }

  /** The team's email domains (its members') and the configured internal ones. */
  domainsOf(profiles: readonly Json[]): string[] {
    const domains = new Set(this.options.internalDomains.map((d) => d.toLowerCase()));
    for (const p of profiles) {
      const email = str(p.email);
      const domain = email === null ? null : domainOf(email);
      if (domain !== null) domains.add(domain);
    }
    return [...domains];
  }
}
