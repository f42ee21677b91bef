import type { ThrottlePolicy } from '../runtime/http-client.js';
import { parseRetryAfter } from '../runtime/backoff.js';
import { obj } from '../runtime/json-fields.js';
import { str } from './fields.js';

/** The `error.code` of a Graph or Management API error body (`{"error":{"code":"AF429",...}}`). */
export function errorCodeOf(body: unknown): string | null {
  return str(obj(obj(body)?.error)?.code);
}

/**
 * How Office 365 throttles. Graph answers 429 with `Retry-After` (seconds); the Management Activity API
 * answers **403** with error code `AF429` ("Too many requests. Method=..., PublisherId=...") and no
 * Retry-After, so the client backs off exponentially.
 * https://learn.microsoft.com/graph/throttling
 * https://learn.microsoft.com/office/office-365-management-api/troubleshooting-the-office-365-management-activity-api
 */
export const office365Throttle: ThrottlePolicy = {
  isThrottled: (res) => (res.status === 403 || res.status === 429) && errorCodeOf(res.body) === 'AF429',
  waitMs: (res, nowMs) => parseRetryAfter(res.headers.get('retry-after'), nowMs),
};
