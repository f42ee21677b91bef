import { AppwardenError } from '../../core/errors.js';
import type { ConnectorContext } from '../contract.js';
import type { HttpClient, HttpRequest, HttpResponse } from '../runtime/http-client.js';
import type { GoogleWorkspaceConfig } from './config.js';
import type { Principal } from './scopes.js';
import { collect } from '../runtime/paging.js';
import { ServiceAccountTokens } from './service-account.js';
import { googleContinuationRefused } from './continuation.js';
import { googleThrottle } from './throttle.js';

type Json = Record<string, unknown>;

/**
 * The instance's one HTTP client for the Admin SDK and Drive (one queue and one throttle pause per
 * instance), with each request sent as its principal: the token for that subject and scope.
 */
export class GoogleApi {
  /** Each request names its principal as its `credential`; the token is that principal's. */
  readonly http: HttpClient<Principal>;
  readonly tokens: ServiceAccountTokens;
  readonly #driveBase: string;

  constructor(ctx: ConnectorContext<GoogleWorkspaceConfig>) {
    const { config } = ctx;
    this.tokens = new ServiceAccountTokens(
      { clientEmail: config.clientEmail, privateKey: config.privateKey, privateKeyId: config.privateKeyId, tokenUrl: config.tokenUrl, adminEmail: config.adminEmail },
      ctx.http({ baseUrl: config.tokenUrl }),
    );
    this.#driveBase = `${config.driveBaseUrl.replace(/\/+$/, '')}/drive/v3`;
    this.http = ctx.http<Principal>({
      baseUrl: config.adminBaseUrl.replace(/\/+$/, ''),
      trustedOrigins: [config.driveBaseUrl],
      throttle: googleThrottle,
      continuationRefused: googleContinuationRefused,
      authenticate: async (req) => {
        if (!req.credential) throw new AppwardenError('AW_INTERNAL', 'a Google request was sent without a principal');
        return { authorization: `Bearer ${await this.tokens.token(req.credential)}` };
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
    return this.http.request<T>({ ...req, credential: principal });
  }

  /** The items under `key` of every page, following `nextPageToken` (Google omits it on the last page). */
  async *pages<T = Json>(first: HttpRequest, principal: Principal, key: string): AsyncIterable<T[]> {
    for await (const page of this.tokenPages<T>(first, principal, key)) {
      if (page.items.length > 0) yield page.items;
    }
  }

  /** Every page from page token `from` (the first page without it), each with the token of the page after it (null on the last). */
  async *tokenPages<T = Json>(first: HttpRequest, principal: Principal, key: string, from?: string): AsyncIterable<{ items: T[]; next: string | null }> {
    const base: HttpRequest<Principal> = { ...first, credential: principal };
    const start: HttpRequest<Principal> = from === undefined ? base : { ...base, query: { ...base.query, pageToken: from } };
    const tokenOf = (res: HttpResponse): string | null => {
      const token = ((res.body ?? {}) as Json).nextPageToken;
      return typeof token === 'string' && token !== '' ? token : null;
    };
    for await (const page of this.http.paginate<T>(start, (res, req) => {
      const body = (res.body ?? {}) as Json;
      const items = Array.isArray(body[key]) ? (body[key] as T[]) : [];
      const token = tokenOf(res);
      if (token === null) return { items, next: null };
      return { items, next: { ...req, query: { ...req.query, pageToken: token } } };
    })) {
      yield { items: page.items, next: tokenOf(page.response) };
    }
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
