import { AppwardenError, isAppwardenError } from '../../core/errors.js';
import type { ConnectorContext } from '../contract.js';
import type { HttpClient, HttpRequest, HttpResponse } from '../runtime/http-client.js';
import type { GoogleWorkspaceConfig } from './config.js';
import type { Principal } from './scopes.js';
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
  async *pages<T = Json>(first: HttpRequest, principal: Principal, key: string): AsyncIterable<T[]> {
    for await (const page of this.tokenPages<T>(first, principal, key)) {
      if (page.items.length > 0) yield page.items;
    }
  }

  /** Every page from page token `from` (the first page without it), each with the token of the page after it (null on the last). */
  async *tokenPages<T = Json>(first: HttpRequest, principal: Principal, key: string, from?: string): AsyncIterable<{ items: T[]; next: string | null }> {
    const start: HttpRequest = from === undefined ? first : { ...first, query: { ...first.query, pageToken: from } };
    this.#principals.set(start, principal);
    const tokenOf = (res: HttpResponse): string | null => {
      const token = ((res.body ?? {}) as Json).nextPageToken;
      return typeof token === 'string' && token !== '' ? token : null;
    };
    for await (const page of this.http.paginate<T>(start, (res, req) => {
      const body = (res.body ?? {}) as Json;
      const items = Array.isArray(body[key]) ? (body[key] as T[]) : [];
      const token = tokenOf(res);
      if (token === null) return { items, next: null };
      const next: HttpRequest = { ...req, query: { ...req.query, pageToken: token } };
      this.#principals.set(next, principal);
      return { items, next };
    })) {
      yield { items: page.items, next: tokenOf(page.response) };
    }
  }

  async all<T = Json>(first: HttpRequest, principal: Principal, key: string): Promise<T[]> {
    const out: T[] = [];
    for await (const items of this.pages<T>(first, principal, key)) out.push(...items);
    return out;
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
