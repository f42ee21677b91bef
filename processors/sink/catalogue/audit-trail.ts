import type { AuditTrailEntry } from '../../../core/audit-trail.js';
import { DEDUP_SETTINGS } from './common.js';
import { defineTable } from './table.js';

/**
 * Every change made through the API or the CLI, as published on `<prefix>.audit_trail`. Rows are only
 * ever inserted (a replayed entry collapses by its id); no route updates or deletes them.
 */
export const AUDIT_TRAIL = defineTable<AuditTrailEntry>({
  name: 'audit_trail',
  columns: [
    { name: 'entry_id', type: 'String', path: 'entry_id' },
    { name: 'at', type: "DateTime64(3, 'UTC')", path: 'at', fill: (e) => Date.parse(e.at) },
    { name: 'actor_id', type: 'String', path: 'actor_id' },
    { name: 'actor_name', type: 'String', path: 'actor_name' },
    { name: 'actor_role', type: 'LowCardinality(String)', path: 'actor_role' },
    { name: 'ip', type: 'Nullable(String)', path: 'ip' },
    { name: 'action', type: 'LowCardinality(String)', path: 'action', description: 'the route (`PUT /v1/policies/:id`) or the CLI command' },
    { name: 'target', type: 'Nullable(String)', path: 'target' },
    { name: 'summary', type: 'String', path: 'summary' },
    { name: 'status', type: 'UInt16', path: 'status' },
  ],
  engine: 'ReplacingMergeTree',
  partitionBy: 'toYYYYMM(at)',
  orderBy: '(at, entry_id)',
  settings: DEDUP_SETTINGS,
});
