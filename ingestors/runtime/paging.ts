import { AppwardenError } from '../../core/errors.js';
import type { HttpClient, HttpRequest, HttpResponse, NextPage } from './http-client.js';
import { linkHeaderNext } from './link-header.js';

/**
 * Paging on top of `HttpClient.paginate`: a provider says how to read one page (a `NextPage`,
 * usually one of the readers below) and gets its items page by page, or all of them.
 */

/** The items of every page from `first`, one non-empty array per page. */
export async function* itemPages<T>(http: HttpClient, first: HttpRequest, nextPage: NextPage<T>): AsyncGenerator<T[], void, undefined> {
  for await (const page of http.paginate<T>(first, nextPage)) {
    if (page.items.length > 0) yield page.items;
  }
}

/** Every item of a paged read, in order (for lists that are small by nature: a user's roles, a file's permissions). */
export async function collect<T>(pages: AsyncIterable<readonly T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const items of pages) out.push(...items);
  return out;
}

/** The body's `itemsKey` array, or AW_PROVIDER_RESPONSE_INVALID; a body that is itself an array when `itemsKey` is null. */
export function bodyItems<T = unknown>(res: HttpResponse, itemsKey: string | null): T[] {
  const body = res.body as Record<string, unknown> | null;
  const list = itemsKey === null ? body : body !== null && typeof body === 'object' ? body[itemsKey] : undefined;
  if (!Array.isArray(list)) {
    throw new AppwardenError('AW_PROVIDER_RESPONSE_INVALID', `a list page has no ${itemsKey === null ? 'JSON array body' : `${itemsKey} array`}`, {
      details: { status: res.status, url: res.url },
    });
  }
  return list as T[];
}

/** Pages whose body is an array, linked by `Link: <…>; rel="next"` (Okta, ServiceNow); an empty page ends the read. */
export function linkHeaderPages<T = unknown>(): NextPage<T> {
  return (res) => {
    const items = bodyItems<T>(res, null);
    const next = linkHeaderNext(res);
    return { items, next: items.length > 0 && next !== null ? { url: next } : null };
  };
}

/** Pages with `itemsKey` and the absolute or relative URL of the next page in `linkKey` (Graph `@odata.nextLink`, Salesforce `nextRecordsUrl`). */
export function bodyLinkPages<T = unknown>(itemsKey: string, linkKey: string): NextPage<T> {
  return (res, req) => {
    const items = bodyItems<T>(res, itemsKey);
    const link = (res.body as Record<string, unknown>)[linkKey];
    return { items, next: typeof link === 'string' && link !== '' ? { ...withoutQuery(req), url: link } : null };
  };
}

/** Pages with `itemsKey` and a continuation token in `tokenKey`, sent back as the query parameter `param` (Google `nextPageToken` → `pageToken`). */
export function bodyTokenPages<T = unknown>(itemsKey: string, tokenKey: string, param: string): NextPage<T> {
  return (res, req) => {
    const body = (res.body ?? {}) as Record<string, unknown>;
    const items = Array.isArray(body[itemsKey]) ? (body[itemsKey] as T[]) : [];
    const token = body[tokenKey];
    // A token that repeats would loop forever; a provider that does that has no more pages.
    if (typeof token !== 'string' || token === '' || token === req.query?.[param]) return { items, next: null };
    return { items, next: { ...req, query: { ...req.query, [param]: token } } };
  };
}

/** A next link carries its own query: the first request's must not be added to it. */
function withoutQuery(req: HttpRequest): HttpRequest {
  const { query: _query, path: _path, ...rest } = req;
  return rest;
}

/**
 * The value of query parameter `name` a request carries, in its `query` or in its URL (a next link):
 * for a provider's `continuationRefused`, which knows a refusal of its continuation by the parameter
 * the refused request carried.
 */
export function requestParam(req: HttpRequest, name: string): string | null {
  const value = req.query?.[name];
  if (value !== undefined) return String(value);
  if (req.url === undefined) return null;
  return new URL(req.url, 'http://relative.invalid').searchParams.get(name);
}
