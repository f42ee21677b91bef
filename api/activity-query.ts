import Type from 'typebox';
import { formatDateTime64 } from '../core/clickhouse.js';
import { Conditions } from './conditions.js';
import { hasRawWords, mentioning, rawWords, TARGET_IDS_INDEXED, wholeWordsWithin } from '../processors/sink/catalogue/index.js';
import { badRequest } from './errors.js';
import { AUDIT_CATEGORIES, OUTCOMES } from '../schemas/vocabulary.js';
import { EXPORT_FORMATS } from './export.js';
import { addIpFilter } from './ip-filter.js';
import { decodeCursor, invalidCursor } from './pagination.js';
import { checkTimeRange, DAY_MS, parseTime } from './time-range.js';


export const SORTS = ['newest', 'oldest'] as const;
const MAX_RAW_WORDS = 16;
export type Sort = (typeof SORTS)[number];

/**
 * The activity filters: the time range and every field of the audit event. Shared by the activity
 * search, the aggregations and the timelines; spread into a route's querystring.
 */
export const ActivityFilterProperties = {
  provider: Type.Optional(Type.String({ minLength: 1, description: 'provider id, e.g. okta' })),
  instance: Type.Optional(Type.String({ minLength: 1 })),
  user: Type.Optional(Type.String({ minLength: 1, description: "the actor's email (case-insensitive) or provider id" })),
  action: Type.Optional(Type.String({ minLength: 1, description: 'normalized action, e.g. login' })),
  action_raw: Type.Optional(Type.String({ minLength: 1, description: "the provider's own event name" })),
  // Enums rather than unions of literals, so that a wrong value gets one error listing the allowed ones.
  category: Type.Optional(Type.Enum(AUDIT_CATEGORIES)),
  outcome: Type.Optional(Type.Enum(OUTCOMES)),
  from: Type.Optional(Type.String({ description: 'ISO 8601, inclusive; default 24 hours before `to`; at most the configured maximum range (400 days by default) before `to`' })),
  to: Type.Optional(Type.String({ description: 'ISO 8601, exclusive; default now' })),
  ip: Type.Optional(Type.String({ minLength: 1, description: 'source IP address, or a CIDR block (203.0.113.0/24, 2001:db8::/32)' })),
  actor_type: Type.Optional(Type.String({ minLength: 1, description: 'user, service, system, app or unknown' })),
  actor_name: Type.Optional(Type.String({ minLength: 1, description: "the actor's display name, case-insensitive substring" })),
  country: Type.Optional(Type.String({ minLength: 1, description: 'source country as stored (case-insensitive)' })),
  city: Type.Optional(Type.String({ minLength: 1, description: 'source city (case-insensitive)' })),
  user_agent: Type.Optional(Type.String({ minLength: 1, description: 'case-insensitive substring of the user agent' })),
  severity: Type.Optional(Type.String({ minLength: 1 })),
  outcome_reason: Type.Optional(Type.String({ minLength: 1, description: 'case-insensitive substring of the reason' })),
  session_id: Type.Optional(Type.String({ minLength: 1 })),
  request_id: Type.Optional(Type.String({ minLength: 1 })),
  event_id: Type.Optional(Type.String({ minLength: 1 })),
  target_type: Type.Optional(Type.String({ minLength: 1, description: 'one of the targets has this normalized type (user, group, file, app...)' })),
  target_id: Type.Optional(Type.String({ minLength: 1, description: "one of the targets has this provider id" })),
  target_name: Type.Optional(Type.String({ minLength: 1, description: 'one of the targets has a name or email containing this text (case-insensitive)' })),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: "free text: the provider's raw record contains it (case-insensitive, plain text, no pattern); reads every record of the time range, so prefer `words` over long ranges" })),
  words: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: `whole words of the provider's raw record, all of them, in any order (case-insensitive; letters, digits and non-ASCII characters make a word, any other character separates words: "alice.smith@example.com" is the words alice, smith, example and com). Served by the raw record's word index: fast over months. At most ${MAX_RAW_WORDS} words` })),
};

/** The sort order and the format of a list of activities. */
export const ActivityListProperties = {
  sort: Type.Optional(Type.Enum(SORTS, { description: 'newest (default) or oldest first' })),
  format: Type.Optional(Type.Enum(EXPORT_FORMATS, { description: 'json (default): one page; ndjson or csv: every matching row, streamed, in the sort order (limit and cursor still apply when given: limit caps the rows)' })),
};

export interface ActivityFilters {
  words?: string;
  provider?: string; instance?: string; user?: string; action?: string; action_raw?: string; category?: string; outcome?: string;
  from?: string; to?: string;
  ip?: string; actor_type?: string; actor_name?: string; country?: string; city?: string; user_agent?: string; severity?: string;
  outcome_reason?: string; session_id?: string; request_id?: string; event_id?: string;
  target_type?: string; target_id?: string; target_name?: string; q?: string; sort?: Sort;
}

/**
 * The conditions of a request's activity filters, its time range checked (`from` defaults to
 * `defaultRangeMs` before `to`, `to` to now); 400 naming the parameter at fault.
 */
export function activityConditions(query: ActivityFilters, maxQueryRangeDays: number, params: Record<string, unknown> = {}, defaultRangeMs = DAY_MS): Conditions {
  const { from, to } = timeRangeOf(query, maxQueryRangeDays, defaultRangeMs);
  const where = new Conditions(params)
    .add('occurred_at >= {from:DateTime64(3)} AND occurred_at < {to:DateTime64(3)}', { from: formatDateTime64(from), to: formatDateTime64(to) })
    .equals('provider', 'provider', query.provider)
    .equals('instance', 'instance', query.instance)
    .equals('action', 'action', query.action)
    .equals('action_raw', 'action_raw', query.action_raw)
    .equals('category', 'category', query.category)
    .equals('outcome', 'outcome', query.outcome);
  if (query.user !== undefined) {
    // An email is the table's leading key (lower-cased); a provider id may be the key (actor without email) or only
    // actor_id, which the subjects table names (so that the primary key serves both).
    if (query.user.includes('@')) where.add('user_key = {user_key:String}', { user_key: query.user.toLowerCase() });
    else where.add(`${mentioning('{user:String}')} AND (user_key = {user:String} OR actor_id = {user:String})`, { user: query.user });
  }
  // A target id's events through the subjects table and the primary key (the exact test is added below).
  if (query.target_id !== undefined) where.add(mentioning('{target_id:String}'), { target_id: query.target_id });
  return addActivityFilters(where, query);
}

/** `from` and `to` of a request as epoch millis, checked; `to` defaults to now, `from` to `defaultRangeMs` before it. */
export function timeRangeOf(query: { from?: string; to?: string }, maxQueryRangeDays: number, defaultRangeMs = DAY_MS): { from: number; to: number } {
  const to = query.to === undefined ? Date.now() : parseTime(query.to, 'querystring', 'to');
  const from = query.from === undefined ? to - defaultRangeMs : parseTime(query.from, 'querystring', 'from');
  checkTimeRange(from, to, maxQueryRangeDays, 'querystring', 'api.maxQueryRangeDays');
  return { from, to };
}

/**
 * Adds the filters of `ActivityFilterProperties` other than the time range and the indexed ones to `where`. Every value is a bound parameter; text
 * searches are substring tests (`positionCaseInsensitiveUTF8`), never a pattern built from user text.
 */
export function addActivityFilters(where: Conditions, query: ActivityFilters): Conditions {
  addIpFilter(where, query.ip);
  where
    .equals('actor_type', 'actor_type', query.actor_type)
    .equals('severity', 'severity', query.severity)
    .equals('session_id', 'session_id', query.session_id)
    .equals('request_id', 'request_id', query.request_id)
    .equals('event_id', 'event_id', query.event_id);
  const contains = (column: string, param: string, value: string | undefined) => {
    if (value !== undefined) where.add(`positionCaseInsensitiveUTF8(ifNull(${column}, ''), {${param}:String}) > 0`, { [param]: value });
  };
  contains('actor_name', 'actor_name', query.actor_name);
  contains('user_agent', 'user_agent', query.user_agent);
  contains('outcome_reason', 'outcome_reason', query.outcome_reason);
  if (query.country !== undefined) where.add('lowerUTF8(ifNull(country, \'\')) = lowerUTF8({country:String})', { country: query.country });
  if (query.city !== undefined) where.add('lowerUTF8(ifNull(city, \'\')) = lowerUTF8({city:String})', { city: query.city });
  if (query.target_type !== undefined) where.add('has(target_types, {target_type:String})', { target_type: query.target_type });
  // Written as the bloom filter index of the catalogue indexes it, so that the index serves it.
  if (query.target_id !== undefined) where.add(`has(${TARGET_IDS_INDEXED}, {target_id:String})`, { target_id: query.target_id });
  if (query.target_name !== undefined) {
    where.add(`(arrayExists(n -> positionCaseInsensitiveUTF8(ifNull(n, ''), {target_name:String}) > 0, target_names)
      OR arrayExists(e -> positionCaseInsensitiveUTF8(ifNull(e, ''), {target_name:String}) > 0, target_emails))`, { target_name: query.target_name });
  }
  if (query.q !== undefined) {
    // The words q holds whole (between two separators) are whole words of any record containing q: the word index
    // narrows the scan to the records holding them, and the substring test decides.
    const whole = wholeWordsWithin(query.q);
    if (whole.length > 0) where.add(hasRawWords('q_words'), { q_words: whole });
    where.add('positionCaseInsensitiveUTF8(raw, {q:String}) > 0', { q: query.q });
  }
  if (query.words !== undefined) where.add(hasRawWords('raw_words'), { raw_words: wordsOf(query.words) });
  return where;
}

function wordsOf(text: string): string[] {
  const words = rawWords(text);
  if (words.length === 0) throw badRequest('words has no word: give letters or digits (any other character separates words)', 'words');
  if (words.length > MAX_RAW_WORDS) throw badRequest(`words has ${words.length} words; at most ${MAX_RAW_WORDS} are allowed`, 'words');
  return words;
}

/** `ORDER BY` of the sort order; ties broken by event_id in the same direction, so keyset pages neither skip nor repeat. */
export function activityOrder(sort: Sort | undefined): string {
  return sort === 'oldest' ? 'occurred_at ASC, event_id ASC' : 'occurred_at DESC, event_id DESC';
}

/** The keyset condition after the cursor's row, in the sort order. */
export function addActivityCursor(where: Conditions, cursor: string | undefined, sort: Sort | undefined): void {
  if (cursor === undefined) return;
  const [t, id] = decodeCursor(cursor, 2) as [string, string];
  const cursorTime = Date.parse(t);
  if (!Number.isFinite(cursorTime)) throw invalidCursor();
  const op = sort === 'oldest' ? '>' : '<';
  where.add(`(occurred_at, event_id) ${op} ({cursor_t:DateTime64(3)}, {cursor_id:String})`, { cursor_t: formatDateTime64(cursorTime), cursor_id: id });
}
