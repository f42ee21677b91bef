import { requestOAuthToken } from '../runtime/oauth-token.js';
import { AppwardenError, ProviderHttpError } from '../../core/errors.js';
import type { HttpClient } from '../runtime/http-client.js';
import { TokenCache } from '../runtime/token-cache.js';
import { arr, obj, str, type Json } from '../runtime/json-fields.js';

/**
 * Who a team-token request acts as: a member (`Dropbox-API-Select-User`, for the member's files and
 * sharing) or an admin (`Dropbox-API-Select-Admin`, for team folders). Team endpoints need neither.
 */
export type DropboxCredential = { selectUser: string } | { selectAdmin: string };

/** An endpoint-specific error: Dropbox answers HTTP 409 with `{error_summary, error: {".tag": ...}}`. */
export interface EndpointError {
  ok: false;
  /** The union tag path, e.g. `path/not_found` from `error_summary` `path/not_found/..`. */
  summary: string;
  error: Json;
}

/** How long before expiry an access token is renewed (at most a tenth of its lifetime). */
const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * Short-lived team access tokens from a refresh token (`POST /oauth2/token`, grant_type refresh_token),
 * cached until shortly before they expire (the kit's `TokenCache`); concurrent requests share one refresh.
 */
export class DropboxTokens {
  readonly #cache: TokenCache;
  /** The scopes the last token carried (the token endpoint lists them), or null when it did not say. */
  scopes: string[] | null = null;

  constructor(private readonly oauth: HttpClient, private readonly app: { appKey: string; appSecret: string; refreshToken: string }) {
    this.#cache = new TokenCache(() => this.#issue(), 0);
  }

  token(): Promise<string> {
    return this.#cache.get();
  }

  invalidate(): void {
    this.#cache.invalidate();
  }

  async #issue(): Promise<{ token: string; expiresInMs: number }> {
    const issued = await requestOAuthToken(this.oauth, {
      path: '/oauth2/token', endpoint: 'the Dropbox token endpoint', marginMs: REFRESH_MARGIN_MS,
      form: { grant_type: 'refresh_token', refresh_token: this.app.refreshToken, client_id: this.app.appKey, client_secret: this.app.appSecret },
    });
    const scope = str(issued.body.scope);
    this.scopes = scope === null ? null : scope.split(/\s+/).filter((s) => s !== '');
    return issued;
  }
}

/** The tag path of an `error_summary` (`path/not_found/..` → `path/not_found`). */
function summaryOf(body: Json | null): string {
  const summary = str(body?.error_summary) ?? str(obj(body?.error)?.['.tag']) ?? 'unknown';
  return summary.replace(/\/\.*$/, '').replace(/\/+$/, '');
}

/**
 * Dropbox API v2 calls: every route is `POST /2/<route>` with a JSON body. 409 is an endpoint error,
 * answered to the caller (`call`) or thrown (`rpc`); a 401 `missing_scope` is the refusal of a scope,
 * rethrown as a permission refusal (403) naming the scope, so that the runtime shows the capability
 * as missing that permission and rechecks it.
 */
export class DropboxClient {
  constructor(readonly http: HttpClient<DropboxCredential>) {}

  async call<T = Json>(route: string, body: unknown, credential?: DropboxCredential): Promise<{ ok: true; body: T } | EndpointError> {
    try {
      const res = await this.http.request<unknown>({ method: 'POST', path: `/2/${route}`, body: body ?? null, credential, acceptStatus: [409], responseType: 'json' });
      if (res.status === 409) {
        const error = obj(res.body);
        return { ok: false, summary: summaryOf(error), error: obj(error?.error) ?? {} };
      }
      return { ok: true, body: res.body as T };
    } catch (err) {
      throw scopeRefusal(err, route);
    }
  }

  /** The route's answer; an endpoint error (409) is thrown naming its summary. */
  async rpc<T = Json>(route: string, body: unknown, credential?: DropboxCredential): Promise<T> {
    const answer = await this.call<T>(route, body, credential);
    if (!answer.ok) {
      throw new ProviderHttpError('AW_PROVIDER_REQUEST_FAILED', `dropbox: ${route} failed: ${answer.summary}`, {
        httpStatus: 409, details: { route, error_summary: answer.summary },
      });
    }
    return answer.body;
  }

  /**
   * The items of a listing and its `/continue` pages (`cursor` while `has_more`). A page may be empty
   * while `has_more` is true (team_log): paging goes on.
   */
  async *pages(route: string, body: unknown, continueRoute: string, itemsKey: string, credential?: DropboxCredential): AsyncGenerator<{ items: Json[]; cursor: string | null }> {
    let page = await this.rpc<Json>(route, body, credential);
    for (let n = 0; ; n++) {
      const cursor = str(page.cursor);
      yield { items: arr(page[itemsKey]).map((i) => obj(i) ?? {}), cursor };
      if (page.has_more !== true || cursor === null) return;
      if (n > 100_000) throw new AppwardenError('AW_PROVIDER_RESPONSE_INVALID', `dropbox: ${route} paging did not end`);
      page = await this.rpc<Json>(continueRoute, { cursor }, credential);
    }
  }

  async all(route: string, body: unknown, continueRoute: string, itemsKey: string, credential?: DropboxCredential): Promise<Json[]> {
    const out: Json[] = [];
    for await (const page of this.pages(route, body, continueRoute, itemsKey, credential)) out.push(...page.items);
    return out;
  }
}

/** A 401 whose body is `missing_scope` becomes a 403 refusal naming the scope; other errors pass. */
function scopeRefusal(err: unknown, route: string): unknown {
  if (!(err instanceof ProviderHttpError) || err.httpStatus !== 401) return err;
  const text = String(err.details.body ?? '');
  if (!text.includes('missing_scope')) return err;
  const scope = /"required_scope"\s*:\s*"([^"]+)"/.exec(text)?.[1] ?? null;
  return new ProviderHttpError('AW_PROVIDER_AUTH_FAILED', `dropbox: ${route} needs the scope ${scope ?? '(unnamed)'} the token lacks (missing_scope)`, {
    httpStatus: 403, cause: err, details: { route, required_scope: scope, dropboxStatus: 401 },
  });
}

/** A team member selector (`UserSelectorArg`). */
export function memberSelector(teamMemberId: string): Json {
  return { '.tag': 'team_member_id', team_member_id: teamMemberId };
}
