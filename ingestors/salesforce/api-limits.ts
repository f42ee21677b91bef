import type { RateBudget, ThrottlePolicy } from '../runtime/http-client.js';

const DAY_MS = 86_400_000;

/** `api-usage=10018/100000` (and, on newer releases, `; api-bursts=1/750`) → used and limit, or null. */
export function apiUsage(header: string | null): { used: number; limit: number } | null {
  const m = header === null ? null : /api-usage=(\d+)\/(\d+)/.exec(header);
  if (!m) return null;
  const used = Number(m[1]);
  const limit = Number(m[2]);
  return limit > 0 ? { used, limit } : null;
}

/** The `errorCode`s of a Salesforce error body (`[{"errorCode":"...","message":"..."}]`). */
export function errorCodes(body: unknown): string[] {
  const list = Array.isArray(body) ? body : body !== null && typeof body === 'object' ? [body] : [];
  return list.map((e) => (e as { errorCode?: unknown }).errorCode).filter((c): c is string => typeof c === 'string');
}

/**
 * The daily API request budget an org's responses report, kept for the rest of the org: up to
 * `share` of the limit the instance runs at full speed; past it, it spreads what is left of the
 * limit over a day (the allocation is a rolling 24 hours), so it slows well before the limit.
 */
export function usageBudget(usage: { used: number; limit: number }, share: number): RateBudget {
  const allowed = Math.floor(usage.limit * share);
  if (usage.used < allowed) return { remaining: allowed - usage.used, limit: allowed };
  const left = Math.max(1, usage.limit - usage.used);
  return { remaining: 0, limit: allowed, resetInMs: Math.ceil(DAY_MS / left) };
}

/**
 * How Salesforce limits API use. Every REST answer carries `Sforce-Limit-Info: api-usage=used/limit`
 * (the org's daily requests, a rolling 24 hours); a request over the limit is refused with **403**
 * `REQUEST_LIMIT_EXCEEDED` and no Retry-After, so the instance pauses for `limitExceededPauseMs` and
 * tries again until the limit frees up.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm
 * https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_api.htm
 */
export function salesforceThrottle(settings: { apiUsageShare: number; limitExceededPauseMs: number }): ThrottlePolicy {
  return {
    isThrottled: (res) => res.status === 403 && errorCodes(res.body).includes('REQUEST_LIMIT_EXCEEDED'),
    waitMs: () => settings.limitExceededPauseMs,
    budget: (res) => {
      const usage = apiUsage(res.headers.get('sforce-limit-info'));
      return usage === null ? undefined : usageBudget(usage, settings.apiUsageShare);
    },
  };
}
