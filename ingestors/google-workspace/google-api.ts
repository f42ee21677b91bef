import { AppwardenError, isAppwardenError } from '../../core/errors.js';
import type { ConnectorContext } from '../contract.js';
import type { HttpClient, HttpRequest, HttpResponse } from '../runtime/http-client.js';
import type { GoogleWorkspaceConfig } from './config.js';
import type { Principal } from './scopes.js';
import { bodyTokenPages, collect, itemPages } from '../runtime/paging.js';
import { ServiceAccountTokens } from './service-account.js';
import { googleThrottle } from './throttle.js';

type Json = Record<string, unknown>;

/**
 * The instance's one HTTP client for the Admin SDK and Drive (one queue and one throttle pause per
 * instance), with each request sent as its principal: the token for that subject and scope.
 */
export class GoogleApi {
  readonly #principals = new WeakMap<HttpRequest, Principal>();
  readonly http: HttpClient;
  readonly tokens: ServiceAccountTokens;
  readonly #driveBase: string;

  constructor(ctx: ConnectorContext<GoogleWorkspaceConfig>) {
    const { config } = ctx;
    this.tokens = new ServiceAccountTokens(
      { clientEmail: config.clientEmail, privateKey: config.privateKey, privateKeyId: config.privateKeyId, tokenUrl: config.tokenUrl, adminEmail: config.adminEmail },
      ctx.http({ baseUrl: config.tokenUrl }),
    );
    this.#driveBase = `${config.driveBaseUrl.replace(/\/+$/, '')}/drive/v3`;
    this.http = ctx.http({
      baseUrl: config.adminBaseUrl.replace(/\/+$/, ''),
      trustedOrigins: [config.driveBaseUrl],
      throttle: googleThrottle,
      authenticate: async (req) => {
        const principal = this.#principals.get(req);
        if (!principal) throw new AppwardenError('AW_INTERNAL', 'a Google request was sent without a principal');
        return { authorization: `Bearer ${await this.tokens.token(principal)}` };
      },
      onUnauthorized: async () => {
        this.tokens.invalidate();
        return true;
      },
    });
  }

  /** A Drive API v3 request (`path` under `/drive/v3`). */
  drive(path: string, rest: Omit<HttpRequest, 'path' | 'url'> = {}): HttpRequest {
    return { ...rest, url: `${this.#driveBase}${path}` };
  }

  request<T = Json>(req: HttpRequest, principal: Principal): Promise<HttpResponse<T>> {
    this.#principals.set(req, principal);
    return this.http.request<T>(req);
  }

  /** The items under `key` of every page, following `nextPageToken` (Google omits it on the last page). */
  pages<T = Json>(first: HttpRequest, principal: Principal, key: string): AsyncIterable<T[]> {
    this.#principals.set(first, principal);
    const read = bodyTokenPages<T>(key, 'nextPageToken', 'pageToken');
    return itemPages(this.http, first, (res, req) => {
      const page = read(res, req);
      if (page.next) this.#principals.set(page.next, principal);
      return page;
    });
  }

  all<T = Json>(first: HttpRequest, principal: Principal, key: string): Promise<T[]> {
    return collect(this.pages<T>(first, principal, key));
  }

  /** A request whose 404 means "not there": resolves to null instead of throwing. */
  async find<T = Json>(req: HttpRequest, principal: Principal): Promise<T | null> {
    const res = await this.request<T>({ ...req, acceptStatus: [404] }, principal);
    return res.status === 404 ? null : res.body;
  }
}

/** The HTTP status of a failed provider request, when the error carries one. */
export function statusOf(err: unknown): number | null {
  return isAppwardenError(err) && typeof err.details.status === 'number' ? err.details.status : null;
}
