/** What the HTTP client is given and gives back: requests, responses, options and their check. */
import { AppwardenError } from '../../core/errors.js';
import { urlProblem } from '../../core/https-url.js';
import type { Logger } from '../../core/logger.js';
import type { Clock } from './backoff.js';
import type { ResponseType } from './http-wire.js';
import type { ThrottlePolicy } from './rate-limit.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** `C`: what a request names to say who signs it (an audience, an impersonated user); see `credential`. */
export interface HttpRequest<C = unknown> {
  method?: HttpMethod;
  /** Appended to `baseUrl`, which may carry a path prefix (`https://graph.microsoft.com/v1.0`). */
  path?: string;
  /** Used instead of `path`: absolute, or relative to `baseUrl` (paging links, Salesforce `nextRecordsUrl`). */
  url?: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  /** Sent as JSON with `content-type: application/json`. */
  body?: unknown;
  /** Sent as is; set the content-type in `headers`. */
  rawBody?: string | Uint8Array;
  /**
   * The body carries secrets (a client secret, a signed assertion): its values (each field of a
   * form body, else the whole body) are kept out of every error and log line of this client.
   */
  secretBody?: boolean;
  /** Passed to `authenticate`: which credential signs this request (a token audience, an impersonated user). */
  credential?: C;
  responseType?: ResponseType;
  /** Statuses besides 2xx that are returned instead of thrown (Dropbox's 409 errors, a 404 for a deleted item). */
  acceptStatus?: readonly number[];
  /** Cancels this request only; the client's own signal cancels everything. */
  signal?: AbortSignal;
}

/** A request exactly as it is about to be sent, for `authenticate` to sign or to pick its token. */
export interface OutgoingRequest<C = unknown> {
  readonly method: HttpMethod;
  /** The final URL, query included (after a same-origin redirect: the redirect's target). */
  readonly url: URL;
  /** Every header but the ones `authenticate` returns; names lower-case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact body bytes sent, if any (a request signature hashes them). */
  readonly body: string | Uint8Array | undefined;
  /** The request's `credential`. */
  readonly credential: C | undefined;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  /** The URL that answered (after same-origin redirects). */
  url: string;
}

export interface HttpClientOptions<C = unknown> {
  /** https, or http to a loopback address only (see `core/https-url.ts`). */
  baseUrl: string;
  /**
   * Returns the auth headers of one request (a bearer token, a signature); called for every attempt
   * and every redirect, with the request as it will be sent. Its values are kept out of errors and logs.
   */
  authenticate?(req: OutgoingRequest<C>): Promise<Record<string, string>> | Record<string, string>;
  /** Called once per request on a 401, before a single retry (e.g. refresh an OAuth token); return false to give up. */
  onUnauthorized?: () => Promise<boolean>;
  /** Origins besides `baseUrl`'s that may receive the credentials, e.g. a download host. Same rule as `baseUrl`. */
  trustedOrigins?: readonly string[];
  /** Headers sent with every request (a user agent, a publisher id). */
  headers?: Record<string, string>;
  /** Values never to appear in an error or log line of this client (the instance's configured secrets). */
  secrets?: readonly string[];
  /** Per instance: at most `concurrency` requests in flight, and `requestsPerInterval` started per `intervalMs`. */
  limits: { concurrency: number; requestsPerInterval?: number; intervalMs?: number };
  /**
   * `maxAttempts` bounds attempts lost to errors (5xx, 408, network, timeout). Throttle waits do
   * not count against it; they are bounded by `maxThrottleWaits` (default 20) and a single wait
   * longer than `maxThrottleWaitMs` fails at once with `AW_PROVIDER_THROTTLED`.
   */
  retry: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number; maxThrottleWaitMs: number; maxThrottleWaits?: number };
  /** Per attempt, from sending until the body is read. */
  timeoutMs: number;
  /**
   * Whether a refused answer is the provider refusing the request's continuation (a page token,
   * cursor or query locator) as expired or invalid: the client then throws
   * `AW_PROVIDER_CONTINUATION_EXPIRED`, which a read restarts from its saved position on.
   */
  continuationRefused?(res: HttpResponse, req: HttpRequest<C>): boolean;
  /** How the provider's throttling looks; without it, 429 + `Retry-After` is honoured. */
  throttle?: ThrottlePolicy;
  /** A child logger bound to `{ component, provider, instance }`. */
  log: Logger;
  /** Default: real time. */
  clock?: Clock;
  /** Aborts everything (connector stop); requests then reject with `signal.reason`. */
  signal?: AbortSignal;
}

export interface HttpClientStats {
  /** Attempts sent to the provider. */
  requests: number;
  /** Attempts repeated after an error (not after a throttle answer). */
  retries: number;
  /** Throttle answers received. */
  throttled: number;
  /** Milliseconds this instance was paused for throttling, including pauses before the budget ran out. */
  throttleWaitMs: number;
  /** Requests that failed (aborts excluded). */
  errors: number;
  /** Epoch ms until which this instance is paused, or null. */
  pausedUntil: number | null;
}

export interface Page<T, C = unknown> {
  items: T[];
  response: HttpResponse;
  request: HttpRequest<C>;
  /** 0 for the first page. */
  index: number;
}

/** Reads one page: its items, and the request for the next page or null on the last. */
export type NextPage<T, C = unknown> = (res: HttpResponse, req: HttpRequest<C>) => { items: T[]; next: HttpRequest<C> | null };

/** Refuses options that cannot work, listing every problem. */
export function checkOptions<C>(options: HttpClientOptions<C>): void {
  const problems: string[] = [];
  const baseProblem = urlProblem(options.baseUrl);
  if (baseProblem !== null) problems.push(`baseUrl: ${options.baseUrl} ${baseProblem}`);
  for (const origin of options.trustedOrigins ?? []) {
    const problem = urlProblem(origin);
    if (problem !== null) problems.push(`trustedOrigins: ${origin} ${problem}`);
  }
  const { limits, retry } = options;
  if (!Number.isInteger(limits.concurrency) || limits.concurrency < 1) problems.push('limits.concurrency: an integer >= 1');
  if (limits.requestsPerInterval !== undefined) {
    if (!Number.isInteger(limits.requestsPerInterval) || limits.requestsPerInterval < 1) problems.push('limits.requestsPerInterval: an integer >= 1');
    if (!(limits.intervalMs !== undefined && limits.intervalMs > 0)) problems.push('limits.intervalMs: required (> 0) with requestsPerInterval');
  }
  if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1) problems.push('retry.maxAttempts: an integer >= 1');
  if (!(retry.baseDelayMs >= 0)) problems.push('retry.baseDelayMs: >= 0');
  if (!(retry.maxDelayMs >= 0)) problems.push('retry.maxDelayMs: >= 0');
  if (!(retry.maxThrottleWaitMs >= 0)) problems.push('retry.maxThrottleWaitMs: >= 0');
  if (retry.maxThrottleWaits !== undefined && !(Number.isInteger(retry.maxThrottleWaits) && retry.maxThrottleWaits >= 0)) {
    problems.push('retry.maxThrottleWaits: an integer >= 0');
  }
  if (!(options.timeoutMs > 0)) problems.push('timeoutMs: > 0');
  if (problems.length > 0) {
    throw new AppwardenError('AW_CONFIG_INVALID', `invalid HTTP client options: ${problems.join('; ')}`, { details: { problems } });
  }
}
