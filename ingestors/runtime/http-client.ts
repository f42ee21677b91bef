/**
 * The one HTTP helper every connector uses. A provider supplies its base URL, how to authenticate,
 * how to find its next page and how its throttling looks; this client queues, paces, retries,
 * waits out throttling (for its own instance only), and turns failures into `AppwardenError`s
 * (`ProviderHttpError` when the provider answered a status we do not accept).
 */
import { Readable } from 'node:stream';
import { AppwardenError, ProviderHttpError, type ErrorCode } from '../../core/errors.js';
import { urlProblem } from '../../core/https-url.js';
import { linkSignals } from '../../core/linked-signal.js';
import { equalJitterDelay, fullJitterDelay, parseRetryAfter, systemClock, type Clock } from './backoff.js';
import { callerSignal } from './caller-signal.js';
import {
  checkOptions, type HttpClientOptions, type HttpClientStats, type HttpMethod, type HttpRequest, type HttpResponse, type NextPage, type Page,
} from './http-options.js';
import { HttpAttempt } from './http-attempt.js';
import { decodeBody, decodeLeniently, describeNetworkError, mergeHeaders, type RawResponse } from './http-wire.js';
import { InstanceRateLimiter } from './rate-limit.js';
import { RequestUrls } from './request-url.js';
import { SecretScrubber, bodySecrets } from './secret-scrubber.js';
import { inChangeOnce } from './change-once.js';

/** Network errors raised before a request left: sending it again cannot apply it twice. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

export { headerBudgetThrottle, retryAfterThrottle, type HeaderBudgetSettings, type RateBudget, type ThrottlePolicy } from './rate-limit.js';
export { systemClock, type Clock } from './backoff.js';
export { pathSegment } from './path-segment.js';
export type { ResponseType } from './http-wire.js';
export type { HttpClientOptions, HttpClientStats, HttpMethod, HttpRequest, HttpResponse, NextPage, OutgoingRequest, Page } from './http-options.js';

const BODY_EXCERPT_CHARS = 500;
const DEFAULT_MAX_THROTTLE_WAITS = 20;
const DEFAULT_MAX_PAGES = 100_000;

// Paging helpers live beside the client; providers import them from here with it.
export { linkHeaderNext, parseLinkHeader, type LinkValue } from './link-header.js';

export class HttpClient<C = unknown> {
  readonly #options: HttpClientOptions<C>;
  readonly #clock: Clock;
  readonly #limiter: InstanceRateLimiter;
  readonly #urls: RequestUrls;
  readonly #attempt: HttpAttempt<C>;
  /** Configured secrets, header values from `authenticate` and secret bodies, scrubbed from anything we report. */
  readonly #secrets: SecretScrubber;
  #refreshing: Promise<boolean> | undefined;
  readonly #counters = { requests: 0, retries: 0, throttled: 0, throttleWaitMs: 0, errors: 0 };

  constructor(options: HttpClientOptions<C>) {
    checkOptions(options);
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#urls = new RequestUrls(options.baseUrl, options.trustedOrigins);
    this.#secrets = new SecretScrubber(options.secrets ?? []);
    this.#attempt = new HttpAttempt(options, this.#secrets, () => { this.#counters.requests++; });
    this.#limiter = new InstanceRateLimiter({
      ...options.limits, maxHoldMs: options.retry.maxThrottleWaitMs, clock: this.#clock, signal: options.signal,
    });
  }

  /**
   * Sends one request with queueing, retries and throttle waits; rejects with an `AppwardenError`.
   * It is cancelled by `req.signal`, the client's signal, or the caller's (`withCallerSignal`).
   */
  async request<T = unknown>(req: HttpRequest<C>): Promise<HttpResponse<T>> {
    const link = linkSignals([req.signal, this.#options.signal, callerSignal()]);
    const stop = link.signal;
    try {
      const res = (await this.#run(req, stop)) as HttpResponse<T>;
      // A streamed body is read after this returns: it stays cancellable until it closes.
      const body: unknown = res.body;
      if (body instanceof Readable && !body.closed) body.once('close', link.dispose);
      else link.dispose();
      return res;
    } catch (err) {
      link.dispose();
      if (!stop?.aborted) this.#counters.errors++;
      throw err;
    }
  }

  /**
   * Follows pages from `first` until `nextPage` returns no next request. Stops with
   * `AW_PROVIDER_RESPONSE_INVALID` after `maxPages`, so a provider whose links loop cannot spin forever.
   */
  async *paginate<T>(first: HttpRequest<C>, nextPage: NextPage<T, C>, options: { maxPages?: number } = {}): AsyncGenerator<Page<T, C>, void, undefined> {
    const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
    let request: HttpRequest<C> | null = first;
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

  /**
   * Lets this client send its credentials to one more origin, learned at run time from an answer of
   * the provider's own origin (Salesforce's token answer names the org's `instance_url`). Same rule
   * as `baseUrl` (https, or http to loopback); answers the origin.
   */
  trustOrigin(url: string): string {
    const problem = urlProblem(url);
    if (problem !== null) {
      throw new AppwardenError('AW_PROVIDER_RESPONSE_INVALID', `the provider named ${this.#scrub(url)} as an origin to call, which ${problem}`, { details: { problem } });
    }
    return this.#urls.trust(url);
  }

  /** `text` with every secret this client knows replaced: for errors a provider builds from a response body. */
  scrub(text: string): string {
    return this.#secrets.scrub(text);
  }

  stats(): HttpClientStats {
    return { ...this.#counters, pausedUntil: this.#limiter.pausedUntil() };
  }

  async #run(req: HttpRequest<C>, stop: AbortSignal | undefined): Promise<HttpResponse> {
    const url = this.#urls.resolve(req);
    const path = url.pathname;
    if (req.secretBody) this.#secrets.remember(bodySecrets(req.rawBody ?? JSON.stringify(req.body), mergeHeaders(req.headers)['content-type']));
    const { maxAttempts, maxThrottleWaitMs } = this.#options.retry;
    const maxThrottleWaits = this.#options.retry.maxThrottleWaits ?? DEFAULT_MAX_THROTTLE_WAITS;
    let failures = 0;
    let throttleWaits = 0;
    // A governance change (POST, PATCH) that got no answer may have been applied: it is not sent twice.
    const onceOnly = inChangeOnce() && (req.method === 'POST' || req.method === 'PATCH');
    let reauthorized = false;
    // Every pass returns, throws, or uses up one of these three budgets.
    const maxPasses = maxAttempts + maxThrottleWaits + 2;
    for (let pass = 0; pass < maxPasses; pass++) {
      this.#failIfBlocked(path);
      const sent = await this.#limiter.schedule(async () => {
        this.#failIfBlocked(path);
        return this.#attempt.send(req, url, stop);
      }, stop);
      if (!('status' in sent)) {
        failures++;
        const reason = sent.timedOut ? `no answer within ${this.#options.timeoutMs} ms` : describeNetworkError(sent.error);
        if (onceOnly && (sent.timedOut || !NOT_SENT.has(reason))) {
          throw new AppwardenError('AW_PROVIDER_OUTCOME_UNKNOWN', this.#scrub(`${req.method} ${path} got no answer (${reason}); the provider may have applied it, so it is not sent again`), {
            cause: sent.error, details: { path, reason: this.#scrub(reason) },
          });
        }
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
        sent.stream?.destroy();
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
      if ((res.status < 200 || res.status >= 300) && this.#options.continuationRefused?.(res, req) === true) {
        throw this.#httpError('AW_PROVIDER_CONTINUATION_EXPIRED', req, path, sent);
      }
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

  #decodeSuccess(res: RawResponse, req: HttpRequest<C>, path: string): HttpResponse {
    if (res.stream !== undefined) return { status: res.status, headers: res.headers, url: res.url, body: res.stream };
    const decoded = decodeBody(res.body, res.headers.get('content-type'), req.responseType ?? 'auto');
    if (decoded.ok) return { ...res, body: decoded.value };
    throw new AppwardenError('AW_PROVIDER_RESPONSE_INVALID', `${req.method ?? 'GET'} ${path} answered a body that is not valid JSON`, {
      details: { status: res.status, path, body: this.#excerpt(res.body) },
    });
  }

  #httpError(code: ErrorCode, req: HttpRequest<C>, path: string, res: RawResponse, extra: Record<string, unknown> = {}): ProviderHttpError {
    const message = this.#scrub(`${req.method ?? 'GET'} ${path} answered ${res.status}`);
    return new ProviderHttpError(code, message, { httpStatus: res.status, details: { path: this.#scrub(path), body: this.#excerpt(res.body), ...extra } });
  }

  #throttledError(waitMs: number, path: string, status?: number, throttleWaits?: number): AppwardenError {
    return new AppwardenError('AW_PROVIDER_THROTTLED', `the provider asked to wait ${waitMs} ms for ${path}`, {
      details: { waitMs, path, status, throttleWaits, maxThrottleWaitMs: this.#options.retry.maxThrottleWaitMs },
    });
  }

  #scrub(text: string): string {
    return this.#secrets.scrub(text);
  }

  #excerpt(bytes: Buffer): string {
    const text = this.#scrub(bytes.toString('utf8')).trim();
    return text.length > BODY_EXCERPT_CHARS ? `${text.slice(0, BODY_EXCERPT_CHARS)}…` : text;
  }
}
