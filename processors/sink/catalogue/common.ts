/**
 * Replays: every table is a ReplacingMergeTree whose ORDER BY identifies one record, so a record
 * written twice (a Kafka replay, a re-read trailing window) counts once under `FINAL` (or
 * `argMax`/`LIMIT 1 BY`). An insert carrying the same `insert_deduplication_token` as one of the
 * last 10000 blocks is dropped outright (`non_replicated_deduplication_window`); beyond that
 * window, and for replays cut into different batches, FINAL does the collapsing.
 */
export const DEDUP_SETTINGS = 'non_replicated_deduplication_window = 10000';

export { userKey } from '../../../schemas/keys.js';
