import type { HttpResponse } from '../runtime/http-client.js';
import { arr, obj, str } from '../runtime/json-fields.js';

/**
 * Salesforce refuses a query locator (`nextRecordsUrl`'s path) that expired (15 minutes idle, 2 days)
 * or was released (more than 10 open cursors per user) with 400 `[{"errorCode":"INVALID_QUERY_LOCATOR"}]`.
 */
export function salesforceContinuationRefused(res: HttpResponse): boolean {
  return res.status === 400 && arr(res.body).some((e) => str(obj(e)?.errorCode) === 'INVALID_QUERY_LOCATOR');
}
