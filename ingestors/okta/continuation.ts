import type { HttpRequest, HttpResponse } from '../runtime/http-client.js';
import { requestParam } from '../runtime/paging.js';

/** Okta answers 400 (E0000001, validation) to a next link whose `after` cursor it no longer honours. */
export function oktaContinuationRefused(res: HttpResponse, req: HttpRequest): boolean {
  return res.status === 400 && requestParam(req, 'after') !== null;
}
