import type { AccountEvent, AuditEvent, FileEvent } from '../../schemas/types.js';
import type {
  AccessLevel, AccountKind, AccountStatus, ActorType, AuditAction, AuditCategory, CollaboratorType, FileChange, Outcome, Provider,
  SubjectType, TargetType,
} from '../../schemas/vocabulary.js';

/**
 * Stored rows back to the records they were written from (the reverse of `auditEventToRow`,
 * `fileEventToRow` and `accountEventToRow`), for whoever replays history: the policy backtest.
 * Rows are as `ClickHouse.query` returns them (date-times as ISO strings).
 */

/** What to select from `activities` for `activityRowToAuditEvent`. */
export const AUDIT_EVENT_COLUMNS = `event_id, provider, instance, occurred_at, ingested_at, category, action, action_raw, outcome,
  outcome_reason, severity, actor_id, actor_email, actor_name, actor_type, target_types, target_types_raw, target_ids,
  target_names, target_emails, src_ip, user_agent, country, city, session_id, request_id, class_uid, activity_id, attributes, raw`;

/** An `activities` row as selected with AUDIT_EVENT_COLUMNS. */
export interface StoredActivityRow {
  event_id: string; provider: string; instance: string; occurred_at: string; ingested_at: string;
  category: string; action: string; action_raw: string; outcome: string; outcome_reason: string | null; severity: string | null;
  actor_id: string | null; actor_email: string | null; actor_name: string | null; actor_type: string;
  target_types: string[]; target_types_raw: Array<string | null>; target_ids: Array<string | null>;
  target_names: Array<string | null>; target_emails: Array<string | null>;
  src_ip: string | null; user_agent: string | null; country: string | null; city: string | null;
  session_id: string | null; request_id: string | null; class_uid: number; activity_id: number;
  attributes: Record<string, string>; raw: string;
}

/** The AuditEvent an `activities` row was written from; every field of the event is stored, so nothing is lost. */
export function activityRowToAuditEvent(row: StoredActivityRow): AuditEvent {
  return {
    event_id: row.event_id,
    provider: row.provider as Provider,
    instance: row.instance,
    occurred_at: Date.parse(row.occurred_at),
    ingested_at: Date.parse(row.ingested_at),
    category: row.category as AuditCategory,
    action: row.action as AuditAction,
    action_raw: row.action_raw,
    outcome: row.outcome as Outcome,
    outcome_reason: row.outcome_reason,
    severity: row.severity,
    actor: { id: row.actor_id, email: row.actor_email, name: row.actor_name, type: row.actor_type as ActorType },
    targets: row.target_types.map((type, i) => ({
      type: type as TargetType,
      type_raw: row.target_types_raw[i] ?? null,
      id: row.target_ids[i] ?? null,
      name: row.target_names[i] ?? null,
      email: row.target_emails[i] ?? null,
    })),
    source: { ip: row.src_ip, user_agent: row.user_agent, country: row.country, city: row.city },
    session_id: row.session_id,
    request_id: row.request_id,
    class_uid: row.class_uid,
    activity_id: row.activity_id,
    attributes: row.attributes,
    raw: row.raw,
  };
}

/** What to select from `files` for `fileRowToFileEvent`. */
export const FILE_EVENT_COLUMNS = `record_id, provider, instance, observed_at, change, file_id, name, path, mime_type, size, owner_id,
  owner_email, owner_name, created_at, modified_at, access_level, collaborator_types, collaborator_ids, collaborator_emails,
  collaborator_roles, label, url, attributes, raw`;

export interface StoredFileRow {
  record_id: string; provider: string; instance: string; observed_at: string; change: string;
  file_id: string; name: string; path: string | null; mime_type: string | null; size: number | null;
  owner_id: string | null; owner_email: string | null; owner_name: string | null;
  created_at: string | null; modified_at: string | null; access_level: string;
  collaborator_types: string[]; collaborator_ids: Array<string | null>; collaborator_emails: Array<string | null>; collaborator_roles: string[];
  label: string | null; url: string | null; attributes: Record<string, string>; raw: string;
}

/** The FileEvent a `files` row was written from (an owner whose fields are all null reads back as no owner). */
export function fileRowToFileEvent(row: StoredFileRow): FileEvent {
  const hasOwner = row.owner_id !== null || row.owner_email !== null || row.owner_name !== null;
  return {
    record_id: row.record_id,
    provider: row.provider as Provider,
    instance: row.instance,
    observed_at: Date.parse(row.observed_at),
    change: row.change as FileChange,
    file: {
      id: row.file_id,
      name: row.name,
      path: row.path,
      mime_type: row.mime_type,
      size: row.size,
      owner: hasOwner ? { id: row.owner_id, email: row.owner_email, name: row.owner_name } : null,
      created_at: time(row.created_at),
      modified_at: time(row.modified_at),
      access_level: row.access_level as AccessLevel,
      collaborators: row.collaborator_types.map((type, i) => ({
        type: type as CollaboratorType,
        id: row.collaborator_ids[i] ?? null,
        email: row.collaborator_emails[i] ?? null,
        role: row.collaborator_roles[i] ?? '',
      })),
      label: row.label,
      url: row.url,
    },
    attributes: row.attributes,
    raw: row.raw,
  };
}

/** What to select from `accounts` for `accountRowToAccountEvent`. */
export const ACCOUNT_EVENT_COLUMNS = `record_id, provider, instance, observed_at, kind, subject_type, subject_id, subject_email, subject_name,
  status, status_raw, created_at, last_login_at, group_id, group_name, privilege_id, privilege_name, privilege_type, app_id,
  app_name, app_scopes, deleted, attributes, raw`;

export interface StoredAccountRow {
  record_id: string; provider: string; instance: string; observed_at: string; kind: string;
  subject_type: string; subject_id: string; subject_email: string | null; subject_name: string | null;
  status: string | null; status_raw: string | null; created_at: string | null; last_login_at: string | null;
  group_id: string | null; group_name: string | null;
  privilege_id: string | null; privilege_name: string | null; privilege_type: string | null;
  app_id: string | null; app_name: string | null; app_scopes: string[];
  deleted: boolean | number; attributes: Record<string, string>; raw: string;
}

/** The AccountEvent an `accounts` row was written from (group, privilege and app are present when their id is). */
export function accountRowToAccountEvent(row: StoredAccountRow): AccountEvent {
  return {
    record_id: row.record_id,
    provider: row.provider as Provider,
    instance: row.instance,
    observed_at: Date.parse(row.observed_at),
    kind: row.kind as AccountKind,
    subject: { type: row.subject_type as SubjectType, id: row.subject_id, email: row.subject_email, name: row.subject_name },
    status: row.status as AccountStatus | null,
    status_raw: row.status_raw,
    created_at: time(row.created_at),
    last_login_at: time(row.last_login_at),
    group: row.group_id === null ? null : { id: row.group_id, name: row.group_name },
    privilege: row.privilege_id === null ? null : { id: row.privilege_id, name: row.privilege_name, type: row.privilege_type },
    app: row.app_id === null ? null : { id: row.app_id, name: row.app_name, scopes: row.app_scopes },
    deleted: Boolean(row.deleted),
    attributes: row.attributes,
    raw: row.raw,
  };
}

function time(iso: string | null): number | null {
  return iso === null ? null : Date.parse(iso);
}
