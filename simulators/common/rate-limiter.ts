import type { Clock } from './clock.js';

/** The outcome of one request against a rate-limit budget. */
export interface RateLimitDecision {
  allowed: boolean;
  /** The budget of the current window. */
  limit: number;
  /** What is left of the budget after this request (0 when refused). */
  remaining: number;
  /** When the current window ends and the budget is whole again (epoch ms). */
  resetAtMs: number;
}

export interface RateLimiterOptions {
  /** Requests allowed per key and window. */
  limit: number;
  windowMs: number;
  clock: Clock;
}

/**
 * A fixed-window limiter with one budget per key (an endpoint family, a user...). Windows are aligned
 * on multiples of `windowMs` since the epoch, as providers' per-minute windows are.
 */
export interface RateLimiter {
  /** Counts one request for `key` and says whether it fits the budget. */
  take(key: string): RateLimitDecision;
  /** The state of `key`'s budget, without counting a request. */
  peek(key: string): RateLimitDecision;
  /** Refuses the next `count` requests (any key, budget untouched), reporting a reset `resetInMs` from now. */
  throttleNext(count: number, options: { resetInMs: number }): void;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { limit, windowMs, clock } = options;
  const used = new Map<string, { windowStart: number; count: number }>();
  let forced = { count: 0, resetAtMs: 0 };

  const window = (key: string, now: number) => {
    const windowStart = Math.floor(now / windowMs) * windowMs;
    let entry = used.get(key);
    if (!entry || entry.windowStart !== windowStart) {
      entry = { windowStart, count: 0 };
      used.set(key, entry);
    }
    return entry;
  };

  return {
    take(key) {
      const now = clock.now();
      if (forced.count > 0) {
        forced.count--;
        return { allowed: false, limit, remaining: 0, resetAtMs: forced.resetAtMs };
      }
      const entry = window(key, now);
      const resetAtMs = entry.windowStart + windowMs;
      if (entry.count >= limit) return { allowed: false, limit, remaining: 0, resetAtMs };
      entry.count++;
      return { allowed: true, limit, remaining: limit - entry.count, resetAtMs };
    },
    peek(key) {
      const entry = window(key, clock.now());
      return {
        allowed: entry.count < limit,
        limit,
        remaining: Math.max(0, limit - entry.count),
        resetAtMs: entry.windowStart + windowMs,
      };
    },
    throttleNext(count, { resetInMs }) {
      forced = { count, resetAtMs: clock.now() + resetInMs };
    },
  };
}
