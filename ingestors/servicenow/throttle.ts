import { parseRetryAfter } from '../runtime/backoff.js';
import type { ThrottlePolicy } from '../runtime/http-client.js';
import { obj, str } from '../runtime/json-fields.js';

/** The message of a ServiceNow error body (`{"error":{"message","detail"},"status":"failure"}`), or null. */
export function serviceNowErrorMessage(body: unknown): { message: string | null; detail: string | null } {
  const error = obj(obj(body)?.error);
  return { message: str(error?.message), detail: str(error?.detail) };
}

/**
 * ServiceNow's two throttle answers, both HTTP 429: a rate limit rule (`Retry-After` in seconds, and
 * `X-RateLimit-Reset` as a Unix time), and a transaction quota or semaphore refusal (no `Retry-After`:
 * the client backs off with jitter and sends the request again).
 * https://www.servicenow.com/docs/bundle/yokohama-api-reference/page/integrate/inbound-rest/concept/inbound-REST-API-rate-limiting.html
 */
export const serviceNowThrottle: ThrottlePolicy = {
  waitMs(res, nowMs) {
    const retryAfter = parseRetryAfter(res.headers.get('retry-after'), nowMs);
    if (retryAfter !== undefined) return retryAfter;
    const reset = Number(res.headers.get('x-ratelimit-reset'));
    if (serviceNowErrorMessage(res.body).message === 'Rate limit exceeded' && Number.isFinite(reset) && reset > 0) {
      return Math.max(0, reset * 1000 - nowMs) + 1000;
    }
    return undefined;
  },
};
