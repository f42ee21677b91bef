import type { Alert } from '../../../schemas/types.js';
import { DEDUP_SETTINGS } from './common.js';
import { defineTable } from './table.js';

/** One row per alert id; a later last_seen (a grown count) replaces the earlier row. */
export const ALERTS = defineTable<Alert>({
  name: 'alerts',
  columns: [
    { name: 'alert_id', type: 'String', path: 'alert_id' },
    { name: 'policy_id', type: 'LowCardinality(String)', path: 'policy_id' },
    { name: 'policy_version', type: 'UInt32', path: 'policy_version' },
    { name: 'title', type: 'String', path: 'title' },
    { name: 'severity', type: 'LowCardinality(String)', path: 'severity' },
    { name: 'created_at', type: "DateTime64(3, 'UTC')", path: 'created_at' },
    { name: 'first_seen', type: "DateTime64(3, 'UTC')", path: 'first_seen' },
    { name: 'last_seen', type: "DateTime64(3, 'UTC')", path: 'last_seen' },
    { name: 'count', type: 'UInt64', path: 'count' },
    { name: 'dedup_key', type: 'String', path: 'dedup_key' },
    { name: 'provider', type: 'LowCardinality(Nullable(String))', path: 'provider' },
    { name: 'instance', type: 'LowCardinality(Nullable(String))', path: 'instance' },
    { name: 'actor_id', type: 'Nullable(String)', path: 'actor?.id' },
    { name: 'actor_email', type: 'Nullable(String)', path: 'actor?.email' },
    { name: 'actor_name', type: 'Nullable(String)', path: 'actor?.name' },
    { name: 'actor_type', type: 'LowCardinality(Nullable(String))', path: 'actor?.type' },
    { name: 'event_ids', type: 'Array(String)', path: 'event_ids' },
    { name: 'status', type: 'LowCardinality(String)', path: 'status' },
    { name: 'attributes', type: 'Map(String, String)', path: 'attributes' },
  ],
  engine: 'ReplacingMergeTree(last_seen)',
  orderBy: 'alert_id',
  settings: DEDUP_SETTINGS,
});

/** What a person set on an alert (`PATCH /v1/alerts/:id`). */
export interface AlertStatusChange {
  alert_id: string;
  status: string;
  note: string | null;
  changed_at: number;
  changed_by: string;
}

/**
 * Status changes made by people, kept apart from `alerts` so that a replay of an alert record
 * (status open) cannot bring an old status back: the latest change wins.
 */
export const ALERT_STATUS = defineTable<AlertStatusChange>({
  name: 'alert_status',
  columns: [
    { name: 'alert_id', type: 'String', path: 'alert_id' },
    { name: 'status', type: 'LowCardinality(String)', path: 'status' },
    { name: 'note', type: 'Nullable(String)', path: 'note' },
    { name: 'changed_at', type: "DateTime64(3, 'UTC')", path: 'changed_at' },
    { name: 'changed_by', type: 'String', path: 'changed_by' },
  ],
  engine: 'ReplacingMergeTree',
  orderBy: '(alert_id, changed_at)',
  settings: DEDUP_SETTINGS,
});
