import { AppwardenError } from '../../core/errors.js';
import { pathSegment, type HttpClient, type HttpRequest } from '../runtime/http-client.js';
import { arr, type Json, obj } from '../runtime/json-fields.js';
import { bodyLinkPages, itemPages } from '../runtime/paging.js';
import { str } from './fields.js';

/** One page of a Graph delta query, with the link to continue from. */
export interface DeltaPage {
  items: Json[];
  /** `@odata.nextLink` while the round has more pages, else `@odata.deltaLink` for the next round. */
  link: string;
  /** True on the round's last page (the link is a delta link). */
  last: boolean;
}

// passwordProfile is returned only when selected; it tells whether a password change is required.
const USER_FIELDS = 'id,displayName,userPrincipalName,mail,accountEnabled,userType,createdDateTime,jobTitle,department,externalUserState,signInSessionsValidFromDateTime,passwordProfile';
const GROUP_FIELDS = 'id,displayName,mail,groupTypes,securityEnabled,mailEnabled,createdDateTime,description,visibility';
const MEMBER_FIELDS = 'id,displayName,userPrincipalName,mail';
// Delta reports sharing changes and removals only when asked (OneDrive/SharePoint `Prefer` values).
const DELTA_PREFER = 'deltashowremovedasdeleted, deltatraversepermissiongaps, deltashowsharingchanges, hierarchicalsharing';

/**
 * Microsoft Graph calls, nothing else. Lists follow `@odata.nextLink` verbatim; paths are relative to
 * `<graphUrl>/v1.0`, the client's base URL.
 */
export class GraphClient {
  constructor(private readonly http: HttpClient, private readonly pageSize: number) {}

  users(options: { signInActivity: boolean }): AsyncIterable<Json[]> {
    return this.pages({ path: '/users', query: { $select: options.signInActivity ? `${USER_FIELDS},signInActivity` : USER_FIELDS, $top: this.pageSize } });
  }

  /** Users with only what the drive discovery needs. */
  userIds(): AsyncIterable<Json[]> {
    return this.pages({ path: '/users', query: { $select: 'id,userPrincipalName', $top: this.pageSize } });
  }

  groups(): AsyncIterable<Json[]> {
    return this.pages({ path: '/groups', query: { $select: GROUP_FIELDS, $top: this.pageSize } });
  }

  groupMembers(groupId: string): AsyncIterable<Json[]> {
    return this.pages({ path: `/groups/${enc(groupId)}/members`, query: { $select: MEMBER_FIELDS, $top: this.pageSize } });
  }

  /** Activated directory roles (a role nobody holds is not listed). */
  directoryRoles(): AsyncIterable<Json[]> {
    return this.pages({ path: '/directoryRoles' });
  }

  roleMembers(roleId: string): AsyncIterable<Json[]> {
    return this.pages({ path: `/directoryRoles/${enc(roleId)}/members`, query: { $select: MEMBER_FIELDS } });
  }

  servicePrincipals(): AsyncIterable<Json[]> {
    return this.pages({ path: '/servicePrincipals', query: { $select: 'id,appId,displayName,servicePrincipalType,appRoles', $top: this.pageSize } });
  }

  /** Who was granted the app roles a resource (an API's service principal) defines. */
  appRoleAssignedTo(resourceId: string): AsyncIterable<Json[]> {
    return this.pages({ path: `/servicePrincipals/${enc(resourceId)}/appRoleAssignedTo`, query: { $top: this.pageSize } });
  }

  permissionGrants(): AsyncIterable<Json[]> {
    return this.pages({ path: '/oauth2PermissionGrants', query: { $top: this.pageSize } });
  }

  /** The tenant's verified domains (`GET /organization`). */
  async verifiedDomains(): Promise<string[]> {
    const res = await this.http.request<Json>({ path: '/organization', query: { $select: 'id,verifiedDomains' } });
    const org = obj(arr(res.body?.value)[0]);
    return arr(org?.verifiedDomains).map((d) => str(obj(d)?.name)).filter((n): n is string => n !== null);
  }

  /** A user, or null when there is none with that id. */
  async user(userId: string, select: string): Promise<Json | null> {
    const res = await this.http.request<Json>({ path: `/users/${enc(userId)}`, query: { $select: select }, acceptStatus: [404] });
    return res.status === 404 ? null : obj(res.body);
  }

  async updateUser(userId: string, body: Json): Promise<void> {
    await this.http.request({ method: 'PATCH', path: `/users/${enc(userId)}`, body });
  }

  async revokeSignInSessions(userId: string): Promise<void> {
    await this.http.request({ method: 'POST', path: `/users/${enc(userId)}/revokeSignInSessions` });
  }

  /** Removes a member from a group; false when it was not a member. */
  async removeGroupMember(groupId: string, memberId: string): Promise<boolean> {
    const res = await this.http.request({ method: 'DELETE', path: `/groups/${enc(groupId)}/members/${enc(memberId)}/$ref`, acceptStatus: [404] });
    return res.status !== 404;
  }

  async removeRoleMember(roleId: string, memberId: string): Promise<boolean> {
    const res = await this.http.request({ method: 'DELETE', path: `/directoryRoles/${enc(roleId)}/members/${enc(memberId)}/$ref`, acceptStatus: [404] });
    return res.status !== 404;
  }

  async isMember(collection: 'groups' | 'directoryRoles', id: string, memberId: string): Promise<boolean> {
    for await (const page of this.pages({ path: `/${collection}/${enc(id)}/members`, query: { $select: 'id' } })) {
      if (page.some((m) => m.id === memberId)) return true;
    }
    return false;
  }

  /** Deletes a delegated permission grant; false when there was none. */
  async deletePermissionGrant(grantId: string): Promise<boolean> {
    const res = await this.http.request({ method: 'DELETE', path: `/oauth2PermissionGrants/${enc(grantId)}`, acceptStatus: [404] });
    return res.status !== 404;
  }

  /** Deletes an application permission (an app role assigned to a client, on the resource's service principal); false when there was none. */
  async deleteAppRoleAssignment(resourceId: string, assignmentId: string): Promise<boolean> {
    const res = await this.http.request({ method: 'DELETE', path: `/servicePrincipals/${enc(resourceId)}/appRoleAssignedTo/${enc(assignmentId)}`, acceptStatus: [404] });
    return res.status !== 404;
  }

  async appRoleAssignmentExists(resourceId: string, assignmentId: string): Promise<boolean> {
    for await (const page of this.appRoleAssignedTo(resourceId)) if (page.some((a) => a.id === assignmentId)) return true;
    return false;
  }

  async permissionGrantExists(grantId: string): Promise<boolean> {
    const res = await this.http.request({ path: `/oauth2PermissionGrants/${enc(grantId)}`, acceptStatus: [404] });
    return res.status !== 404;
  }

  // ---- Files

  /** A user's OneDrive, or null when the user has none (no license, never provisioned). */
  async userDrive(userId: string): Promise<Json | null> {
    const res = await this.http.request<Json>({ path: `/users/${enc(userId)}/drive`, acceptStatus: [404] });
    return res.status === 404 ? null : obj(res.body);
  }

  sites(): AsyncIterable<Json[]> {
    return this.pages({ path: '/sites', query: { search: '*', $top: this.pageSize } });
  }

  siteDrives(siteId: string): AsyncIterable<Json[]> {
    return this.pages({ path: `/sites/${enc(siteId)}/drives` });
  }

  children(driveId: string, itemId: string | null): AsyncIterable<Json[]> {
    const item = itemId === null ? 'root' : `items/${enc(itemId)}`;
    return this.pages({ path: `/drives/${enc(driveId)}/${item}/children`, query: { $top: this.pageSize } });
  }

  /** A folder's children page by page, from `nextLink` when given, each page with the link to the next (null on the last). */
  async *childPages(driveId: string, itemId: string | null, nextLink?: string): AsyncIterable<{ items: Json[]; next: string | null }> {
    const item = itemId === null ? 'root' : `items/${enc(itemId)}`;
    const first: HttpRequest = nextLink === undefined ? { path: `/drives/${enc(driveId)}/${item}/children`, query: { $top: this.pageSize } } : { url: nextLink };
    for await (const page of this.http.paginate<Json>(first, bodyLinkPages<Json>('value', '@odata.nextLink'))) {
      yield { items: page.items, next: str(obj(page.response.body)?.['@odata.nextLink']) };
    }
  }

  async item(driveId: string, itemId: string): Promise<Json | null> {
    const res = await this.http.request<Json>({ path: `/drives/${enc(driveId)}/items/${enc(itemId)}`, acceptStatus: [404] });
    return res.status === 404 ? null : obj(res.body);
  }

  /** An item's permissions; [] when the item is gone. */
  async permissions(driveId: string, itemId: string): Promise<Json[]> {
    const out: Json[] = [];
    for await (const page of this.pages({ path: `/drives/${enc(driveId)}/items/${enc(itemId)}/permissions` }, [404])) out.push(...page);
    return out;
  }

  /** Deletes a permission (sharing link or grant); false when it was already gone. */
  async deletePermission(driveId: string, itemId: string, permissionId: string): Promise<boolean> {
    const res = await this.http.request({
      method: 'DELETE', path: `/drives/${enc(driveId)}/items/${enc(itemId)}/permissions/${enc(permissionId)}`, acceptStatus: [404],
    });
    return res.status !== 404;
  }

  /** A sharing link of that type and scope (Graph answers the existing one when there is one). */
  async createLink(driveId: string, itemId: string, link: { type: string; scope: string }): Promise<void> {
    await this.http.request({ method: 'POST', path: `/drives/${enc(driveId)}/items/${enc(itemId)}/createLink`, body: link });
  }

  /** Grants one person access with these roles, without sending them a mail. */
  async invite(driveId: string, itemId: string, recipient: { email?: string; objectId?: string }, roles: readonly string[]): Promise<void> {
    await this.http.request({
      method: 'POST', path: `/drives/${enc(driveId)}/items/${enc(itemId)}/invite`,
      body: { recipients: [recipient], roles, requireSignIn: true, sendInvitation: false },
    });
  }

  /** The sensitivity label ids on a file, or null when Graph cannot tell (folders, unsupported file types). */
  async sensitivityLabels(driveId: string, itemId: string): Promise<string[] | null> {
    const res = await this.http.request<Json>({
      method: 'POST', path: `/drives/${enc(driveId)}/items/${enc(itemId)}/extractSensitivityLabels`, acceptStatus: [400, 404, 415, 423],
    });
    if (res.status >= 400) return null;
    return arr(obj(res.body)?.labels).map((l) => str(obj(l)?.sensitivityLabelId)).filter((id): id is string => id !== null);
  }

  /** Starts applying a sensitivity label (Graph answers 202 and applies it asynchronously). */
  async assignSensitivityLabel(driveId: string, itemId: string, body: Json): Promise<void> {
    await this.http.request({ method: 'POST', path: `/drives/${enc(driveId)}/items/${enc(itemId)}/assignSensitivityLabel`, body });
  }

  /** Moves an item to another folder of the same drive (Graph cannot move across drives). */
  async moveItem(driveId: string, itemId: string, parentId: string): Promise<void> {
    await this.http.request({ method: 'PATCH', path: `/drives/${enc(driveId)}/items/${enc(itemId)}`, body: { parentReference: { id: parentId } } });
  }

  /** The id of a folder at the root of a drive, created when missing. */
  async rootFolder(driveId: string, name: string): Promise<string> {
    for await (const page of this.children(driveId, null)) {
      const found = page.find((i) => i.name === name && obj(i.folder) !== null);
      if (found && typeof found.id === 'string') return found.id;
    }
    const res = await this.http.request<Json>({
      method: 'POST', path: `/drives/${enc(driveId)}/root/children`,
      body: { name, folder: {}, '@microsoft.graph.conflictBehavior': 'fail' },
    });
    const id = str(obj(res.body)?.id);
    if (id === null) throw new AppwardenError('AW_PROVIDER_RESPONSE_INVALID', 'creating a folder answered no id', { details: { driveId } });
    return id;
  }

  /** A delta link that starts from now (`token=latest`): no items, only the link. */
  async latestDeltaLink(driveId: string): Promise<string> {
    const res = await this.http.request<Json>({ path: `/drives/${enc(driveId)}/root/delta`, query: { token: 'latest' }, headers: { prefer: DELTA_PREFER } });
    const link = str(obj(res.body)?.['@odata.deltaLink']);
    if (link === null) throw new AppwardenError('AW_PROVIDER_RESPONSE_INVALID', 'a delta query answered no @odata.deltaLink', { details: { driveId } });
    return link;
  }

  /**
   * The changes after a delta or next link, page by page. Resolves to `null` instead when Graph
   * answers 410 Gone (the link expired: the caller starts over from the latest state).
   */
  async *delta(link: string): AsyncIterable<DeltaPage | null> {
    for await (const page of this.http.paginate<Json>({ url: link, headers: { prefer: DELTA_PREFER }, acceptStatus: [410] }, (res) => {
      if (res.status === 410) return { items: [], next: null };
      const body = obj(res.body);
      const next = str(body?.['@odata.nextLink']);
      return { items: arr(body?.value).map(obj).filter((i): i is Json => i !== null), next: next === null ? null : { url: next, headers: { prefer: DELTA_PREFER } } };
    })) {
      if (page.response.status === 410) {
        yield null;
        return;
      }
      const body = obj(page.response.body);
      const next = str(body?.['@odata.nextLink']);
      const deltaLink = str(body?.['@odata.deltaLink']);
      const link = next ?? deltaLink;
      if (link === null) throw new AppwardenError('AW_PROVIDER_RESPONSE_INVALID', 'a delta page had neither @odata.nextLink nor @odata.deltaLink', { details: { url: page.request.url } });
      yield { items: page.items, link, last: next === null };
    }
  }

  /** A Graph list: `value[]`, following `@odata.nextLink` verbatim; a status in `acceptStatus` (a 404 of a deleted item) reads as empty. */
  private pages(first: HttpRequest, acceptStatus: readonly number[] = []): AsyncIterable<Json[]> {
    const read = bodyLinkPages<Json>('value', '@odata.nextLink');
    return itemPages(this.http, { ...first, acceptStatus }, (res, req) => (acceptStatus.includes(res.status) ? { items: [], next: null } : read(res, req)));
  }
}

const enc = pathSegment;
