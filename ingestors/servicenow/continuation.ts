import type { HttpRequest, HttpResponse } from '../runtime/http-client.js';
import { requestParam } from '../runtime/paging.js';

/** A 400 to a next link (`sysparm_offset` past 0) is the refusal of the page: the first page of the read was accepted. */
export function serviceNowContinuationRefused(res: HttpResponse, req: HttpRequest): boolean {
  const offset = requestParam(req, 'sysparm_offset');
  return res.status === 400 && offset !== null && offset !== '0';
}
