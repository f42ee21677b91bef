import { formatDateTime64 } from '../../core/clickhouse.js';
import { parseAuditTrailEntry } from '../../core/audit-trail.js';

export const AUDIT_TRAIL_TABLE = 'audit_trail';

/**
 * Every change made through the API or the CLI, as published on `<prefix>.audit_trail`. Rows are only
 * ever inserted (a replayed entry collapses by its id); no route updates or deletes them.
 */
export const AUDIT_TRAIL_DDL = `CREATE TABLE IF NOT EXISTS ${AUDIT_TRAIL_TABLE} (
  entry_id String,
  at DateTime64(3, 'UTC'),
  actor_id String,
  actor_name String,
  actor_role LowCardinality(String),
  ip Nullable(String),
  action LowCardinality(String),
  target Nullable(String),
  summary String,
  status UInt16
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (at, entry_id)
SETTINGS non_replicated_deduplication_window = 10000`;

/** The row of an audit trail message (JSON); throws when the message is not an entry. */
export function auditTrailMessageToRow(value: Buffer): Record<string, unknown> {
  const entry = parseAuditTrailEntry(value);
  return { ...entry, at: formatDateTime64(Date.parse(entry.at)) };
}
