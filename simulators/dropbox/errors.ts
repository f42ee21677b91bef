import type { FastifyRequest } from 'fastify';
import { bodyField, type ContinuationContract } from '../common/faults.js';

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

/** The `/continue` routes' error tag for a cursor they no longer honour (each route's `...ContinueError` union). */
const CURSOR_REFUSAL: Record<string, string> = {
  'team_log/get_events/continue': 'reset',
  'files/list_folder/continue': 'reset',
  'team/members/list/continue_v2': 'invalid_cursor',
  'team/groups/list/continue': 'invalid_cursor',
  'team/groups/members/list/continue': 'invalid_cursor',
  'team/team_folder/list/continue': 'invalid_cursor',
};

/**
 * Dropbox's continuation is the `cursor` of a `/continue` call's JSON body; an expired one is an
 * endpoint error (409). `team_log/get_events/continue` answers `reset` with the time to restart
 * `get_events` from (here the cursor's own start), `list_folder/continue` a bare `reset`, the team
 * lists `invalid_cursor` (Dropbox API v2 reference: GetTeamEventsContinueError, ListFolderContinueError,
 * MembersListContinueError).
 */
export const dropboxContinuation: ContinuationContract = {
  carries: (request) => routeOf(request) in CURSOR_REFUSAL && bodyField(request, 'cursor') !== null,
  refusal: (request) => {
    const route = routeOf(request);
    const tag = CURSOR_REFUSAL[route]!;
    const error = route === 'team_log/get_events/continue' ? { '.tag': tag, reset: cursorStart(bodyField(request, 'cursor')!) } : { '.tag': tag };
    const refused = dropboxErrors.endpoint(error);
    return { status: refused.status, body: refused.body };
  },
};

function routeOf(request: FastifyRequest): string {
  return request.url.split('?')[0]!.replace(/^\/2\//, '');
}

/** The start time a team_log cursor reads from, as Dropbox writes times (`%Y-%m-%dT%H:%M:%SZ`). */
function cursorStart(cursor: string): string {
  let start = 0;
  try {
    const s = (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Json).s;
    if (typeof s === 'number') start = s;
  } catch {
    // an unreadable cursor restarts from the beginning of the log
  }
  return new Date(start).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
