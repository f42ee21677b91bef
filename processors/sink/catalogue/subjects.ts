import type { TableOptions } from './table.js';

/**
 * Who and what each event names besides its actor's `user_key`: its target ids, its targets'
 * lower-cased emails and its actor's provider id. `activities` is sorted by user, so "events about this
 * person or this file" found no index: the mentions of one subject are spread over every granule, and a
 * bloom filter keeps nearly all of them (measured: ~1.2 s p50 for a timeline over 10M rows). This side
 * table, sorted by subject, names for one subject the `(user_key, occurred_at, event_id)` keys of its
 * events, which the primary key of `activities` finds directly. A materialized view fills it from every
 * insert into `activities` (the sink's, a backfill's); an existing data folder is filled once at start.
 * It only narrows a read: the read keeps its own exact condition (and `latestActivities`).
 */
const SUBJECTS = `arrayFilter(s -> s != '' AND s != user_key, arrayDistinct(arrayConcat(
    arrayMap(x -> ifNull(x, ''), target_ids),
    arrayMap(x -> lower(ifNull(x, '')), target_emails),
    [ifNull(actor_id, '')])))`;

const SELECT = `SELECT subject, occurred_at, event_id, user_key, provider, instance FROM activities ARRAY JOIN ${SUBJECTS} AS subject`;

export const ACTIVITY_SUBJECTS = {
  table: 'activity_subjects',
  view: 'activity_subjects_mv',
  ddl: ({ retentionDays }: TableOptions = {}) => `CREATE TABLE IF NOT EXISTS activity_subjects (
  subject String,
  occurred_at DateTime64(3, 'UTC'),
  event_id String,
  user_key String,
  provider LowCardinality(String),
  instance LowCardinality(String)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (subject, occurred_at, event_id, user_key)${retentionDays === undefined ? '' : `
TTL toDateTime(occurred_at) + toIntervalDay(${retentionDays})`}
SETTINGS non_replicated_deduplication_window = 10000`,
  /** What the view copies from each insert into `activities`. */
  select: SELECT,
  viewDdl: `CREATE MATERIALIZED VIEW IF NOT EXISTS activity_subjects_mv TO activity_subjects AS ${SELECT}`,
  /** Fills the table of an existing data folder (run once, when the table is new). */
  backfill: `INSERT INTO activity_subjects ${SELECT}`,
} as const;

/**
 * The events that name `{key:String}` (as their actor's user key, an actor id, a target id or a target's
 * lower-cased email) in `[{from}, {to})`, as a condition on `activities` that its primary key serves.
 * A superset: the read adds the exact condition it means.
 */
export function mentioning(key = '{key:String}', from = '{from:DateTime64(3)}', to = '{to:DateTime64(3)}'): string {
  return `(user_key = ${key} OR (user_key, occurred_at, event_id) IN (
    SELECT user_key, occurred_at, event_id FROM activity_subjects
    WHERE subject = ${key} AND occurred_at >= ${from} AND occurred_at < ${to}))`;
}
