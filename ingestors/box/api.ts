import { AppwardenError } from '../../core/errors.js';
import { boxContinuationRefused } from './continuation.js';
import type { ConnectorContext } from '../contract.js';
import type { HttpClient, HttpRequest, HttpResponse } from '../runtime/http-client.js';
import { arr, obj, type Json } from '../runtime/json-fields.js';
import { BoxTokens } from './auth.js';
import type { BoxConfig } from './config.js';

/** One page of `GET /events`: its entries, and the position to read on from, exactly as Box wrote it. */
export interface EventsPage {
  entries: Json[];
  nextPosition: string;
}

/**
 * Reads a `GET /events` body keeping `next_stream_position` as text: Box writes it as a bare JSON
 * number that may exceed 2^53, which `JSON.parse` would round. Every `"next_stream_position": <digits>`
 * is quoted before parsing, so the position is never a JavaScript number.
 */
export function parseEventsPage(text: string): EventsPage {
  const quoted = text.replace(/(?<!\\)("next_stream_position"\s*:\s*)(-?\d+)/g, '$1"$2"');
  let body: Json | null;
  try {
    body = obj(JSON.parse(quoted));
  } catch {
    body = null;
  }
  const position = body?.next_stream_position;
  if (body === null || !Array.isArray(body.entries) || typeof position !== 'string' || position === '') {
    throw new AppwardenError('AW_PROVIDER_RESPONSE_INVALID', 'a Box events page has no entries list or next_stream_position');
  }
  return { entries: body.entries.map((e) => obj(e) ?? {}), nextPosition: position };
}

type Query = Record<string, string | number | boolean | undefined>;

/**
 * The instance's Box API client: the service account's token on every request, `As-User` when a
 * request acts as a managed user (their files), and Box's two paging styles.
 */
export class BoxApi {
  readonly http: HttpClient;
  readonly tokens: BoxTokens;

  constructor(ctx: ConnectorContext<BoxConfig>) {
    const { config } = ctx;
    this.tokens = new BoxTokens(config, ctx.http({ baseUrl: config.tokenUrl }));
    this.http = ctx.http({
      baseUrl: config.baseUrl.replace(/\/+$/, ''),
      // 429 with retry-after (seconds) is the client's default throttle answer.
      continuationRefused: boxContinuationRefused,
      authenticate: async () => ({ authorization: `Bearer ${await this.tokens.token()}` }),
      onUnauthorized: async () => {
        this.tokens.invalidate();
        return true;
      },
    });
  }

  request<T = Json>(req: HttpRequest, asUser?: string): Promise<HttpResponse<T>> {
    return this.http.request<T>(asUser === undefined ? req : { ...req, headers: { ...req.headers, 'as-user': asUser } });
  }

  async get<T = Json>(path: string, query: Query = {}, asUser?: string): Promise<T> {
    return (await this.request<T>({ path, query }, asUser)).body;
  }

  /** A read whose 404 means "not there (for this user)": null instead of an error. */
  async find<T = Json>(path: string, query: Query = {}, asUser?: string): Promise<T | null> {
    const res = await this.request<T>({ path, query, acceptStatus: [404] }, asUser);
    return res.status === 404 ? null : res.body;
  }

  /** Marker paging (`usemarker=true`, `next_marker`): each page's entries with the marker of the page after it (null on the last). */
  async *markerPages(path: string, query: Query, asUser?: string, from?: string): AsyncIterable<{ items: Json[]; next: string | null }> {
    let marker = from;
    for (let page = 0; page < 100_000; page++) {
      const body = obj(await this.get(path, { ...query, usemarker: true, ...(marker ? { marker } : {}) }, asUser));
      const next = typeof body?.next_marker === 'string' && body.next_marker !== '' && body.next_marker !== marker ? body.next_marker : null;
      yield { items: arr(body?.entries).map((e) => obj(e) ?? {}), next };
      if (next === null) return;
      marker = next;
    }
  }

  /** Offset paging (`offset`, `limit`, `total_count`), for the endpoints that have no marker (groups, memberships). */
  async *offsetPages(path: string, query: Query & { limit: number }, asUser?: string): AsyncIterable<Json[]> {
    for (let offset = 0; ;) {
      const body = obj(await this.get(path, { ...query, offset }, asUser));
      const entries = arr(body?.entries).map((e) => obj(e) ?? {});
      if (entries.length > 0) yield entries;
      offset += entries.length;
      const total = typeof body?.total_count === 'number' ? body.total_count : 0;
      if (entries.length === 0 || offset >= total) return;
    }
  }

  /** One page of enterprise events (`stream_type` admin_logs or admin_logs_streaming). */
  async events(query: Query): Promise<EventsPage> {
    const res = await this.request<string>({ path: '/events', query, responseType: 'text' });
    return parseEventsPage(res.body);
  }
}
