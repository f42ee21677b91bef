import type { HttpRequest, HttpResponse } from '../runtime/http-client.js';
import { obj, str } from '../runtime/json-fields.js';

/** The `/continue` routes whose cursor is a read's continuation, and the tags that refuse one. */
const REFUSING_TAGS: Record<string, readonly string[]> = {
  '/2/team_log/get_events/continue': ['reset', 'bad_cursor'],
  '/2/team/members/list/continue_v2': ['invalid_cursor'],
  '/2/team/groups/list/continue': ['invalid_cursor'],
  '/2/team/groups/members/list/continue': ['invalid_cursor'],
  '/2/team/team_folder/list/continue': ['invalid_cursor'],
};

/**
 * Dropbox refuses a `/continue` cursor (JSON body) with a 409 endpoint error: `reset` (team_log: restart
 * `get_events` from a time, here the read's saved position) or `bad_cursor`, `invalid_cursor` for the
 * team lists. `files/list_folder/continue`'s `reset` is not one: its stream restarts that space itself.
 */
export function dropboxContinuationRefused(res: HttpResponse, req: HttpRequest): boolean {
  const tags = req.path === undefined ? undefined : REFUSING_TAGS[req.path];
  if (res.status !== 409 || tags === undefined) return false;
  const tag = str(obj(obj(res.body)?.error)?.['.tag']);
  return tag !== null && tags.includes(tag);
}
