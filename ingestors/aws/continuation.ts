import type { HttpResponse } from '../runtime/http-client.js';
import { awsErrorCode } from './errors.js';

/**
 * CloudTrail refuses a `NextToken` (JSON body) it no longer honours, or one sent with other
 * parameters, with HTTP 400 `InvalidNextTokenException`.
 */
export function awsContinuationRefused(res: HttpResponse): boolean {
  return res.status === 400 && awsErrorCode(res.body) === 'InvalidNextTokenException';
}
