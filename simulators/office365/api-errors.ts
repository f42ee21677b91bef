import { queryContinuation, type ContinuationContract } from '../common/faults.js';
/** An error the simulator answers the way the real service does: a status, a body and maybe headers. */
export class ApiError extends Error {
  override name = 'ApiError';

  constructor(readonly status: number, readonly body: unknown, readonly headers: Record<string, string> = {}) {
    super(typeof body === 'object' && body !== null ? JSON.stringify(body) : String(body));
  }
}

/** Microsoft Graph's error body: `{ error: { code, message, innerError } }`. */
export function graphError(status: number, code: string, message: string, headers: Record<string, string> = {}): ApiError {
  return new ApiError(status, {
    error: { code, message, innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': crypto.randomUUID(), 'client-request-id': crypto.randomUUID() } },
  }, headers);
}

// Codes and messages as Microsoft Graph documents and answers them.
export const graph = {
  unauthenticated: (message: string) => graphError(401, 'InvalidAuthenticationToken', message, { 'www-authenticate': 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"' }),
  forbidden: () => graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'),
  accessDenied: () => graphError(403, 'accessDenied', 'Access denied'),
  notFound: (what: string) => graphError(404, 'Request_ResourceNotFound', `Resource '${what}' does not exist or one of its queried reference-property objects are not present.`),
  itemNotFound: () => graphError(404, 'itemNotFound', 'The resource could not be found.'),
  badRequest: (message: string) => graphError(400, 'BadRequest', message),
  // Graph answers an unknown path segment with 400, not 404.
  unknownSegment: (path: string) => graphError(400, 'BadRequest', `Resource not found for the segment '${path.split('/').filter(Boolean).pop() ?? ''}'.`),
  invalidRequest: (message: string) => graphError(400, 'invalidRequest', message),
  nameConflict: (name: string) => graphError(409, 'nameAlreadyExists', `An item named ${name} already exists.`),
  resyncRequired: () => graphError(410, 'resyncRequired', 'Resync required. Replace any local items with the server\'s version (including deletes) if you\'re sure that the service was up to date with your local changes when you last sync\'d.'),
  throttled: (retryAfterS: number) => graphError(429, 'TooManyRequests', 'Too many requests', { 'retry-after': String(retryAfterS) }),
};

/** The Management Activity API's error body: `{ error: { code, message } }` with `AF...` codes. */
export function managementError(status: number, code: string, message: string): ApiError {
  return new ApiError(status, { error: { code, message } });
}

// Codes and messages from the Management Activity API reference's error table; AF429's 403 status is what
// Microsoft's troubleshooting guide shows customers receiving.
export const management = {
  // The API answers a missing or bad token with ASP.NET's default body (not verified against the live service).
  unauthenticated: () => new ApiError(401, { Message: 'Authorization has been denied for this request.' }, { 'www-authenticate': 'Bearer' }),
  missingPermission: (roles: readonly string[], permission: string) => managementError(403, 'AF10001', `The permission set (${roles.join(',')}) sent in the request did not include the expected permission ${permission}.`),
  tenantMismatch: (url: string, token: string) => managementError(401, 'AF20010', `The tenant ID passed in the URL (${url}) does not match the tenant ID passed in the access token (${token}).`),
  invalidContentType: () => managementError(400, 'AF20020', 'The specified content type is not valid.'),
  noSubscription: () => managementError(400, 'AF20022', 'No subscription found for the specified content type.'),
  alreadyEnabled: () => managementError(400, 'AF20024', 'The subscription is already enabled. No property change.'),
  badTimeRange: () => managementError(400, 'AF20055', 'Start time and end time must both be specified (or both omitted) and must be less than or equal to 24 hours apart, with the start time no more than 7 days in the past.'),
  invalidNextPage: (value: string) => managementError(400, 'AF20031', `Invalid nextPage Input: ${value}.`),
  contentMissing: (id: string) => managementError(404, 'AF20050', `The specified content (${id}) does not exist.`),
  contentExpired: (id: string) => managementError(400, 'AF20051', `Content requested with the key ${id} has already expired. Content older than 7 days cannot be retrieved.`),
  throttled: (method: string, publisher: string) => managementError(403, 'AF429', `Too many requests. Method=${method}, PublisherId=${publisher}`),
};

/** Entra ID's token endpoint error body (`AADSTS` codes). */
export function loginError(status: number, error: string, code: number, description: string): ApiError {
  return new ApiError(status, {
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${crypto.randomUUID()} Correlation ID: ${crypto.randomUUID()} Timestamp: ${new Date().toISOString().slice(0, 19)}Z`,
    error_codes: [code],
    timestamp: new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z',
    trace_id: crypto.randomUUID(),
    correlation_id: crypto.randomUUID(),
  });
}

/**
 * Office 365's continuations are query parameters: the Management Activity API's `nextPage` (refused
 * with its documented 400 AF20031 `Invalid nextPage Input`), a delta link's `token` (410 `resyncRequired`,
 * as Graph documents for an expired delta token) and Graph's `$skiptoken`, for which Graph documents no
 * code: a 400 `BadRequest`, as Graph answers a malformed parameter.
 */
export const office365Continuation: ContinuationContract = queryContinuation((request, param) => {
  const delta = request.url.split('?')[0]!.endsWith('/delta');
  const refused = param.name === 'nextPage' ? management.invalidNextPage(param.value) : delta ? graph.resyncRequired() : graph.badRequest(`Invalid ${param.name}`);
  return { status: refused.status, body: refused.body };
});
