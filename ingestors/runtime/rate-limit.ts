/**
 * Rate limits: how a provider's throttling looks (a `ThrottlePolicy`, which only interprets
 * responses), and the per-instance limiter that paces and pauses requests accordingly.
 */
import PQueue from 'p-queue';
import { parseRetryAfter, type Clock } from './backoff.js';
import type { HttpResponse } from './http-client.js';

/** The request budget a response reports (e.g. Okta's `X-Rate-Limit-*` headers). */
export interface RateBudget {
  /** Requests left in the current window. At 0 the client pauses the instance until the reset. */
  remaining: number;
  limit?: number;
  /** Milliseconds from now until the budget refills, when the provider says. */
  resetInMs?: number;
}

/**
 * A provider's throttling, as the HTTP client needs to know it. Every member is optional: a 429
 * is always a throttle answer, and `Retry-After` (seconds or HTTP-date) is always honoured.
 */
export interface ThrottlePolicy {
  /**
   * Whether a response other than a 429 is a throttle answer too: Google's 403
   * `rateLimitExceeded`, Salesforce's 403 `REQUEST_LIMIT_EXCEEDED`, AWS's 400 `ThrottlingException`.
   * `res.body` is already parsed (JSON when it parses, else text).
   */
  isThrottled?(res: HttpResponse): boolean;
  /**
   * How long the provider asks to wait after a throttle answer, in milliseconds. `undefined`
   * falls back to `Retry-After`, then to exponential backoff.
   */
  waitMs?(res: HttpResponse, nowMs: number): number | undefined;
  /** The budget left, read from any response, for pausing before the provider says 429. */
  budget?(res: HttpResponse, nowMs: number): RateBudget | undefined;
}

/** 429 + `Retry-After` (Graph, Box, Dropbox, ServiceNow). This is also what the client does with no policy. */
export const retryAfterThrottle: ThrottlePolicy = {
  waitMs: (res, nowMs) => parseRetryAfter(res.headers.get('retry-after'), nowMs),
};

export interface HeaderBudgetSettings {
  /** Header with the window's ceiling, e.g. `x-rate-limit-limit`. */
  limit?: string;
  /** Header with the requests left, e.g. `x-rate-limit-remaining`. */
  remaining: string;
  /** Header with the reset time, e.g. `x-rate-limit-reset`. */
  reset: string;
  /** `epoch-seconds`: a Unix time (Okta, ServiceNow); `seconds-from-now`: a delay. */
  resetUnit: 'epoch-seconds' | 'seconds-from-now';
  /** Added to every wait until a reset, for clock skew between us and the provider. Default 1000. */
  marginMs?: number;
}

/**
 * A policy for providers that report their budget in headers. Before the budget runs out the
 * client pauses the instance until the reset; after a throttle answer it waits for `Retry-After`
 * if given, else until the reset.
 * @example Okta: `headerBudgetThrottle({ limit: 'x-rate-limit-limit', remaining: 'x-rate-limit-remaining', reset: 'x-rate-limit-reset', resetUnit: 'epoch-seconds' })`
 */
export function headerBudgetThrottle(settings: HeaderBudgetSettings): ThrottlePolicy {
  const marginMs = settings.marginMs ?? 1000;
  const resetInMs = (res: HttpResponse, nowMs: number): number | undefined => {
    const reset = readNumber(res.headers.get(settings.reset));
    if (reset === undefined) return undefined;
    const waitMs = settings.resetUnit === 'epoch-seconds' ? reset * 1000 - nowMs : reset * 1000;
    return Math.max(0, Math.ceil(waitMs)) + marginMs;
  };
  return {
    waitMs: (res, nowMs) => parseRetryAfter(res.headers.get('retry-after'), nowMs) ?? resetInMs(res, nowMs),
    budget: (res, nowMs) => {
      const remaining = readNumber(res.headers.get(settings.remaining));
      if (remaining === undefined) return undefined;
      const limit = settings.limit === undefined ? undefined : readNumber(res.headers.get(settings.limit));
      const budget: RateBudget = { remaining };
      if (limit !== undefined) budget.limit = limit;
      const reset = resetInMs(res, nowMs);
      if (reset !== undefined) budget.resetInMs = reset;
      return budget;
    },
  };
}

function readNumber(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const n = Number(value.trim());
  return Number.isFinite(n) ? n : undefined;
}

export interface InstanceRateLimiterSettings {
  /** Requests in flight at once. */
  concurrency: number;
  /** With `intervalMs`: at most this many requests start in any rolling `intervalMs`. */
  requestsPerInterval?: number;
  intervalMs?: number;
  /** Pauses longer than this do not hold the queue: the caller fails such requests fast instead. */
  maxHoldMs: number;
  clock: Clock;
  /** Stops pause timers (connector stop). */
  signal?: AbortSignal;
}

/**
 * The pace of one connector instance: a p-queue for concurrency and request rate, and a pause
 * that holds every queued request of this instance (and only this one) while the provider
 * throttles it.
 */
export class InstanceRateLimiter {
  readonly #settings: InstanceRateLimiterSettings;
  readonly #queue: PQueue;
  #resumeAt = 0;
  #holdGeneration = 0;

  constructor(settings: InstanceRateLimiterSettings) {
    this.#settings = settings;
    const { concurrency, requestsPerInterval, intervalMs } = settings;
    // strict = sliding window: a fixed window would allow twice the rate across a window edge.
    this.#queue = requestsPerInterval === undefined
      ? new PQueue({ concurrency })
      : new PQueue({ concurrency, intervalCap: requestsPerInterval, interval: intervalMs ?? 0, strict: true });
  }

  /** Runs `task` when a slot is free and no pause holds the queue; rejects with `signal.reason` on abort. */
  schedule<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const leftMs = this.remainingPauseMs();
    // The end of a pause too long to hold the queue for: hold it for what is left.
    if (leftMs > 0 && leftMs <= this.#settings.maxHoldMs && !this.#queue.isPaused) this.#hold(leftMs);
    return this.#queue.add(task, { signal });
  }

  /**
   * Pauses the instance for `waitMs` from now, unless it is already paused longer. Returns the
   * milliseconds the pause grew by (0 when an existing pause already covered it).
   */
  pauseFor(waitMs: number): number {
    if (!(waitMs > 0)) return 0;
    const now = this.#settings.clock.now();
    const until = now + waitMs;
    if (until <= this.#resumeAt) return 0;
    const added = until - Math.max(now, this.#resumeAt);
    this.#resumeAt = until;
    if (waitMs <= this.#settings.maxHoldMs) this.#hold(waitMs);
    return added;
  }

  /** Milliseconds until the current pause ends; 0 when not paused. */
  remainingPauseMs(): number {
    return Math.max(0, this.#resumeAt - this.#settings.clock.now());
  }

  /** Epoch ms when the current pause ends, or null. */
  pausedUntil(): number | null {
    return this.remainingPauseMs() > 0 ? this.#resumeAt : null;
  }

  #hold(waitMs: number): void {
    const generation = ++this.#holdGeneration;
    this.#queue.pause();
    this.#settings.clock.sleep(waitMs, this.#settings.signal).then(
      // A later, longer pause owns the restart.
      () => { if (generation === this.#holdGeneration) this.#queue.start(); },
      () => { /* stopped: queued requests reject through their own signal */ },
    );
  }
}
