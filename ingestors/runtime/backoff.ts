/**
 * How long to wait before trying again, and the clock that does the waiting. Pure except for
 * `systemClock`; the HTTP client takes a clock so tests can record waits instead of sleeping.
 */

export interface BackoffSettings {
  /** Ceiling of the first retry's delay (attempt 0). */
  baseDelayMs: number;
  /** The ceiling never grows past this. */
  maxDelayMs: number;
}

/** The largest delay allowed after `attempt` failures (0-based): `min(maxDelayMs, baseDelayMs * 2^attempt)`. */
export function backoffCeiling(attempt: number, settings: BackoffSettings): number {
  const exponent = Math.max(0, Math.floor(attempt));
  // 2 ** 1100 is Infinity, which Math.min turns back into maxDelayMs.
  return Math.max(0, Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** exponent));
}

/**
 * "Full jitter" exponential backoff: a uniformly random whole number of milliseconds in
 * `[0, backoffCeiling(attempt)]`, so that many clients failing together do not retry together.
 * @param random returns a number in [0, 1), like `Math.random`.
 */
export function fullJitterDelay(attempt: number, settings: BackoffSettings, random: () => number = Math.random): number {
  const ceiling = Math.floor(backoffCeiling(attempt, settings));
  return Math.min(ceiling, Math.floor(random() * (ceiling + 1)));
}

/**
 * A delay in [ceiling/2, ceiling]: for a throttle answer that names no wait, where waiting nothing
 * (which full jitter allows) would just be throttled again.
 */
export function equalJitterDelay(attempt: number, settings: BackoffSettings, random: () => number = Math.random): number {
  const ceiling = Math.floor(backoffCeiling(attempt, settings));
  const half = Math.ceil(ceiling / 2);
  return Math.min(ceiling, half + Math.floor(random() * (ceiling - half + 1)));
}

/**
 * Reads a `Retry-After` header: either delay-seconds (`120`) or an HTTP-date
 * (`Wed, 21 Oct 2015 07:28:00 GMT`). Returns milliseconds from `nowMs` (never negative), or
 * `undefined` when the header is absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value == null) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  // An HTTP-date always names its day and month; this keeps Date.parse from reading "-5" as a year.
  const at = /[a-z]/i.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** Time and waiting, injectable so tests can run minutes of provider waits in no time. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`; rejects with `signal.reason` as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};
