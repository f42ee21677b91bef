import { pathSegment } from '../runtime/http-client.js';
import type { GoogleApi } from './google-api.js';

type Json = Record<string, unknown>;

const DIRECTORY = '/admin/directory/v1';
// Page size ceilings of the Directory API's list methods.
const GROUPS_PAGE = 200;
const MEMBERS_PAGE = 200;
const ROLES_PAGE = 100;
const ROLE_ASSIGNMENTS_PAGE = 200;

const enc = pathSegment;

/** Admin SDK Directory API calls, nothing else; all made as the configured admin. */
export class DirectoryClient {
  constructor(private readonly api: GoogleApi, private readonly options: { customerId: string; userPageSize: number }) {}

  users(): AsyncIterable<Json[]> {
    return this.api.pages(this.usersRequest(), { scope: 'users' }, 'users');
  }

  /** The users from page token `from`, each page with the token of the next. */
  userPages(from?: string): AsyncIterable<{ items: Json[]; next: string | null }> {
    return this.api.tokenPages(this.usersRequest(), { scope: 'users' }, 'users', from);
  }

  private usersRequest() {
    return { path: `${DIRECTORY}/users`, query: { customer: this.options.customerId, maxResults: this.options.userPageSize, projection: 'full' } };
  }

  groups(): AsyncIterable<Json[]> {
    return this.api.pages({ path: `${DIRECTORY}/groups`, query: { customer: this.options.customerId, maxResults: GROUPS_PAGE } }, { scope: 'groups' }, 'groups');
  }

  members(groupKey: string): AsyncIterable<Json[]> {
    return this.api.pages({ path: `${DIRECTORY}/groups/${enc(groupKey)}/members`, query: { maxResults: MEMBERS_PAGE } }, { scope: 'groups' }, 'members');
  }

  roles(): Promise<Json[]> {
    return this.api.all({ path: `${DIRECTORY}/customer/${enc(this.options.customerId)}/roles`, query: { maxResults: ROLES_PAGE } }, { scope: 'roles' }, 'items');
  }

  roleAssignments(): AsyncIterable<Json[]> {
    return this.api.pages({ path: `${DIRECTORY}/customer/${enc(this.options.customerId)}/roleassignments`, query: { maxResults: ROLE_ASSIGNMENTS_PAGE } },
      { scope: 'roles' }, 'items');
  }

  /** The OAuth tokens a user granted to apps (not paged). */
  tokens(userKey: string): Promise<Json[]> {
    return this.api.all({ path: `${DIRECTORY}/users/${enc(userKey)}/tokens` }, { scope: 'userSecurity' }, 'items');
  }

  getUser(userKey: string): Promise<Json | null> {
    return this.api.find({ path: `${DIRECTORY}/users/${enc(userKey)}` }, { scope: 'users' });
  }

  async patchUser(userKey: string, body: Json): Promise<Json> {
    return (await this.api.request({ method: 'PATCH', path: `${DIRECTORY}/users/${enc(userKey)}`, body }, { scope: 'users' })).body;
  }

  /** Signs the user out of every web and device session (Google answers 204). */
  async signOut(userKey: string): Promise<void> {
    await this.api.request({ method: 'POST', path: `${DIRECTORY}/users/${enc(userKey)}/signOut` }, { scope: 'userSecurity' });
  }

  /** Deletes the user's token for an app; false when there was none (404). */
  async deleteToken(userKey: string, clientId: string): Promise<boolean> {
    const res = await this.api.request({ method: 'DELETE', path: `${DIRECTORY}/users/${enc(userKey)}/tokens/${enc(clientId)}`, acceptStatus: [404] },
      { scope: 'userSecurity' });
    return res.status !== 404;
  }

  /** The member of a group (user or group, by id or email), or null when it is not a direct member. */
  groupMember(groupKey: string, memberKey: string): Promise<Json | null> {
    return this.api.find({ path: `${DIRECTORY}/groups/${enc(groupKey)}/members/${enc(memberKey)}` }, { scope: 'groups' });
  }

  /** Removes a member from a group; false when it was not one (404). */
  async removeGroupMember(groupKey: string, memberKey: string): Promise<boolean> {
    const res = await this.api.request({ method: 'DELETE', path: `${DIRECTORY}/groups/${enc(groupKey)}/members/${enc(memberKey)}`, acceptStatus: [404] },
      { scope: 'groupsWrite' });
    return res.status !== 404;
  }

  /** The role assignments of one user (every role, at every scope). */
  userRoleAssignments(userKey: string): Promise<Json[]> {
    return this.api.all({ path: `${DIRECTORY}/customer/${enc(this.options.customerId)}/roleassignments`, query: { userKey, maxResults: ROLE_ASSIGNMENTS_PAGE } },
      { scope: 'roles' }, 'items');
  }

  /** Deletes a role assignment; false when it was already gone (404). */
  async deleteRoleAssignment(roleAssignmentId: string): Promise<boolean> {
    const res = await this.api.request({
      method: 'DELETE', path: `${DIRECTORY}/customer/${enc(this.options.customerId)}/roleassignments/${enc(roleAssignmentId)}`, acceptStatus: [404],
    }, { scope: 'rolesWrite' });
    return res.status !== 404;
  }

  /** Small reads, one per scope, to see whether the admin may use it. */
  probe(scope: 'users' | 'userSecurity' | 'groups' | 'roles' | 'groupsWrite' | 'rolesWrite', adminEmail: string): Promise<unknown> {
    switch (scope) {
      case 'groupsWrite': return this.api.request({ path: `${DIRECTORY}/groups`, query: { customer: this.options.customerId, maxResults: 1 } }, { scope });
      case 'rolesWrite': return this.api.request({ path: `${DIRECTORY}/customer/${enc(this.options.customerId)}/roles`, query: { maxResults: 1 } }, { scope });
      case 'users': return this.api.request({ path: `${DIRECTORY}/users`, query: { customer: this.options.customerId, maxResults: 1 } }, { scope });
      case 'userSecurity': return this.api.request({ path: `${DIRECTORY}/users/${enc(adminEmail)}/tokens` }, { scope });
      case 'groups': return this.api.request({ path: `${DIRECTORY}/groups`, query: { customer: this.options.customerId, maxResults: 1 } }, { scope });
      case 'roles': return this.api.request({ path: `${DIRECTORY}/customer/${enc(this.options.customerId)}/roles`, query: { maxResults: 1 } }, { scope });
    }
  }
}
