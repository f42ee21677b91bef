import type { GovernanceCommand, GovernanceResult } from '../../../schemas/types.js';
import { DEDUP_SETTINGS } from './common.js';
import { defineTable } from './table.js';

/** Every step of every governance command; a replayed step collapses, distinct steps stay. */
export const GOVERNANCE_LOG = defineTable<GovernanceResult>({
  name: 'governance_log',
  columns: [
    { name: 'command_id', type: 'String', path: 'command_id' },
    { name: 'status', type: 'LowCardinality(String)', path: 'status' },
    { name: 'provider', type: 'LowCardinality(String)', path: 'provider' },
    { name: 'instance', type: 'LowCardinality(String)', path: 'instance' },
    { name: 'action', type: 'LowCardinality(String)', path: 'action' },
    { name: 'target_type', type: 'LowCardinality(String)', path: 'target.type' },
    { name: 'target_id', type: 'String', path: 'target.id' },
    { name: 'target_name', type: 'Nullable(String)', path: 'target.name' },
    { name: 'attempt', type: 'UInt32', path: 'attempt' },
    { name: 'at', type: "DateTime64(3, 'UTC')", path: 'at' },
    { name: 'message', type: 'Nullable(String)', path: 'message' },
    { name: 'retriable', type: 'Bool', path: 'retriable' },
  ],
  engine: 'ReplacingMergeTree',
  partitionBy: 'toYYYYMM(at)',
  orderBy: '(command_id, at, attempt, status)',
  settings: DEDUP_SETTINGS,
});

/**
 * One row per governance command, as asked (params, policy, alert, who): the governance log's steps
 * say what became of it. An approve or retry message carries the same command again and collapses.
 */
export const GOVERNANCE_COMMANDS = defineTable<GovernanceCommand>({
  name: 'governance_commands',
  columns: [
    { name: 'command_id', type: 'String', path: 'command_id' },
    { name: 'created_at', type: "DateTime64(3, 'UTC')", path: 'created_at' },
    { name: 'provider', type: 'LowCardinality(String)', path: 'provider' },
    { name: 'instance', type: 'LowCardinality(String)', path: 'instance' },
    { name: 'action', type: 'LowCardinality(String)', path: 'action' },
    { name: 'target_type', type: 'LowCardinality(String)', path: 'target.type' },
    { name: 'target_id', type: 'String', path: 'target.id' },
    { name: 'target_name', type: 'Nullable(String)', path: 'target.name' },
    { name: 'params', type: 'Map(String, String)', path: 'params' },
    { name: 'policy_id', type: 'Nullable(String)', path: 'policy_id' },
    { name: 'alert_id', type: 'Nullable(String)', path: 'alert_id' },
    { name: 'requested_by', type: 'String', path: 'requested_by' },
    { name: 'mode', type: 'LowCardinality(String)', path: 'mode' },
    { name: 'requires_approval', type: 'Bool', path: 'requires_approval' },
  ],
  engine: 'ReplacingMergeTree(created_at)',
  orderBy: 'command_id',
  settings: DEDUP_SETTINGS,
});
