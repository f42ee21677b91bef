import type { FastifyReply } from 'fastify';
import { queryContinuation, type ContinuationContract } from '../common/faults.js';

/** An answer of the Box API: its status, body and headers (Box's `{"type":"error",...}` bodies, or none for a 401). */
export class BoxApiError extends Error {
  constructor(readonly status: number, readonly body: unknown, readonly headers: Record<string, string> = {}) {
    super(`box ${status}`);
  }

  send(reply: FastifyReply): FastifyReply {
    for (const [name, value] of Object.entries(this.headers)) reply.header(name, value);
    if (this.body === null) return reply.status(this.status).send('');
    return reply.status(this.status).send(this.body);
  }
}

let requests = 0;
function requestId(): string {
  requests++;
  return `${Date.now().toString(36)}${requests.toString(36)}`.padEnd(16, '0').slice(0, 16);
}

function error(status: number, code: string, message: string, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}): BoxApiError {
  return new BoxApiError(status, {
    type: 'error', status, code, help_url: 'http://developers.box.com/docs/#errors', message, request_id: requestId(), ...extra,
  }, headers);
}

export const boxErrors = {
  /** A missing, unknown or expired token: Box answers 401 with no body and says why in WWW-Authenticate. */
  invalidToken: () => new BoxApiError(401, null, {
    'www-authenticate': 'Bearer realm="Service", error="invalid_token", error_description="The access token provided is invalid."',
  }),
  /** The app lacks the scope the endpoint needs. */
  insufficientScope: () => error(403, 'access_denied_insufficient_permissions', 'Access denied - insufficient permission', {
    'www-authenticate': 'Bearer realm="Service", error="insufficient_scope", error_description="The request requires higher privileges than provided by the access token."',
  }),
  forbidden: (message = 'Access denied - insufficient permission') => error(403, 'access_denied_insufficient_permissions', message),
  notFound: () => error(404, 'not_found', 'Not Found'),
  badRequest: (message: string, code = 'bad_request') => error(400, code, message),
  /** A query parameter Box does not accept: 400 `bad_request`, the parameter named in `context_info.errors` (as Box answers a bad value). */
  invalidParameter: (name: string, value: string) => error(400, 'bad_request', 'Bad Request', {}, {
    context_info: { errors: [{ reason: 'invalid_parameter', name, message: `Invalid value '${value}'. '${name}' with value '${value}' is not valid` }] },
  }),
  conflict: (code: string, message: string) => error(409, code, message),
  throttled: (retryAfterSeconds: number) => error(429, 'rate_limit_exceeded', 'Request rate limit exceeded, please try again later', { 'retry-after': String(retryAfterSeconds) }),
  internal: () => error(500, 'internal_server_error', 'Internal Server Error'),
};

/** The OAuth error of the token endpoint (400 with `error` and `error_description`). */
export function oauthError(error: string, description: string): BoxApiError {
  return new BoxApiError(400, { error, error_description: description });
}

/**
 * Box's continuations are query parameters (`marker`, `offset`, the events' `stream_position`, the
 * enterprise event stream's saved cursor). Box documents no error for one past its lifetime: the 400
 * `bad_request` with an `invalid_parameter` entry naming it that it answers for a bad value.
 */
export const boxContinuation: ContinuationContract = queryContinuation((_request, param) => {
  const refused = boxErrors.invalidParameter(param.name, param.value);
  return { status: refused.status, body: refused.body };
}, ['marker', 'offset', 'stream_position']);
