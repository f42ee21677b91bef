/**
 * The one HTTP helper every connector uses. A provider supplies its base URL, how to authenticate,
 * how to find its next page and how its throttling looks; this client queues, paces, retries,
 * waits out throttling (for its own instance only), and turns failures into `AppwardenError`s.
 */
import { AppwardenError, type ErrorCode } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { equalJitterDelay, fullJitterDelay, parseRetryAfter, systemClock, type Clock } from './backoff.js';
import { InstanceRateLimiter, type ThrottlePolicy } from './rate-limit.js';

export { headerBudgetThrottle, retryAfterThrottle, type HeaderBudgetSettings, type RateBudget, type ThrottlePolicy } from './rate-limit.js';
export { systemClock, type Clock } from './backoff.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** `auto` (default): JSON when the content-type says so, else text. `buffer` gives a Buffer. */
export type ResponseType = 'auto' | 'json' | 'text' | 'buffer';

export interface HttpRequest {
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
  responseType?: ResponseType;
  /** Statuses besides 2xx that are returned instead of thrown (Dropbox's 409 errors, a 404 for a deleted item). */
  acceptStatus?: readonly number[];
  /** Cancels this request only; the client's own signal cancels everything. */
  signal?: AbortSignal;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  /** The URL that answered (after redirects). */
  url: string;
}

export interface HttpClientOptions {
  baseUrl: string;
  /** Adds auth headers; called for every attempt (tokens may refresh). Its values are kept out of errors and logs. */
  authenticate?: (req: HttpRequest) => Promise<Record<string, string>> | Record<string, string>;
  /** Called once per request on a 401, before a single retry (e.g. refresh an OAuth token); return false to give up. */
  onUnauthorized?: () => Promise<boolean>;
  /** Origins besides `baseUrl`'s that may receive the credentials, e.g. a download host. */
  trustedOrigins?: readonly string[];
  /** Headers sent with every request (a user agent, a publisher id). */
  headers?: Record<string, string>;
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

export interface Page<T> {
  items: T[];
  response: HttpResponse;
  request: HttpRequest;
  /** 0 for the first page. */
  index: number;
}

/** Reads one page: its items, and the request for the next page or null on the last. */
export type NextPage<T> = (res: HttpResponse, req: HttpRequest) => { items: T[]; next: HttpRequest | null };

const BODY_EXCERPT_CHARS = 500;
const DEFAULT_MAX_THROTTLE_WAITS = 20;
const DEFAULT_MAX_PAGES = 100_000;
const REMEMBERED_SECRETS = 16;

// Paging helpers live beside the client; providers import them from here with it.
export { linkHeaderNext, parseLinkHeader, type LinkValue } from './link-header.js';

export class HttpClient {
  readonly #options: HttpClientOptions;
  readonly #clock: Clock;
  readonly #limiter: InstanceRateLimiter;
  readonly #baseHref: string;
  readonly #trustedOrigins: Set<string>;
  /** Header values from `authenticate`, scrubbed from anything we put in an error. */
  readonly #secrets: string[] = [];
  #refreshing: Promise<boolean> | undefined;
  readonly #counters = { requests: 0, retries: 0, throttled: 0, throttleWaitMs: 0, errors: 0 };

  constructor(options: HttpClientOptions) {
    checkOptions(options);
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#baseHref = options.baseUrl.replace(/\/+$/, '');
    this.#trustedOrigins = new Set([new URL(options.baseUrl).origin, ...(options.trustedOrigins ?? []).map((o) => new URL(o).origin)]);
    this.#limiter = new InstanceRateLimiter({
      ...options.limits, maxHoldMs: options.retry.maxThrottleWaitMs, clock: this.#clock, signal: options.signal,
    });
  }

  /** Sends one request with queueing, retries and throttle waits; rejects with an `AppwardenError`. */
  async request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    const stop = req.signal && this.#options.signal ? AbortSignal.any([req.signal, this.#options.signal]) : req.signal ?? this.#options.signal;
    try {
      return (await this.#run(req, stop)) as HttpResponse<T>;
    } catch (err) {
      if (!stop?.aborted) this.#counters.errors++;
      throw err;
    }
  }

  /**
   * Follows pages from `first` until `nextPage` returns no next request. Stops with
   * `AW_PROVIDER_RESPONSE_INVALID` after `maxPages`, so a provider whose links loop cannot spin forever.
   */
  async *paginate<T>(first: HttpRequest, nextPage: NextPage<T>, options: { maxPages?: number } = {}): AsyncGenerator<Page<T>, void, undefined> {
    const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
    let request: HttpRequest | null = first;
    for (let index = 0; request !== null; index++) {
      if (index >= maxPages) {
        throw new AppwardenError('AW_PROVIDER_RESPONSE_INVALID', `paging did not end after ${maxPages} pages`, { details: { maxPages } });
      }
      const response = await this.request(request);
      const { items, next } = nextPage(response, request);
      yield { items, response, request, index };
      request = next;
    }
  }

  stats(): HttpClientStats {
    return { ...this.#counters, pausedUntil: this.#limiter.pausedUntil() };
  }

  async #run(req: HttpRequest, stop: AbortSignal | undefined): Promise<HttpResponse> {
    const url = this.#resolveUrl(req);
    const path = url.pathname;
    const { maxAttempts, maxThrottleWaitMs } = this.#options.retry;
    const maxThrottleWaits = this.#options.retry.maxThrottleWaits ?? DEFAULT_MAX_THROTTLE_WAITS;
    let failures = 0;
    let throttleWaits = 0;
    let reauthorized = false;
    // Every pass returns, throws, or uses up one of these three budgets.
    const maxPasses = maxAttempts + maxThrottleWaits + 2;
    for (let pass = 0; pass < maxPasses; pass++) {
      this.#failIfBlocked(path);
      const sent = await this.#limiter.schedule(() => this.#send(req, url, stop), stop);
      if (!('status' in sent)) {
        failures++;
        const reason = sent.timedOut ? `no answer within ${this.#options.timeoutMs} ms` : describeNetworkError(sent.error);
        if (failures >= maxAttempts) {
          throw new AppwardenError('AW_PROVIDER_UNAVAILABLE', this.#scrub(`${req.method ?? 'GET'} ${path} failed ${failures} times: ${reason}`), {
            cause: sent.error, details: { path, attempts: failures, reason: this.#scrub(reason) },
          });
        }
        await this.#backoff(failures, undefined, path, reason, stop);
        continue;
      }
      const accepted = (sent.status >= 200 && sent.status < 300) || req.acceptStatus?.includes(sent.status) === true;
      const res = accepted ? this.#decodeSuccess(sent, req, path) : { ...sent, body: decodeLeniently(sent) };
      if (res.status === 429 || this.#options.throttle?.isThrottled?.(res) === true) {
        this.#counters.throttled++;
        throttleWaits++;
        const now = this.#clock.now();
        const waitMs = this.#options.throttle?.waitMs?.(res, now) ?? parseRetryAfter(res.headers.get('retry-after'), now)
          ?? equalJitterDelay(throttleWaits - 1, this.#options.retry);
        if (waitMs > maxThrottleWaitMs || throttleWaits > maxThrottleWaits) {
          this.#pauseFor(waitMs);
          throw this.#throttledError(waitMs, path, res.status, throttleWaits);
        }
        this.#options.log.info({ waitMs, status: res.status, path }, 'provider throttled the request; waiting');
        this.#pauseFor(waitMs);
        continue;
      }
      this.#readBudget(res, path);
      if (accepted) return res;
      if (res.status === 401 && !reauthorized && this.#options.onUnauthorized) {
        reauthorized = true;
        if (await this.#reauthorize(path)) continue;
      }
      if (res.status === 401 || res.status === 403) throw this.#httpError('AW_PROVIDER_AUTH_FAILED', req, path, sent);
      if (res.status === 408 || (res.status >= 500 && res.status !== 501)) {
        failures++;
        const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), this.#clock.now());
        if (failures >= maxAttempts || (retryAfterMs !== undefined && retryAfterMs > maxThrottleWaitMs)) {
          throw this.#httpError('AW_PROVIDER_UNAVAILABLE', req, path, sent, { attempts: failures });
        }
        await this.#backoff(failures, retryAfterMs, path, `status ${res.status}`, stop);
        continue;
      }
      throw this.#httpError('AW_PROVIDER_REQUEST_FAILED', req, path, sent);
    }
    throw new AppwardenError('AW_PROVIDER_UNAVAILABLE', `${req.method ?? 'GET'} ${path} gave up after ${maxPasses} attempts`, { details: { path } });
  }

  /** One attempt, run inside the instance's queue. Network failures are returned, not thrown, so the caller decides. */
  async #send(req: HttpRequest, url: URL, stop: AbortSignal | undefined): Promise<RawResponse | FailedAttempt> {
    this.#failIfBlocked(url.pathname);
    const auth = this.#options.authenticate ? await this.#options.authenticate(req) : {};
    this.#rememberSecrets(auth);
    const type = req.responseType ?? 'auto';
    const json = req.body !== undefined;
    const headers = mergeHeaders(
      type === 'auto' || type === 'json' ? { accept: 'application/json' } : {},
      json ? { 'content-type': 'application/json' } : {},
      this.#options.headers, req.headers, auth,
    );
    const body = json ? JSON.stringify(req.body) : req.rawBody;
    const attempt = attemptSignal(stop, this.#options.timeoutMs);
    this.#counters.requests++;
    try {
      const response = await fetch(url, { method: req.method ?? 'GET', headers, body, signal: attempt.signal });
      const bytes = Buffer.from(await response.arrayBuffer());
      return { status: response.status, headers: response.headers, url: response.url, body: bytes };
    } catch (error) {
      if (stop?.aborted) throw stop.reason;
      return { error, timedOut: attempt.timedOut() };
    } finally {
      attempt.dispose();
    }
  }

  /** Pauses this instance; counts the time the pause grew by. */
  #pauseFor(waitMs: number): boolean {
    const added = this.#limiter.pauseFor(waitMs);
    this.#counters.throttleWaitMs += added;
    return added > 0;
  }

  /** During a pause too long to wait out (see `maxThrottleWaitMs`), requests fail at once. */
  #failIfBlocked(path: string): void {
    const leftMs = this.#limiter.remainingPauseMs();
    if (leftMs > this.#options.retry.maxThrottleWaitMs) throw this.#throttledError(leftMs, path);
  }

  #readBudget(res: HttpResponse, path: string): void {
    const budget = this.#options.throttle?.budget?.(res, this.#clock.now());
    if (!budget || budget.remaining > 0 || budget.resetInMs === undefined || budget.resetInMs <= 0) return;
    if (this.#pauseFor(budget.resetInMs)) {
      this.#options.log.info({ waitMs: budget.resetInMs, remaining: budget.remaining, limit: budget.limit, path }, 'rate-limit budget spent; pausing until it resets');
    }
  }

  async #backoff(failures: number, retryAfterMs: number | undefined, path: string, reason: string, stop: AbortSignal | undefined): Promise<void> {
    const delayMs = retryAfterMs ?? fullJitterDelay(failures - 1, this.#options.retry);
    this.#counters.retries++;
    this.#options.log.warn({ attempt: failures, delayMs, path, reason: this.#scrub(reason) }, 'provider request failed; retrying');
    await this.#clock.sleep(delayMs, stop);
  }

  /** Concurrent 401s share one refresh. */
  async #reauthorize(path: string): Promise<boolean> {
    const refresh = this.#options.onUnauthorized;
    if (!refresh) return false;
    this.#refreshing ??= refresh().finally(() => { this.#refreshing = undefined; });
    try {
      return await this.#refreshing;
    } catch (cause) {
      if (cause instanceof AppwardenError) throw cause;
      throw new AppwardenError('AW_PROVIDER_AUTH_FAILED', 'refreshing the credentials failed', { cause, details: { path } });
    }
  }

  #decodeSuccess(res: RawResponse, req: HttpRequest, path: string): HttpResponse {
    const decoded = decodeBody(res.body, res.headers.get('content-type'), req.responseType ?? 'auto');
    if (decoded.ok) return { ...res, body: decoded.value };
    throw new AppwardenError('AW_PROVIDER_RESPONSE_INVALID', `${req.method ?? 'GET'} ${path} answered a body that is not valid JSON`, {
      details: { status: res.status, path, body: this.#excerpt(res.body) },
    });
  }

  #httpError(code: ErrorCode, req: HttpRequest, path: string, res: RawResponse, extra: Record<string, unknown> = {}): AppwardenError {
    const message = `${req.method ?? 'GET'} ${path} answered ${res.status}`;
    return new AppwardenError(code, message, { details: { status: res.status, path, body: this.#excerpt(res.body), ...extra } });
  }

  #throttledError(waitMs: number, path: string, status?: number, throttleWaits?: number): AppwardenError {
    return new AppwardenError('AW_PROVIDER_THROTTLED', `the provider asked to wait ${waitMs} ms for ${path}`, {
      details: { waitMs, path, status, throttleWaits, maxThrottleWaitMs: this.#options.retry.maxThrottleWaitMs },
    });
  }

  #resolveUrl(req: HttpRequest): URL {
    let url: URL;
    try {
      url = req.url !== undefined ? new URL(req.url, `${this.#baseHref}/`) : new URL(req.path ? `${this.#baseHref}/${req.path.replace(/^\/+/, '')}` : this.#baseHref);
    } catch (cause) {
      throw new AppwardenError('AW_PROVIDER_REQUEST_FAILED', 'the request URL is invalid', { cause, details: { url: req.url, path: req.path } });
    }
    for (const [name, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    if (!this.#trustedOrigins.has(url.origin)) {
      throw new AppwardenError('AW_PROVIDER_REQUEST_FAILED', `refusing to send credentials to ${url.origin}, which is not the provider's origin`, {
        details: { origin: url.origin },
      });
    }
    return url;
  }

  #rememberSecrets(auth: Record<string, string>): void {
    for (const value of Object.values(auth)) {
      // "Bearer abc": the token alone may be echoed too.
      for (const secret of [value, value.slice(value.indexOf(' ') + 1)]) {
        if (secret.length >= 6 && !this.#secrets.includes(secret)) this.#secrets.push(secret);
      }
    }
    if (this.#secrets.length > REMEMBERED_SECRETS) this.#secrets.splice(0, this.#secrets.length - REMEMBERED_SECRETS);
  }

  #scrub(text: string): string {
    let out = text;
    for (const secret of this.#secrets) out = out.split(secret).join('[redacted]');
    return out;
  }

  #excerpt(bytes: Buffer): string {
    const text = this.#scrub(bytes.toString('utf8')).trim();
    return text.length > BODY_EXCERPT_CHARS ? `${text.slice(0, BODY_EXCERPT_CHARS)}…` : text;
  }
}

interface RawResponse {
  status: number;
  headers: Headers;
  url: string;
  body: Buffer;
}

interface FailedAttempt {
  error: unknown;
  timedOut: boolean;
}

function decodeBody(bytes: Buffer, contentType: string | null, type: ResponseType): { ok: true; value: unknown } | { ok: false } {
  if (type === 'buffer') return { ok: true, value: bytes };
  const text = bytes.toString('utf8');
  if (type === 'text' || (type === 'auto' && !/\bjson\b/i.test(contentType ?? ''))) return { ok: true, value: text };
  if (text.trim() === '') return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** The body of a refusal, for throttle policies: JSON when it parses, else text. */
function decodeLeniently(res: RawResponse): unknown {
  const text = res.body.toString('utf8');
  if (!/\bjson\b/i.test(res.headers.get('content-type') ?? '') && !/^\s*[{[]/.test(text)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** An abort signal for one attempt: the caller's stop, or our timeout, whichever comes first. */
function attemptSignal(stop: AbortSignal | undefined, timeoutMs: number): { signal: AbortSignal; timedOut(): boolean; dispose(): void } {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new AppwardenError('AW_PROVIDER_UNAVAILABLE', `no answer within ${timeoutMs} ms`));
  }, timeoutMs);
  const onStop = (): void => controller.abort(stop?.reason);
  if (stop?.aborted) onStop();
  else stop?.addEventListener('abort', onStop, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose: () => {
      clearTimeout(timer);
      stop?.removeEventListener('abort', onStop);
    },
  };
}

/** Later sources win; names are compared case-insensitively, as HTTP does. */
function mergeHeaders(...sources: Array<Record<string, string> | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const source of sources) {
    for (const [name, value] of Object.entries(source ?? {})) out[name.toLowerCase()] = value;
  }
  return out;
}

function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}

function checkOptions(options: HttpClientOptions): void {
  const problems: string[] = [];
  try {
    const base = new URL(options.baseUrl);
    if (base.protocol !== 'https:' && base.protocol !== 'http:') problems.push('baseUrl: must be http(s)');
  } catch {
    problems.push('baseUrl: not a URL');
  }
  for (const origin of options.trustedOrigins ?? []) {
    if (!URL.canParse(origin)) problems.push(`trustedOrigins: ${origin} is not a URL`);
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
