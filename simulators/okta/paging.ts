import { queryValue } from '../common/json.js';
import { oktaErrors } from './okta-errors.js';

/**
 * The `Link` header values of a list response: `self` (the request as made) and, when there is more,
 * `next` (the same request with `after` set). URLs are absolute, on the host the client addressed.
 */
export function linkHeaders(base: string, requestUrl: string, query: Record<string, unknown>, nextAfter: string | undefined): string[] {
  const links = [`<${base}${requestUrl}>; rel="self"`];
  if (nextAfter !== undefined) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (key === 'after') continue;
      const first = queryValue(value);
      if (first !== undefined) params.set(key, first);
    }
    params.set('after', nextAfter);
    const path = requestUrl.split('?')[0];
    links.push(`<${base}${path}?${params.toString()}>; rel="next"`);
  }
  return links;
}

/** Reads `limit`: `fallback` when absent, at most `max`; 400 when not a positive integer. */
export function readLimit(value: unknown, fallback: number, max: number): number {
  const text = queryValue(value);
  if (text === undefined || text === '') return Math.min(fallback, max);
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw oktaErrors.validation('limit', [`limit: must be a positive integer, got ${text}`]);
  return Math.min(n, max);
}

/** One page of a list paged by the id of the last item returned (`after`), as Okta's directory lists are. */
export function pageAfterId<T extends { id: string }>(items: readonly T[], after: string | undefined, limit: number): { page: T[]; nextAfter?: string } {
  let start = 0;
  if (after !== undefined) {
    const index = items.findIndex((item) => item.id === after);
    // An unknown cursor gives an empty page rather than starting over (which would repeat items).
    if (index < 0) return { page: [] };
    start = index + 1;
  }
  const page = items.slice(start, start + limit);
  const last = page[page.length - 1];
  return start + limit < items.length && last ? { page, nextAfter: last.id } : { page };
}
