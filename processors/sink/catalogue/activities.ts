import type { AuditEvent } from '../../../schemas/types.js';
import { DEDUP_SETTINGS, VERTICAL_MERGES, userKey } from './common.js';
import { RAW_WORDS_INDEX } from './raw-words.js';
import { defineTable } from './table.js';

/**
 * One row per AuditEvent. ORDER BY serves the main question, "one user's activity in a time range,
 * newest first" (optionally one provider/instance); event_id in the key makes a replay collapse.
 * A re-read whose time or user changed is another row: `activity_versions` (below) names the newest
 * of each event id, and every read goes through `latestActivities`.
 * `src_ip_v6` (IPv4 as ::ffff:a.b.c.d, unparsable → NULL) makes CIDR filters an index-assisted
 * range test: `src_ip_v6 BETWEEN tupleElement(IPv6CIDRToRange(toIPv6({net:String}), {bits:UInt8}), 1) AND …2`
 * (an IPv4 /n is the mapped /96+n).
 */
/** The target ids as their bloom filter indexes them (the engine's bloom filter takes no Nullable elements). */
export const TARGET_IDS_INDEXED = "arrayMap(x -> ifNull(x, ''), target_ids)";

export const ACTIVITIES = defineTable<AuditEvent>({
  name: 'activities',
  columns: [
    { name: 'event_id', type: 'String', path: 'event_id' },
    { name: 'provider', type: 'LowCardinality(String)', path: 'provider' },
    { name: 'instance', type: 'LowCardinality(String)', path: 'instance' },
    { name: 'occurred_at', type: "DateTime64(3, 'UTC')", path: 'occurred_at' },
    { name: 'ingested_at', type: "DateTime64(3, 'UTC')", path: 'ingested_at' },
    { name: 'category', type: 'LowCardinality(String)', path: 'category' },
    { name: 'action', type: 'LowCardinality(String)', path: 'action' },
    { name: 'action_raw', type: 'LowCardinality(String)', path: 'action_raw' },
    { name: 'outcome', type: 'LowCardinality(String)', path: 'outcome' },
    { name: 'outcome_reason', type: 'Nullable(String)', path: 'outcome_reason' },
    { name: 'severity', type: 'LowCardinality(Nullable(String))', path: 'severity' },
    { name: 'actor_id', type: 'Nullable(String)', path: 'actor.id' },
    { name: 'actor_email', type: 'Nullable(String)', path: 'actor.email' },
    { name: 'actor_name', type: 'Nullable(String)', path: 'actor.name' },
    { name: 'actor_type', type: 'LowCardinality(String)', path: 'actor.type' },
    { name: 'user_key', type: 'String', fill: (e) => userKey(e.actor) },
    { name: 'target_types', type: 'Array(LowCardinality(String))', path: 'targets[].type' },
    { name: 'target_types_raw', type: 'Array(Nullable(String))', path: 'targets[].type_raw', api: false },
    { name: 'target_ids', type: 'Array(Nullable(String))', path: 'targets[].id' },
    { name: 'target_names', type: 'Array(Nullable(String))', path: 'targets[].name' },
    { name: 'target_emails', type: 'Array(Nullable(String))', path: 'targets[].email', api: false },
    { name: 'src_ip', type: 'Nullable(String)', path: 'source.ip' },
    { name: 'src_ip_v6', type: 'Nullable(IPv6)', materialized: 'toIPv6OrNull(src_ip)' },
    { name: 'user_agent', type: 'Nullable(String)', path: 'source.user_agent' },
    { name: 'country', type: 'LowCardinality(Nullable(String))', path: 'source.country' },
    { name: 'city', type: 'Nullable(String)', path: 'source.city' },
    { name: 'session_id', type: 'Nullable(String)', path: 'session_id' },
    { name: 'request_id', type: 'Nullable(String)', path: 'request_id' },
    { name: 'class_uid', type: 'UInt32', path: 'class_uid' },
    { name: 'activity_id', type: 'UInt32', path: 'activity_id' },
    { name: 'attributes', type: 'Map(String, String)', path: 'attributes' },
    { name: 'raw', type: 'String', path: 'raw', api: 'optional', codec: 'ZSTD(3)' },
  ],
  indexes: [
    'idx_event_id event_id TYPE bloom_filter(0.01) GRANULARITY 4',
    'idx_occurred_at occurred_at TYPE minmax GRANULARITY 1',
    'idx_action action TYPE set(512) GRANULARITY 4',
    'idx_src_ip src_ip TYPE bloom_filter(0.01) GRANULARITY 4',
    'idx_src_ip_v6 src_ip_v6 TYPE minmax GRANULARITY 4',
    // Chosen by measurement (`npm run bench` prints the filter latencies; see bench/README.md).
    `idx_target_ids ${TARGET_IDS_INDEXED} TYPE bloom_filter(0.01) GRANULARITY 1`,
    // An inverted index of the raw record's words (the API's `words` filter): a word over months reads a few granules.
    RAW_WORDS_INDEX,
  ],
  engine: 'ReplacingMergeTree(ingested_at)',
  partitionBy: 'toYYYYMM(occurred_at)',
  orderBy: '(user_key, occurred_at, event_id)',
  // Every version of an event (another time or user on a re-read) on the shard of its id, as `activity_versions`.
  shardBy: 'event_id',
  ttl: ({ retentionDays }) => (retentionDays === undefined ? null : `toDateTime(occurred_at) + toIntervalDay(${retentionDays})`),
  settings: DEDUP_SETTINGS,
  mergeSettings: VERTICAL_MERGES,
  // Skip indexes are built by the background merges, not on insert: a raw text index made inserts about
  // 2.5 times slower (measured); every index still covers all but the newest small parts.
  insertSettings: { materialize_skip_indexes_on_insert: 0 },
});
