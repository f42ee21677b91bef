import { queryContinuation, type ContinuationContract } from '../common/faults.js';
import type { ThrottleStyle } from './options.js';

/** One entry of the legacy `error.errors[]` list that Admin SDK and Drive still send. */
interface ErrorItem {
  message: string;
  domain: string;
  reason: string;
  location?: string;
  locationType?: string;
}

/** An error answered the way Google's JSON APIs do: `{"error":{"code","message","errors":[...],"status"}}`. */
export class GoogleApiError extends Error {
  override name = 'GoogleApiError';

  constructor(
    readonly status: number,
    message: string,
    readonly items: ErrorItem[],
    readonly rpcStatus?: string,
    readonly details?: unknown[],
  ) {
    super(message);
  }

  body(): { error: Record<string, unknown> } {
    const error: Record<string, unknown> = { code: this.status, message: this.message };
    if (this.items.length > 0) error.errors = this.items;
    if (this.rpcStatus) error.status = this.rpcStatus;
    if (this.details) error.details = this.details;
    return { error };
  }
}

const item = (reason: string, message: string, domain = 'global', location?: string): ErrorItem =>
  location ? { message, domain, reason, location, locationType: location === 'Authorization' ? 'header' : 'parameter' } : { message, domain, reason };

// Bodies as Google's APIs answer them (Admin SDK and Drive v3 error references and observed responses).
export const googleErrors = {
  unauthenticated: () => new GoogleApiError(401,
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    [item('authError', 'Invalid Credentials', 'global', 'Authorization')], 'UNAUTHENTICATED'),
  insufficientScopes: () => new GoogleApiError(403, 'Request had insufficient authentication scopes.',
    [item('insufficientPermissions', 'Insufficient Permission')], 'PERMISSION_DENIED'),
  notAuthorized: () => new GoogleApiError(403, 'Not Authorized to access this resource/api', [item('forbidden', 'Not Authorized to access this resource/api')]),
  /**
   * The Reports API's answer for reporting data the customer has no access to, as for an application
   * its edition or licenses do not include (message as GAM reports it, GAM-team/GAM 7.05.08 release notes).
   */
  reportingDataRefused: () => new GoogleApiError(403, 'Caller does not have access to the customers reporting data.',
    [item('forbidden', 'Caller does not have access to the customers reporting data.')]),
  notFound: (what: string) => new GoogleApiError(404, `Resource Not Found: ${what}`, [item('notFound', `Resource Not Found: ${what}`)]),
  fileNotFound: (fileId: string) => new GoogleApiError(404, `File not found: ${fileId}.`, [item('notFound', `File not found: ${fileId}.`, 'global', 'fileId')]),
  permissionNotFound: (permissionId: string) => new GoogleApiError(404, `Permission not found: ${permissionId}.`, [item('notFound', `Permission not found: ${permissionId}.`, 'global', 'permissionId')]),
  invalid: (message: string, location?: string) => new GoogleApiError(400, message, [item('invalid', message, 'global', location)], 'INVALID_ARGUMENT'),
  forbidden: (reason: string, message: string) => new GoogleApiError(403, message, [item(reason, message)]),
  notImplemented: (what: string) => new GoogleApiError(404, `Not Found: ${what}`, [item('notFound', `Not Found: ${what}`)]),
  internal: () => new GoogleApiError(500, 'Internal Error', [item('internalError', 'Internal Error')]),
  /** Google's quota answers: 403 with a usageLimits reason (Admin SDK, Drive), or 429 RESOURCE_EXHAUSTED with an ErrorInfo. */
  throttled: (style: ThrottleStyle, service: string) => {
    if (style === 'RESOURCE_EXHAUSTED') {
      const message = `Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of service '${service}' for consumer 'project_number:123456789012'.`;
      return new GoogleApiError(429, message, [item('rateLimitExceeded', message, 'usageLimits')], 'RESOURCE_EXHAUSTED', [{
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'RATE_LIMIT_EXCEEDED',
        domain: 'googleapis.com',
        metadata: { service, quota_metric: `${service}/default`, quota_limit: 'defaultPerMinutePerUser', consumer: 'projects/123456789012' },
      }]);
    }
    const message = style === 'userRateLimitExceeded' ? 'User Rate Limit Exceeded' : 'Rate Limit Exceeded';
    return new GoogleApiError(403, message, [item(style, message, 'usageLimits')]);
  },
};

/** An OAuth token endpoint refusal: `{"error","error_description"}`, as oauth2.googleapis.com answers. */
export class OAuthError extends Error {
  override name = 'OAuthError';

  constructor(readonly status: number, readonly error: string, readonly description: string) {
    super(description);
  }

  body(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

/**
 * Google's continuation is the `pageToken` query parameter (a list's next page, and Drive's changes
 * feed, whose saved token is the same parameter); a token it no longer honours is a 400 `invalid`
 * argument naming the parameter. Google documents no wording for an expired page token (Drive's
 * reference: a rejected token "should be discarded"): the message is the `Invalid Value` its APIs
 * answer for a bad parameter. Only `pageToken` is one: `pageSize` is not a continuation.
 */
export const googleContinuation: ContinuationContract = queryContinuation((_request, param) => {
  const refused = googleErrors.invalid('Invalid Value', param.name);
  return { status: refused.status, body: refused.body() };
}, ['pageToken']);
