import type { HttpRequest, HttpResponse } from '../runtime/http-client.js';
import { obj, str } from '../runtime/json-fields.js';
import { requestParam } from '../runtime/paging.js';

/**
 * The Management Activity API refuses a `nextPage` with 400 AF20031 (`Invalid nextPage Input`); Graph
 * answers 400 to a `$skiptoken` it no longer honours. (An expired delta link is Graph's 410, which the
 * file streams handle as a resync.)
 */
export function office365ContinuationRefused(res: HttpResponse, req: HttpRequest): boolean {
  if (res.status !== 400) return false;
  return str(obj(obj(res.body)?.error)?.code) === 'AF20031' || requestParam(req, '$skiptoken') !== null;
}
