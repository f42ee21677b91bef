/** AWS error answers: the error code in a JSON (`__type`) or XML (`<Code>`) body, and the throttling policy built on it. */
import { ProviderHttpError } from '../../core/errors.js';
import type { HttpResponse, ThrottlePolicy } from '../runtime/http-client.js';
import { obj, str } from '../runtime/json-fields.js';

/** The codes AWS services answer when a caller goes over its rate (CloudTrail, IAM, STS, S3). */
const THROTTLE_CODES = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded', 'SlowDown']);

/** The AWS error code of a body: JSON `__type` (maybe `namespace#Code`) or `code`, or XML `<Code>`. */
export function awsErrorCode(body: unknown): string | null {
  const json = obj(body);
  if (json) {
    const type = str(json.__type) ?? str(json.code) ?? str(json.Code);
    return type === null ? null : type.slice(type.lastIndexOf('#') + 1);
  }
  if (typeof body === 'string') return /<Code>([^<]+)<\/Code>/.exec(body)?.[1] ?? null;
  return null;
}

/** The AWS error code of a refused request (`ProviderHttpError` keeps the body's excerpt). */
export function errorCodeOf(err: unknown): string | null {
  if (!(err instanceof ProviderHttpError)) return null;
  const body = err.details.body;
  if (typeof body !== 'string') return null;
  try {
    return awsErrorCode(JSON.parse(body));
  } catch {
    return awsErrorCode(body);
  }
}

// LookupEvents: 2 requests per second per account and Region, over that HTTP 400 ThrottlingException
// "Rate exceeded" (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html).
// IAM and STS answer 400 Throttling, S3 503 SlowDown; none sends Retry-After.
const RATE_WINDOW_MS = 1000;

export const awsThrottle: ThrottlePolicy = {
  isThrottled: (res: HttpResponse) => res.status >= 400 && THROTTLE_CODES.has(awsErrorCode(res.body) ?? ''),
  // The budgets are per second: one second is enough for the next request to fit.
  waitMs: () => RATE_WINDOW_MS,
};
