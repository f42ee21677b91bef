import type { HttpRequest, HttpResponse } from '../runtime/http-client.js';
import { requestParam } from '../runtime/paging.js';

/**
 * Box answers 400 (`invalid_parameter`, naming it) to a `marker`, `offset` or events `stream_position`
 * it does not honour; a request carrying one past the start (the first page was accepted) is refused for it.
 */
export function boxContinuationRefused(res: HttpResponse, req: HttpRequest): boolean {
  if (res.status !== 400) return false;
  const offset = requestParam(req, 'offset');
  const position = requestParam(req, 'stream_position');
  return requestParam(req, 'marker') !== null || (offset !== null && offset !== '0') || (position !== null && position !== '0' && position !== 'now');
}
