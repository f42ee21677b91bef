/**
 * Replays: every table is a ReplacingMergeTree whose ORDER BY identifies one record, so a record
 * written twice (a Kafka replay, a re-read trailing window) counts once under `FINAL` (or
 * `argMax`/`LIMIT 1 BY`). An insert carrying the same `insert_deduplication_token` as one of the
 * last 10000 blocks is dropped outright (`non_replicated_deduplication_window`); beyond that
 * window, and for replays cut into different batches, FINAL does the collapsing.
 */
export const DEDUP_SETTINGS = 'non_replicated_deduplication_window = 10000';

/**
 * Merges a wide table column by column (vertical merge) whatever its parts' size. A horizontal merge
 * holds every column's read and write buffers at once: measured in embedded chdb, ~250 MB tracked for
 * `activities` parts of a few thousand rows, pages its allocator then keeps resident for a while
 * (the store's RSS rose after each); vertical: under 60 MB, at no measurable CPU cost (docs/soak-24min.md).
 */
export const VERTICAL_MERGES = 'vertical_merge_algorithm_min_rows_to_activate = 1';

export { userKey } from '../../../schemas/keys.js';
