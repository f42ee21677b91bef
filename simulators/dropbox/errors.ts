/**
 * Errors as the Dropbox API answers them: 409 endpoint errors and 401 auth errors with
 * `{"error_summary": "<tag path>/...", "error": {".tag": ...}}`, 429 `RateLimitError`, and 400 bad input
 * as plain text (`Error in call to API function "<route>": ...`).
 */
export class DropboxError extends Error {
  override name = 'DropboxError';

  constructor(readonly status: number, readonly body: unknown, readonly headers: Record<string, string> = {}) {
    super(typeof body === 'string' ? body : JSON.stringify(body));
  }
}

type Json = Record<string, unknown>;

/** `{".tag": "path", "path": {".tag": "not_found"}}` → `path/not_found/...`, Dropbox's summary form. */
function summaryOf(error: Json): string {
  const parts: string[] = [];
  let at: Json | undefined = error;
  while (at && typeof at['.tag'] === 'string') {
    const tag = at['.tag'] as string;
    parts.push(tag);
    const inner: unknown = at[tag];
    at = inner !== null && typeof inner === 'object' && !Array.isArray(inner) ? (inner as Json) : undefined;
  }
  return `${parts.join('/')}/...`;
}

export const dropboxErrors = {
  /** 409: an endpoint error (`error` is the route's error union). */
  endpoint: (error: Json) => new DropboxError(409, { error_summary: summaryOf(error), error }),
  /** 409 with a bare tag (`{".tag": "suspend_inactive_user"}`). */
  tag: (tag: string, extra: Json = {}) => dropboxErrors.endpoint({ '.tag': tag, ...extra }),
  /** 409 `path/not_found` (the `path` union of a files route, or `path_lookup` of get_metadata). */
  notFound: (key = 'path') => dropboxErrors.endpoint({ '.tag': key, [key]: { '.tag': 'not_found' } }),
  /** 401 AuthError. */
  auth: (tag: 'invalid_access_token' | 'expired_access_token' | 'invalid_select_user' | 'invalid_select_admin' | 'user_suspended') =>
    new DropboxError(401, { error_summary: `${tag}/...`, error: { '.tag': tag } }),
  /** 401 missing_scope, naming the scope the route needs. */
  missingScope: (scope: string) => new DropboxError(401, { error_summary: 'missing_scope/...', error: { '.tag': 'missing_scope', required_scope: scope } }),
  /** 400: bad input, in plain text. */
  badInput: (route: string, message: string) => new DropboxError(400, `Error in call to API function "${route}": ${message}`),
  /** 429 RateLimitError with Retry-After. */
  throttled: (reason: 'too_many_requests' | 'too_many_write_operations', retryAfterSeconds: number) => new DropboxError(429,
    { error_summary: `${reason}/...`, error: { reason: { '.tag': reason }, retry_after: retryAfterSeconds } }, { 'retry-after': String(retryAfterSeconds) }),
};
