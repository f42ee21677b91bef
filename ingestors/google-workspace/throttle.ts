import type { HttpResponse, ThrottlePolicy } from '../runtime/http-client.js';

/**
 * Reasons of a 403 that mean "slow down", not "forbidden". Google's Admin SDK and Drive answer quota
 * overruns with 403 `rateLimitExceeded` / `userRateLimitExceeded` (older APIs) or 429 (status
 * RESOURCE_EXHAUSTED), and document truncated exponential backoff without a Retry-After.
 * https://developers.google.com/workspace/drive/api/guides/limits
 * https://developers.google.com/workspace/admin/directory/v1/limits
 */
const THROTTLE_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'quotaExceeded']);

/** The `reason`s of Google's error body: `error.errors[].reason` and `error.details[].reason` (ErrorInfo). */
export function googleErrorReasons(body: unknown): string[] {
  const error = (body as { error?: unknown } | null)?.error;
  if (typeof error !== 'object' || error === null) return [];
  const reasons: string[] = [];
  for (const list of [(error as { errors?: unknown }).errors, (error as { details?: unknown }).details]) {
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      const reason = (entry as { reason?: unknown } | null)?.reason;
      if (typeof reason === 'string') reasons.push(reason);
    }
  }
  return reasons;
}

/** 429 is always a throttle answer (the client knows); a 403 is one when its reason says so. Waits use the client's backoff with jitter. */
export const googleThrottle: ThrottlePolicy = {
  isThrottled: (res: HttpResponse) => res.status === 403 && googleErrorReasons(res.body).some((r) => THROTTLE_REASONS.has(r)),
};
