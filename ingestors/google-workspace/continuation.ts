import type { HttpRequest, HttpResponse } from '../runtime/http-client.js';
import { requestParam } from '../runtime/paging.js';

/**
 * Google refuses a `pageToken` it no longer honours with 400 (an `invalid` argument); the first page of
 * the same read was accepted, so a 400 to a request carrying a page token is the token's refusal.
 */
export function googleContinuationRefused(res: HttpResponse, req: HttpRequest): boolean {
  return res.status === 400 && requestParam(req, 'pageToken') !== null;
}
