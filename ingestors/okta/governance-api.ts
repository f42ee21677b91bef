import { AppwardenError, ProviderHttpError } from '../../core/errors.js';
import type { ActionTarget } from '../contract.js';
import { linkHeaderNext, pathSegment, type HttpClient, type HttpRequest } from '../runtime/http-client.js';

type Json = Record<string, unknown>;

const GRANTS_PAGE = 200;

export interface OktaUserRef {
  id: string;
  status: string;
  login: string;
}

/** Okta's calls used by the actions; a user is found by id or login, as `GET /api/v1/users/{id}` allows. */
export class OktaGovernanceApi {
  constructor(private readonly http: HttpClient) {}

  async user(target: ActionTarget, signal: AbortSignal): Promise<OktaUserRef> {
    const key = target.type === 'user' ? target.id : undefined;
    if (!key) throw badTarget(`the target must be an Okta user (id or login), not a ${target.type}`);
    const res = await this.http.request<Json>({ path: `/api/v1/users/${pathSegment(key)}`, acceptStatus: [404], signal });
    if (res.status === 404) throw new ProviderHttpError('AW_PROVIDER_REQUEST_FAILED', `Okta has no user ${key}`, { httpStatus: 404, details: { field: 'target.id' } });
    const body = res.body ?? {};
    const profile = (body.profile ?? {}) as Json;
    if (typeof body.id !== 'string' || typeof body.status !== 'string') {
      throw new AppwardenError('AW_PROVIDER_RESPONSE_INVALID', `GET /api/v1/users/${key} answered a user without id or status`);
    }
    return { id: body.id, status: body.status, login: typeof profile.login === 'string' ? profile.login : key };
  }

  async lifecycle(userId: string, operation: string, signal: AbortSignal): Promise<void> {
    await this.http.request({ method: 'POST', path: `/api/v1/users/${pathSegment(userId)}/lifecycle/${operation}`, signal });
  }

  async clearSessions(userId: string, oauthTokens: boolean, signal: AbortSignal): Promise<void> {
    await this.http.request({
      method: 'DELETE', path: `/api/v1/users/${pathSegment(userId)}/sessions`, query: oauthTokens ? { oauthTokens: true } : {}, signal,
    });
  }

  /** Whether the System Log holds a `user.session.clear` for the user published since `since`. */
  async sessionsClearedSince(userId: string, since: number, signal: AbortSignal): Promise<boolean> {
    const res = await this.http.request<unknown[]>({
      path: '/api/v1/logs',
      query: {
        since: new Date(since).toISOString(),
        filter: `eventType eq "user.session.clear" and target.id eq "${userId.replace(/"/g, '')}"`,
        sortOrder: 'DESCENDING',
        limit: 1,
      },
      signal,
    });
    return Array.isArray(res.body) && res.body.length > 0;
  }

  userGroups(userId: string, signal: AbortSignal): Promise<Json[]> {
    return this.all({ path: `/api/v1/users/${pathSegment(userId)}/groups`, signal });
  }

  async removeFromGroup(groupId: string, userId: string, signal: AbortSignal): Promise<void> {
    await this.http.request({ method: 'DELETE', path: `/api/v1/groups/${pathSegment(groupId)}/users/${pathSegment(userId)}`, signal });
  }

  /** The admin roles the user holds, directly and through groups (`assignmentType` USER or GROUP). */
  userRoles(userId: string, signal: AbortSignal): Promise<Json[]> {
    return this.all({ path: `/api/v1/users/${encodeURIComponent(userId)}/roles`, signal });
  }

  async removeRole(userId: string, roleAssignmentId: string, signal: AbortSignal): Promise<void> {
    // A role removed meanwhile (404) is what we wanted.
    await this.http.request({
      method: 'DELETE', path: `/api/v1/users/${encodeURIComponent(userId)}/roles/${encodeURIComponent(roleAssignmentId)}`, acceptStatus: [404], signal,
    });
  }

  factors(userId: string, signal: AbortSignal): Promise<Json[]> {
    return this.all({ path: `/api/v1/users/${encodeURIComponent(userId)}/factors`, signal });
  }

  userGrants(userId: string, signal: AbortSignal): Promise<Json[]> {
    return this.all({ path: `/api/v1/users/${pathSegment(userId)}/grants`, query: { limit: GRANTS_PAGE }, signal });
  }

  /** Revokes one grant, or every grant of the user when `grantId` is absent. */
  async revokeGrants(userId: string, grantId: string | undefined, signal: AbortSignal): Promise<void> {
    const path = `/api/v1/users/${pathSegment(userId)}/grants${grantId === undefined ? '' : `/${pathSegment(grantId)}`}`;
    // A grant revoked meanwhile (404) is what we wanted.
    await this.http.request({ method: 'DELETE', path, acceptStatus: grantId === undefined ? [] : [404], signal });
  }

  private async all(first: HttpRequest): Promise<Json[]> {
    const out: Json[] = [];
    for await (const page of this.http.paginate<Json>(first, (res) => {
      const items = Array.isArray(res.body) ? (res.body as Json[]) : [];
      const next = linkHeaderNext(res);
      return { items, next: items.length > 0 && next ? { url: next, signal: first.signal } : null };
    })) out.push(...page.items);
    return out;
  }
}

/** A target the action cannot act on → AW_BAD_REQUEST naming the field. */
export function badTarget(message: string, field = 'target.type'): AppwardenError {
  return new AppwardenError('AW_BAD_REQUEST', message, { details: { field } });
}
