import type { HttpClient, HttpRequest } from '../runtime/http-client.js';
import { pathSegment } from '../runtime/http-client.js';
import type { TimeWindow } from '../contract.js';
import { providerStatus } from '../../core/errors.js';
import { obj, type Json } from '../runtime/json-fields.js';
import { collect, itemPages, linkHeaderPages } from '../runtime/paging.js';

/** Okta API calls, nothing else: paging follows the `Link: <...>; rel="next"` header verbatim. */
export class OktaClient {
  constructor(private readonly http: HttpClient, private readonly pageSizes: { logs: number; users: number }) {}

  /** System Log events published in the window, oldest first (a bounded query: `next` stops when exhausted). */
  async *logs(window: TimeWindow): AsyncIterable<unknown[]> {
    yield* this.pages({
      path: '/api/v1/logs',
      query: {
        since: new Date(window.since).toISOString(),
        until: new Date(window.until).toISOString(),
        limit: this.pageSizes.logs,
        sortOrder: 'ASCENDING',
      },
    });
  }

  /** Every user; Okta leaves DEPROVISIONED users out of a plain list, so they are listed by a search after the rest. */
  async *users(): AsyncIterable<unknown[]> {
    yield* this.pages({ path: '/api/v1/users', query: { limit: this.pageSizes.users } });
    yield* this.pages({ path: '/api/v1/users', query: { limit: this.pageSizes.users, search: 'status eq "DEPROVISIONED"' } });
  }

  groups(): AsyncIterable<unknown[]> {
    return this.pages({ path: '/api/v1/groups', query: { limit: this.pageSizes.users } });
  }

  groupMembers(groupId: string): AsyncIterable<unknown[]> {
    return this.pages({ path: `/api/v1/groups/${pathSegment(groupId)}/users`, query: { limit: this.pageSizes.users } });
  }

  async userRoles(userId: string): Promise<Json[]> {
    return this.all({ path: `/api/v1/users/${pathSegment(userId)}/roles` });
  }

  async groupRoles(groupId: string): Promise<Json[]> {
    return this.all({ path: `/api/v1/groups/${pathSegment(groupId)}/roles` });
  }

  async userGrants(userId: string): Promise<Json[]> {
    return this.all({ path: `/api/v1/users/${pathSegment(userId)}/grants`, query: { limit: 200 } });
  }

  /** One request, for probing what the credentials may read: resolves to the HTTP status. */
  async probe(path: string): Promise<number> {
    try {
      return (await this.http.request({ path, query: { limit: 1 } })).status;
    } catch (err) {
      const status = providerStatus(err);
      if (status !== null) return status;
      throw err;
    }
  }

  private async all(first: HttpRequest): Promise<Json[]> {
    return (await collect(this.pages(first))).map((item) => obj(item) ?? {});
  }

  /** Pages linked by `Link: <...>; rel="next"`. A polling query always has a next link; an empty page ends the read. */
  private pages(first: HttpRequest): AsyncIterable<unknown[]> {
    return itemPages(this.http, first, linkHeaderPages());
  }
}
