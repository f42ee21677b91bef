import { AppwardenError, ProviderHttpError } from '../../core/errors.js';
import type { TimeWindow } from '../contract.js';
import { pathSegment, type HttpClient, type HttpResponse } from '../runtime/http-client.js';
import type { Audience } from './token-source.js';
import { type Json, obj } from '../runtime/json-fields.js';
import { isoTime } from '../runtime/provider-time.js';
import { itemPages } from '../runtime/paging.js';
import { str } from './fields.js';
import { errorCodeOf } from './throttle.js';

/** A content blob as `subscriptions/content` lists it. */
export interface ContentBlob {
  contentType: string;
  contentId: string;
  contentUri: string;
  /** When the blob became available (epoch ms): what the listing's time range filters on. */
  contentCreated: number;
  contentExpiration: number | null;
}

export type BlobContent = { status: 'ok'; records: unknown[] } | { status: 'expired' | 'missing' };

// Error codes of the Management Activity API reference.
const ALREADY_ENABLED = 'AF20024';
const CONTENT_EXPIRED = 'AF20051';
const CONTENT_MISSING = 'AF20050';

/**
 * Office 365 Management Activity API calls, nothing else. Every call carries `PublisherIdentifier`
 * (its own throttling quota) — also the content blob fetches, as Microsoft's troubleshooting guide says.
 */
export class ManagementClient {
  readonly #feed: string;

  constructor(private readonly http: HttpClient<Audience>, private readonly settings: { managementUrl: string; tenantId: string; publisherId: string }) {
    this.#feed = `${settings.managementUrl.replace(/\/+$/, '')}/api/v1.0/${pathSegment(settings.tenantId)}/activity/feed`;
  }

  /** Starts a subscription; one already enabled (400 `AF20024`) is the state we want, so it succeeds too. */
  async startSubscription(contentType: string): Promise<'started' | 'already_enabled'> {
    const res = await this.http.request({
      method: 'POST', url: `${this.#feed}/subscriptions/start`, credential: 'management',
      query: { contentType, PublisherIdentifier: this.settings.publisherId }, acceptStatus: [400],
    });
    if (res.status < 300) return 'started';
    if (errorCodeOf(res.body) === ALREADY_ENABLED) return 'already_enabled';
    throw refusal(res, `starting the ${contentType} subscription`);
  }

  /**
   * Content blobs that became available in the window (which must span at most 24 hours and start at
   * most 7 days ago), page by page, following the `NextPageUri` header.
   */
  async *listContent(contentType: string, window: TimeWindow): AsyncIterable<ContentBlob[]> {
    const first = {
      url: `${this.#feed}/subscriptions/content`,
      credential: 'management' as const,
      query: { contentType, startTime: apiTime(window.since), endTime: apiTime(window.until), PublisherIdentifier: this.settings.publisherId },
    };
    yield* itemPages<ContentBlob>(this.http, first, (res) => {
      if (!Array.isArray(res.body)) {
        throw new AppwardenError('AW_PROVIDER_RESPONSE_INVALID', 'subscriptions/content answered no JSON array', { details: { contentType, status: res.status } });
      }
      const next = nextPageUri(res);
      return { items: res.body.map(obj).filter((b): b is Json => b !== null).map(toBlob).filter((b): b is ContentBlob => b !== null), next: next === null ? null : { url: next, credential: 'management' as const } };
    });
  }

  /** The records of one content blob; `expired` past its expiration (AF20051), `missing` when the API no longer has it. */
  async fetchContent(blob: ContentBlob): Promise<BlobContent> {
    const res = await this.http.request({ url: blob.contentUri, credential: 'management', query: { PublisherIdentifier: this.settings.publisherId }, acceptStatus: [400, 404] });
    if (res.status < 300) {
      if (!Array.isArray(res.body)) throw new AppwardenError('AW_PROVIDER_RESPONSE_INVALID', 'a content blob is not a JSON array', { details: { contentId: blob.contentId } });
      return { status: 'ok', records: res.body };
    }
    const code = errorCodeOf(res.body);
    if (code === CONTENT_EXPIRED) return { status: 'expired' };
    if (res.status === 404 || code === CONTENT_MISSING) return { status: 'missing' };
    throw refusal(res, `fetching content ${blob.contentId}`);
  }
}

/** Microsoft documents the header as `NextPageUri` and shows `NextPageUrl` in an example; `Headers.get` ignores case. */
function nextPageUri(res: HttpResponse): string | null {
  return str(res.headers.get('nextpageuri')) ?? str(res.headers.get('nextpageurl'));
}

function toBlob(o: Json): ContentBlob | null {
  const contentId = str(o.contentId);
  const contentUri = str(o.contentUri);
  const contentCreated = isoTime(o.contentCreated);
  if (contentId === null || contentUri === null || contentCreated === null) return null;
  return { contentType: str(o.contentType) ?? '', contentId, contentUri, contentCreated, contentExpiration: isoTime(o.contentExpiration) };
}

/** `YYYY-MM-DDTHH:MM:SS` in UTC, one of the formats the API documents; whole seconds, rounded down. */
export function apiTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19);
}

function refusal(res: HttpResponse, what: string): ProviderHttpError {
  const error = obj(obj(res.body)?.error);
  return new ProviderHttpError('AW_PROVIDER_REQUEST_FAILED', `${what} answered ${res.status} ${str(error?.code) ?? ''}: ${str(error?.message) ?? ''}`.trim(), {
    httpStatus: res.status, details: { code: str(error?.code) },
  });
}
