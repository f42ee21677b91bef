import { formatDateTime64, type ClickHouse } from '../../core/clickhouse.js';
import { AppwardenError } from '../../core/errors.js';
import { AUDIT_TRAIL_DDL, AUDIT_TRAIL_TABLE } from './audit-trail-table.js';
import type { AccountEvent, Actor, Alert, AuditEvent, FileEvent, GovernanceCommand, GovernanceResult } from '../../schemas/types.js';

/**
 * The activity trail's tables. Same DDL on chdb and on a server, created idempotently at start.
 *
 * Replays: every table is a ReplacingMergeTree whose ORDER BY identifies one record, so a record
 * written twice (a Kafka replay, a re-read trailing window) counts once under `FINAL` (or
 * `argMax`/`LIMIT 1 BY`). An insert carrying the same `insert_deduplication_token` as one of the
 * last 10000 blocks is dropped outright (`non_replicated_deduplication_window`); beyond that
 * window, and for replays cut into different batches, FINAL does the collapsing.
 *
 * Times are DateTime64(3, 'UTC'); they come back from `ClickHouse.query` as ISO strings.
 */
export const TABLES = {
  activities: 'activities',
  accounts: 'accounts',
  files: 'files',
  alerts: 'alerts',
  alertStatus: 'alert_status',
  governanceLog: 'governance_log',
  governanceCommands: 'governance_commands',
  auditTrail: AUDIT_TRAIL_TABLE,
} as const;

export interface TableOptions {
  /**
   * Activities older than this (by occurred_at) are dropped by ClickHouse; unset keeps them. Applied
   * when the table is created; changing it later takes an `ALTER TABLE activities MODIFY TTL`.
   */
  retentionDays?: number;
}

const DEDUP = 'non_replicated_deduplication_window = 10000';

/**
 * One row per AuditEvent. ORDER BY serves the main question, "one user's activity in a time range,
 * newest first" (optionally one provider/instance); event_id in the key makes a replay collapse.
 * `src_ip_v6` (IPv4 as ::ffff:a.b.c.d, unparsable → NULL) makes CIDR filters an index-assisted
 * range test: `src_ip_v6 BETWEEN tupleElement(IPv6CIDRToRange(toIPv6({net:String}), {bits:UInt8}), 1) AND …2`
 * (an IPv4 /n is the mapped /96+n).
 */
function activitiesDdl(retentionDays: number | undefined): string {
  const ttl = retentionDays === undefined ? '' : `\nTTL toDateTime(occurred_at) + toIntervalDay(${retentionDays})`;
  return `CREATE TABLE IF NOT EXISTS ${TABLES.activities} (
  event_id String,
  provider LowCardinality(String),
  instance LowCardinality(String),
  occurred_at DateTime64(3, 'UTC'),
  ingested_at DateTime64(3, 'UTC'),
  category LowCardinality(String),
  action LowCardinality(String),
  action_raw LowCardinality(String),
  outcome LowCardinality(String),
  outcome_reason Nullable(String),
  severity LowCardinality(Nullable(String)),
  actor_id Nullable(String),
  actor_email Nullable(String),
  actor_name Nullable(String),
  actor_type LowCardinality(String),
  user_key String,
  target_types Array(LowCardinality(String)),
  target_types_raw Array(Nullable(String)),
  target_ids Array(Nullable(String)),
  target_names Array(Nullable(String)),
  target_emails Array(Nullable(String)),
  src_ip Nullable(String),
  src_ip_v6 Nullable(IPv6) MATERIALIZED toIPv6OrNull(src_ip),
  user_agent Nullable(String),
  country LowCardinality(Nullable(String)),
  city Nullable(String),
  session_id Nullable(String),
  request_id Nullable(String),
  class_uid UInt32,
  activity_id UInt32,
  attributes Map(String, String),
  raw String CODEC(ZSTD(3)),
  INDEX idx_event_id event_id TYPE bloom_filter(0.01) GRANULARITY 4,
  INDEX idx_occurred_at occurred_at TYPE minmax GRANULARITY 1,
  INDEX idx_action action TYPE set(512) GRANULARITY 4,
  INDEX idx_src_ip src_ip TYPE bloom_filter(0.01) GRANULARITY 4,
  INDEX idx_src_ip_v6 src_ip_v6 TYPE minmax GRANULARITY 4
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (user_key, occurred_at, event_id)${ttl}
SETTINGS ${DEDUP}`;
}

/** Latest observed state per account object (user, group, membership, privilege, app grant). */
const ACCOUNTS_DDL = `CREATE TABLE IF NOT EXISTS ${TABLES.accounts} (
  record_id String,
  provider LowCardinality(String),
  instance LowCardinality(String),
  observed_at DateTime64(3, 'UTC'),
  kind LowCardinality(String),
  subject_type LowCardinality(String),
  subject_id String,
  subject_email Nullable(String),
  subject_name Nullable(String),
  user_key String,
  status LowCardinality(Nullable(String)),
  status_raw Nullable(String),
  created_at Nullable(DateTime64(3, 'UTC')),
  last_login_at Nullable(DateTime64(3, 'UTC')),
  group_id Nullable(String),
  group_name Nullable(String),
  privilege_id Nullable(String),
  privilege_name Nullable(String),
  privilege_type Nullable(String),
  app_id Nullable(String),
  app_name Nullable(String),
  app_scopes Array(String),
  deleted Bool,
  attributes Map(String, String),
  raw String CODEC(ZSTD(3)),
  INDEX idx_user_key user_key TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = ReplacingMergeTree(observed_at)
ORDER BY (provider, instance, kind, record_id)
SETTINGS ${DEDUP}`;

/** Latest observed state per file; `change = 'deleted'` marks a file that is gone. */
const FILES_DDL = `CREATE TABLE IF NOT EXISTS ${TABLES.files} (
  record_id String,
  provider LowCardinality(String),
  instance LowCardinality(String),
  observed_at DateTime64(3, 'UTC'),
  change LowCardinality(String),
  file_id String,
  name String,
  path Nullable(String),
  mime_type LowCardinality(Nullable(String)),
  size Nullable(UInt64),
  owner_id Nullable(String),
  owner_email Nullable(String),
  owner_name Nullable(String),
  created_at Nullable(DateTime64(3, 'UTC')),
  modified_at Nullable(DateTime64(3, 'UTC')),
  access_level LowCardinality(String),
  collaborator_types Array(LowCardinality(String)),
  collaborator_ids Array(Nullable(String)),
  collaborator_emails Array(Nullable(String)),
  collaborator_roles Array(String),
  label Nullable(String),
  url Nullable(String),
  attributes Map(String, String),
  raw String CODEC(ZSTD(3)),
  INDEX idx_owner_email owner_email TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = ReplacingMergeTree(observed_at)
ORDER BY (provider, instance, file_id)
SETTINGS ${DEDUP}`;

/** One row per alert id; a later last_seen (a grown count) replaces the earlier row. */
const ALERTS_DDL = `CREATE TABLE IF NOT EXISTS ${TABLES.alerts} (
  alert_id String,
  policy_id LowCardinality(String),
  policy_version UInt32,
  title String,
  severity LowCardinality(String),
  created_at DateTime64(3, 'UTC'),
  first_seen DateTime64(3, 'UTC'),
  last_seen DateTime64(3, 'UTC'),
  count UInt64,
  dedup_key String,
  provider LowCardinality(Nullable(String)),
  instance LowCardinality(Nullable(String)),
  actor_id Nullable(String),
  actor_email Nullable(String),
  actor_name Nullable(String),
  actor_type LowCardinality(Nullable(String)),
  event_ids Array(String),
  status LowCardinality(String),
  attributes Map(String, String)
)
ENGINE = ReplacingMergeTree(last_seen)
ORDER BY alert_id
SETTINGS ${DEDUP}`;

/**
 * Status changes made by people (`PATCH /v1/alerts/:id`), kept apart from `alerts` so that a replay
 * of an alert record (status open) cannot bring an old status back: the latest change wins.
 */
const ALERT_STATUS_DDL = `CREATE TABLE IF NOT EXISTS ${TABLES.alertStatus} (
  alert_id String,
  status LowCardinality(String),
  note Nullable(String),
  changed_at DateTime64(3, 'UTC'),
  changed_by String
)
ENGINE = ReplacingMergeTree
ORDER BY (alert_id, changed_at)
SETTINGS ${DEDUP}`;

/** Every step of every governance command; a replayed step collapses, distinct steps stay. */
const GOVERNANCE_LOG_DDL = `CREATE TABLE IF NOT EXISTS ${TABLES.governanceLog} (
  command_id String,
  status LowCardinality(String),
  provider LowCardinality(String),
  instance LowCardinality(String),
  action LowCardinality(String),
  target_type LowCardinality(String),
  target_id String,
  target_name Nullable(String),
  attempt UInt32,
  at DateTime64(3, 'UTC'),
  message Nullable(String),
  retriable Bool
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (command_id, at, attempt, status)
SETTINGS ${DEDUP}`;

/**
 * One row per governance command, as asked (params, policy, alert, who): the governance log's steps
 * say what became of it. An approve or retry message carries the same command again and collapses.
 */
const GOVERNANCE_COMMANDS_DDL = `CREATE TABLE IF NOT EXISTS ${TABLES.governanceCommands} (
  command_id String,
  created_at DateTime64(3, 'UTC'),
  provider LowCardinality(String),
  instance LowCardinality(String),
  action LowCardinality(String),
  target_type LowCardinality(String),
  target_id String,
  target_name Nullable(String),
  params Map(String, String),
  policy_id Nullable(String),
  alert_id Nullable(String),
  requested_by String,
  mode LowCardinality(String),
  requires_approval Bool
)
ENGINE = ReplacingMergeTree(created_at)
ORDER BY command_id
SETTINGS ${DEDUP}`;

/** Creates the trail's tables when missing; safe to call at every start, on either backend. */
export async function ensureTables(ch: ClickHouse, options: TableOptions = {}): Promise<void> {
  const { retentionDays } = options;
  if (retentionDays !== undefined && !(Number.isInteger(retentionDays) && retentionDays > 0)) {
    throw new AppwardenError('AW_CONFIG_INVALID', `retentionDays must be a positive integer, got ${retentionDays}`);
  }
  for (const ddl of [activitiesDdl(retentionDays), ACCOUNTS_DDL, FILES_DDL, ALERTS_DDL, ALERT_STATUS_DDL, GOVERNANCE_LOG_DDL, GOVERNANCE_COMMANDS_DDL, AUDIT_TRAIL_DDL]) {
    await ch.exec(ddl);
  }
}

/** What analysts filter by: the lower-cased email, else the provider's id, else ''. */
export function userKey(who: { email: string | null; id: string | null } | null): string {
  if (who?.email) return who.email.toLowerCase();
  return who?.id ?? '';
}

function time(ms: number): string;
function time(ms: number | null): string | null;
function time(ms: number | null): string | null {
  return ms === null ? null : formatDateTime64(ms);
}

// Row shapes are type aliases, not interfaces, so that they are assignable to Record<string, unknown>.
export type ActivityRow = {
  event_id: string;
  provider: string;
  instance: string;
  occurred_at: string;
  ingested_at: string;
  category: string;
  action: string;
  action_raw: string;
  outcome: string;
  outcome_reason: string | null;
  severity: string | null;
  actor_id: string | null;
  actor_email: string | null;
  actor_name: string | null;
  actor_type: string;
  user_key: string;
  target_types: string[];
  target_types_raw: (string | null)[];
  target_ids: (string | null)[];
  target_names: (string | null)[];
  target_emails: (string | null)[];
  src_ip: string | null;
  user_agent: string | null;
  country: string | null;
  city: string | null;
  session_id: string | null;
  request_id: string | null;
  class_uid: number;
  activity_id: number;
  attributes: Record<string, string>;
  raw: string;
};

/** An AuditEvent as an `activities` row (date-times as `'YYYY-MM-DD hh:mm:ss.sss'` UTC). */
export function auditEventToRow(e: AuditEvent): ActivityRow {
  return {
    event_id: e.event_id,
    provider: e.provider,
    instance: e.instance,
    occurred_at: time(e.occurred_at),
    ingested_at: time(e.ingested_at),
    category: e.category,
    action: e.action,
    action_raw: e.action_raw,
    outcome: e.outcome,
    outcome_reason: e.outcome_reason,
    severity: e.severity,
    actor_id: e.actor.id,
    actor_email: e.actor.email,
    actor_name: e.actor.name,
    actor_type: e.actor.type,
    user_key: userKey(e.actor),
    target_types: e.targets.map((t) => t.type),
    target_types_raw: e.targets.map((t) => t.type_raw),
    target_ids: e.targets.map((t) => t.id),
    target_names: e.targets.map((t) => t.name),
    target_emails: e.targets.map((t) => t.email),
    src_ip: e.source.ip,
    user_agent: e.source.user_agent,
    country: e.source.country,
    city: e.source.city,
    session_id: e.session_id,
    request_id: e.request_id,
    class_uid: e.class_uid,
    activity_id: e.activity_id,
    attributes: e.attributes,
    raw: e.raw,
  };
}

export type AccountRow = {
  record_id: string;
  provider: string;
  instance: string;
  observed_at: string;
  kind: string;
  subject_type: string;
  subject_id: string;
  subject_email: string | null;
  subject_name: string | null;
  user_key: string;
  status: string | null;
  status_raw: string | null;
  created_at: string | null;
  last_login_at: string | null;
  group_id: string | null;
  group_name: string | null;
  privilege_id: string | null;
  privilege_name: string | null;
  privilege_type: string | null;
  app_id: string | null;
  app_name: string | null;
  app_scopes: string[];
  deleted: boolean;
  attributes: Record<string, string>;
  raw: string;
};

export function accountEventToRow(e: AccountEvent): AccountRow {
  return {
    record_id: e.record_id,
    provider: e.provider,
    instance: e.instance,
    observed_at: time(e.observed_at),
    kind: e.kind,
    subject_type: e.subject.type,
    subject_id: e.subject.id,
    subject_email: e.subject.email,
    subject_name: e.subject.name,
    user_key: userKey(e.subject),
    status: e.status,
    status_raw: e.status_raw,
    created_at: time(e.created_at),
    last_login_at: time(e.last_login_at),
    group_id: e.group?.id ?? null,
    group_name: e.group?.name ?? null,
    privilege_id: e.privilege?.id ?? null,
    privilege_name: e.privilege?.name ?? null,
    privilege_type: e.privilege?.type ?? null,
    app_id: e.app?.id ?? null,
    app_name: e.app?.name ?? null,
    app_scopes: e.app?.scopes ?? [],
    deleted: e.deleted,
    attributes: e.attributes,
    raw: e.raw,
  };
}

export type FileRow = {
  record_id: string;
  provider: string;
  instance: string;
  observed_at: string;
  change: string;
  file_id: string;
  name: string;
  path: string | null;
  mime_type: string | null;
  size: number | null;
  owner_id: string | null;
  owner_email: string | null;
  owner_name: string | null;
  created_at: string | null;
  modified_at: string | null;
  access_level: string;
  collaborator_types: string[];
  collaborator_ids: (string | null)[];
  collaborator_emails: (string | null)[];
  collaborator_roles: string[];
  label: string | null;
  url: string | null;
  attributes: Record<string, string>;
  raw: string;
};

export function fileEventToRow(e: FileEvent): FileRow {
  const f = e.file;
  return {
    record_id: e.record_id,
    provider: e.provider,
    instance: e.instance,
    observed_at: time(e.observed_at),
    change: e.change,
    file_id: f.id,
    name: f.name,
    path: f.path,
    mime_type: f.mime_type,
    size: f.size,
    owner_id: f.owner?.id ?? null,
    owner_email: f.owner?.email ?? null,
    owner_name: f.owner?.name ?? null,
    created_at: time(f.created_at),
    modified_at: time(f.modified_at),
    access_level: f.access_level,
    collaborator_types: f.collaborators.map((c) => c.type),
    collaborator_ids: f.collaborators.map((c) => c.id),
    collaborator_emails: f.collaborators.map((c) => c.email),
    collaborator_roles: f.collaborators.map((c) => c.role),
    label: f.label,
    url: f.url,
    attributes: e.attributes,
    raw: e.raw,
  };
}

export type AlertRow = {
  alert_id: string;
  policy_id: string;
  policy_version: number;
  title: string;
  severity: string;
  created_at: string;
  first_seen: string;
  last_seen: string;
  count: number;
  dedup_key: string;
  provider: string | null;
  instance: string | null;
  actor_id: string | null;
  actor_email: string | null;
  actor_name: string | null;
  actor_type: string | null;
  event_ids: string[];
  status: string;
  attributes: Record<string, string>;
};

export function alertToRow(a: Alert): AlertRow {
  const actor: Actor | null = a.actor;
  return {
    alert_id: a.alert_id,
    policy_id: a.policy_id,
    policy_version: a.policy_version,
    title: a.title,
    severity: a.severity,
    created_at: time(a.created_at),
    first_seen: time(a.first_seen),
    last_seen: time(a.last_seen),
    count: a.count,
    dedup_key: a.dedup_key,
    provider: a.provider,
    instance: a.instance,
    actor_id: actor?.id ?? null,
    actor_email: actor?.email ?? null,
    actor_name: actor?.name ?? null,
    actor_type: actor?.type ?? null,
    event_ids: a.event_ids,
    status: a.status,
    attributes: a.attributes,
  };
}

export type GovernanceLogRow = {
  command_id: string;
  status: string;
  provider: string;
  instance: string;
  action: string;
  target_type: string;
  target_id: string;
  target_name: string | null;
  attempt: number;
  at: string;
  message: string | null;
  retriable: boolean;
};

export function governanceResultToRow(r: GovernanceResult): GovernanceLogRow {
  return {
    command_id: r.command_id,
    status: r.status,
    provider: r.provider,
    instance: r.instance,
    action: r.action,
    target_type: r.target.type,
    target_id: r.target.id,
    target_name: r.target.name,
    attempt: r.attempt,
    at: time(r.at),
    message: r.message,
    retriable: r.retriable,
  };
}

export type GovernanceCommandRow = {
  command_id: string;
  created_at: string;
  provider: string;
  instance: string;
  action: string;
  target_type: string;
  target_id: string;
  target_name: string | null;
  params: Record<string, string>;
  policy_id: string | null;
  alert_id: string | null;
  requested_by: string;
  mode: string;
  requires_approval: boolean;
};

export function governanceCommandToRow(c: GovernanceCommand): GovernanceCommandRow {
  return {
    command_id: c.command_id,
    created_at: time(c.created_at),
    provider: c.provider,
    instance: c.instance,
    action: c.action,
    target_type: c.target.type,
    target_id: c.target.id,
    target_name: c.target.name,
    params: c.params,
    policy_id: c.policy_id,
    alert_id: c.alert_id,
    requested_by: c.requested_by,
    mode: c.mode,
    requires_approval: c.requires_approval,
  };
}
