/**
 * TypeScript shapes of the version-1 Avro schemas in `avro/`. Field names are the Avro field
 * names; timestamps are epoch milliseconds (`timestamp-millis`); `T | null` is `["null", T]`.
 * `types.test.ts` checks that each interface has exactly the schema's fields.
 */
import type {
  AccessLevel, AccountKind, AccountStatus, ActorType, AlertSeverity, AlertStatus, AuditAction, AuditCategory,
  CollaboratorType, FileChange, GovernanceMode, GovernanceStatus, Outcome, Provider, SubjectType, TargetType,
} from './vocabulary.js';

/** Epoch milliseconds, UTC. */
export type TimestampMillis = number;

export interface Actor {
  id: string | null;
  email: string | null;
  name: string | null;
  type: ActorType;
}

export interface AuditTarget {
  type: TargetType;
  type_raw: string | null;
  id: string | null;
  name: string | null;
  email: string | null;
}

export interface Source {
  ip: string | null;
  user_agent: string | null;
  country: string | null;
  city: string | null;
}

/** `dev.appwarden.AuditEvent`, on `<prefix>.audit`. */
export interface AuditEvent {
  event_id: string;
  provider: Provider;
  instance: string;
  occurred_at: TimestampMillis;
  ingested_at: TimestampMillis;
  category: AuditCategory;
  action: AuditAction;
  action_raw: string;
  outcome: Outcome;
  outcome_reason: string | null;
  severity: string | null;
  actor: Actor;
  targets: AuditTarget[];
  source: Source;
  session_id: string | null;
  request_id: string | null;
  class_uid: number;
  activity_id: number;
  attributes: Record<string, string>;
  raw: string;
}

export interface Subject {
  type: SubjectType;
  id: string;
  email: string | null;
  name: string | null;
}

export interface GroupRef {
  id: string;
  name: string | null;
}

export interface Privilege {
  id: string;
  name: string | null;
  type: string | null;
}

export interface AppGrant {
  id: string;
  name: string | null;
  scopes: string[];
}

/** `dev.appwarden.AccountEvent`, on `<prefix>.account`. */
export interface AccountEvent {
  record_id: string;
  provider: Provider;
  instance: string;
  observed_at: TimestampMillis;
  kind: AccountKind;
  subject: Subject;
  status: AccountStatus | null;
  status_raw: string | null;
  created_at: TimestampMillis | null;
  last_login_at: TimestampMillis | null;
  group: GroupRef | null;
  privilege: Privilege | null;
  app: AppGrant | null;
  deleted: boolean;
  attributes: Record<string, string>;
  raw: string;
}

export interface FileOwner {
  id: string | null;
  email: string | null;
  name: string | null;
}

export interface Collaborator {
  type: CollaboratorType;
  id: string | null;
  email: string | null;
  role: string;
}

export interface FileInfo {
  id: string;
  name: string;
  path: string | null;
  mime_type: string | null;
  size: number | null;
  owner: FileOwner | null;
  created_at: TimestampMillis | null;
  modified_at: TimestampMillis | null;
  access_level: AccessLevel;
  collaborators: Collaborator[];
  label: string | null;
  url: string | null;
}

/** `dev.appwarden.FileEvent`, on `<prefix>.file`. */
export interface FileEvent {
  record_id: string;
  provider: Provider;
  instance: string;
  observed_at: TimestampMillis;
  change: FileChange;
  file: FileInfo;
  attributes: Record<string, string>;
  raw: string;
}

/** `dev.appwarden.Alert`, on `<prefix>.alert`. */
export interface Alert {
  alert_id: string;
  policy_id: string;
  policy_version: number;
  title: string;
  severity: AlertSeverity;
  created_at: TimestampMillis;
  first_seen: TimestampMillis;
  last_seen: TimestampMillis;
  count: number;
  dedup_key: string;
  provider: Provider | null;
  instance: string | null;
  actor: Actor | null;
  event_ids: string[];
  status: AlertStatus;
  attributes: Record<string, string>;
}

export interface GovernanceTarget {
  type: string;
  id: string;
  name: string | null;
}

/** `dev.appwarden.GovernanceCommand`, on `<prefix>.governance.command`. */
export interface GovernanceCommand {
  command_id: string;
  created_at: TimestampMillis;
  provider: Provider;
  instance: string;
  action: string;
  target: GovernanceTarget;
  params: Record<string, string>;
  policy_id: string | null;
  alert_id: string | null;
  requested_by: string;
  mode: GovernanceMode;
  requires_approval: boolean;
}

/** `dev.appwarden.GovernanceResult`, on `<prefix>.governance.result`. */
export interface GovernanceResult {
  command_id: string;
  status: GovernanceStatus;
  provider: Provider;
  instance: string;
  action: string;
  target: GovernanceTarget;
  attempt: number;
  at: TimestampMillis;
  message: string | null;
  retriable: boolean;
}

/** Schema names (the `.avsc` file name without version) and the record each one carries. */
export interface SchemaRecords {
  'audit-event': AuditEvent;
  'account-event': AccountEvent;
  'file-event': FileEvent;
  alert: Alert;
  'governance-command': GovernanceCommand;
  'governance-result': GovernanceResult;
}

export type SchemaName = keyof SchemaRecords;
export type AnyRecord = SchemaRecords[SchemaName];
