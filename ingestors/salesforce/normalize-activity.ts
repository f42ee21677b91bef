/**
 * The one normalizer of Salesforce audit records, whatever stream read them: LoginHistory and
 * SetupAuditTrail rows, Real-Time Event Monitoring stored events (LoginEvent, ApiEvent...) and
 * EventLogFile CSV rows (a JSON object of the row's columns, with the file's context under `attributes`).
 */
import { createHash } from 'node:crypto';
import { eventId } from '../../schemas/event-id.js';
import type { Actor, AuditEvent, AuditTarget } from '../../schemas/types.js';
import type { Outcome } from '../../schemas/vocabulary.js';
import type { NormalizeContext } from '../contract.js';
import { fieldErrors, looksLikeEmail, obj, put, snakeCase, str, type Json } from '../runtime/json-fields.js';
import { isoTime } from '../runtime/provider-time.js';
import { contentTransferMapping, logFileMapping, realTimeMapping, setupActionMapping, type SalesforceEventMapping } from './event-types.js';

const { failure, requireObject, requireString } = fieldErrors('salesforce');

export type ActivityKind = 'login_history' | 'setup_audit_trail' | 'real_time' | 'log_file_row';

/** Which record this is: by its sObject `attributes.type`, or by its fields when it has none (a sample, a CLI line). */
export function activityKind(e: Json): { kind: ActivityKind; objectType: string } | null {
  const type = str(obj(e.attributes)?.type);
  if (type === 'EventLogFile' || typeof e.EVENT_TYPE === 'string') return { kind: 'log_file_row', objectType: 'EventLogFile' };
  if (type === 'LoginHistory' || (type === null && 'LoginTime' in e)) return { kind: 'login_history', objectType: 'LoginHistory' };
  if (type === 'SetupAuditTrail' || (type === null && 'Action' in e && 'Section' in e)) return { kind: 'setup_audit_trail', objectType: 'SetupAuditTrail' };
  // Stored events (LoginEvent, ApiAnomalyEventStore), and platform events streamed or exported (LoginEventStream, FileEvent).
  if (type !== null && /(Event|EventStore|EventStream)$/.test(type)) return { kind: 'real_time', objectType: type };
  if (type === null && 'EventIdentifier' in e) {
    // A stored event without attributes (as exported): its fields say which.
    const objectType = 'LoginHistoryId' in e || 'LoginType' in e ? 'LoginEvent' : 'RealTimeEvent';
    return { kind: 'real_time', objectType };
  }
  return null;
}

/** Normalizes one Salesforce audit record; throws AW_NORMALIZE_FAILED naming the field at fault. */
export function normalizeSalesforceActivity(raw: unknown, ctx: NormalizeContext): AuditEvent {
  const e = requireObject(raw, '(record)');
  const kind = activityKind(e);
  if (kind === null) throw failure('attributes.type', 'the record is none of LoginHistory, SetupAuditTrail, a Real-Time Event Monitoring event or an EventLogFile row');
  switch (kind.kind) {
    case 'login_history': return loginHistory(e, ctx);
    case 'setup_audit_trail': return setupAuditTrail(e, ctx);
    case 'real_time': return realTimeEvent(e, kind.objectType, ctx);
    case 'log_file_row': return logFileRow(e, ctx);
  }
}

interface Parts {
  providerId: string;
  occurredAt: number;
  mapping: SalesforceEventMapping;
  actionRaw: string;
  outcome: Outcome;
  outcomeReason: string | null;
  actor: Actor;
  targets?: AuditTarget[];
  ip: string | null;
  userAgent?: string | null;
  country?: string | null;
  city?: string | null;
  sessionId?: string | null;
  requestId?: string | null;
  attributes: Record<string, string>;
}

function build(e: Json, ctx: NormalizeContext, p: Parts): AuditEvent {
  return {
    event_id: eventId('salesforce', ctx.instance, p.providerId),
    provider: 'salesforce',
    instance: ctx.instance,
    occurred_at: p.occurredAt,
    ingested_at: ctx.ingestedAt,
    category: p.mapping.category,
    action: p.mapping.action,
    action_raw: p.actionRaw,
    outcome: p.outcome,
    outcome_reason: p.outcomeReason,
    severity: null,
    actor: p.actor,
    targets: p.targets ?? [],
    source: { ip: p.ip, user_agent: p.userAgent ?? null, country: p.country ?? null, city: p.city ?? null },
    session_id: p.sessionId ?? null,
    request_id: p.requestId ?? null,
    class_uid: p.mapping.classUid,
    activity_id: p.mapping.activityId,
    attributes: p.attributes,
    raw: ctx.rawText ?? JSON.stringify(e),
  };
}

function requireTime(e: Json, key: string): number {
  const t = isoTime(e[key]);
  if (t === null) throw failure(key, `${key} ${JSON.stringify(e[key]) ?? 'undefined'} is not an ISO 8601 time`);
  return t;
}

function userActor(id: string | null, username: string | null, name: string | null = null): Actor {
  return { id, email: looksLikeEmail(username) ? username : null, name: name ?? username, type: id === null && username === null ? 'unknown' : 'user' };
}

/** LoginHistory `Status`: `Success`, or the reason it failed (`Invalid Password`, `Failed: ...`). */
function loginOutcome(status: string | null): { outcome: Outcome; reason: string | null } {
  if (status === null) return { outcome: 'unknown', reason: null };
  return status === 'Success' ? { outcome: 'success', reason: null } : { outcome: 'failure', reason: status };
}

function loginHistory(e: Json, ctx: NormalizeContext): AuditEvent {
  const id = requireString(e, 'Id');
  const occurredAt = requireTime(e, 'LoginTime');
  const { outcome, reason } = loginOutcome(str(e.Status));
  const attributes: Record<string, string> = {};
  for (const key of ['LoginType', 'Application', 'Browser', 'Platform', 'LoginUrl', 'ApiType', 'ApiVersion', 'AuthenticationServiceId', 'LoginGeoId', 'TlsProtocol', 'CipherSuite', 'CountryIso']) {
    put(attributes, snakeCase(key), e[key]);
  }
  return build(e, ctx, {
    providerId: `LoginHistory:${id}`, occurredAt, mapping: realTimeMapping('LoginEvent'), actionRaw: 'LoginHistory',
    outcome, outcomeReason: reason, actor: userActor(str(e.UserId), null), ip: str(e.SourceIp), userAgent: str(e.Browser),
    country: str(e.CountryIso), attributes,
  });
}

function setupAuditTrail(e: Json, ctx: NormalizeContext): AuditEvent {
  const id = requireString(e, 'Id');
  const action = requireString(e, 'Action');
  const occurredAt = requireTime(e, 'CreatedDate');
  const createdBy = obj(e.CreatedBy);
  const attributes: Record<string, string> = {};
  put(attributes, 'section', e.Section);
  put(attributes, 'display', e.Display);
  put(attributes, 'delegate_user', e.DelegateUser);
  put(attributes, 'created_by_context', e.CreatedByContext);
  put(attributes, 'created_by_issuer', e.CreatedByIssuer);
  put(attributes, 'namespace_prefix', e.ResponsibleNamespacePrefix);
  return build(e, ctx, {
    providerId: `SetupAuditTrail:${id}`, occurredAt, mapping: setupActionMapping(action), actionRaw: action,
    // The trail records changes that were made.
    outcome: 'success', outcomeReason: null,
    actor: userActor(str(e.CreatedById), str(createdBy?.Username), str(createdBy?.Name)),
    ip: null, attributes,
  });
}

function realTimeEvent(e: Json, objectType: string, ctx: NormalizeContext): AuditEvent {
  const identifier = requireString(e, 'EventIdentifier');
  const occurredAt = requireTime(e, 'EventDate');
  const status = str(e.Status);
  // Stored events other than logins have no Status: they record what was done.
  const { outcome, reason } = status === null && objectType !== 'LoginEvent' ? { outcome: 'success' as const, reason: null } : loginOutcome(status);
  const attributes: Record<string, string> = { object_type: objectType };
  for (const [key, value] of Object.entries(e)) {
    if (key === 'attributes' || key === 'EventIdentifier' || key === 'EventDate' || value === null || typeof value === 'object') continue;
    put(attributes, snakeCase(key), value);
  }
  const operation = str(e.Operation);
  const mapping = realTimeMapping(objectType, { operation, fileAction: str(e.FileAction) });
  const targets: AuditTarget[] = [];
  const recordId = str(e.RecordId) ?? str(e.ReportId) ?? str(e.DocumentId) ?? str(e.ListViewId);
  if (recordId !== null) targets.push({ type: mapping.category === 'file' ? 'file' : 'other', type_raw: objectType, id: recordId, name: str(e.Name) ?? str(e.FileName), email: null });
  return build(e, ctx, {
    providerId: `${objectType}:${identifier}`, occurredAt, mapping,
    actionRaw: operation === null ? objectType : `${objectType}:${operation}`, outcome, outcomeReason: reason,
    // A session hijacking detection names the address that took the session over as CurrentIp.
    actor: userActor(str(e.UserId), str(e.Username)), targets, ip: str(e.SourceIp) ?? str(e.CurrentIp), userAgent: str(e.Browser) ?? str(e.CurrentUserAgent),
    country: str(e.CountryIso) ?? str(e.Country), city: str(e.City), sessionId: str(e.SessionKey), requestId: str(e.RequestIdentifier), attributes,
  });
}

/** `20241026044641.024`, the TIMESTAMP column (UTC), when TIMESTAMP_DERIVED is absent. */
function logTimestamp(value: unknown): number | null {
  const m = typeof value === 'string' ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\.\d{1,3})?$/.exec(value) : null;
  if (!m) return null;
  return isoTime(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ?? ''}Z`);
}

/**
 * REQUEST_STATUS of log file rows: S success, F failure, U undefined, A authorization error, R redirect,
 * N not found; some types spell it out. LOGIN_STATUS of Login rows: LOGIN_NO_ERROR or the error code.
 */
function logOutcome(row: Json): { outcome: Outcome; reason: string | null } {
  const login = str(row.LOGIN_STATUS);
  if (login !== null) return login === 'LOGIN_NO_ERROR' ? { outcome: 'success', reason: null } : { outcome: 'failure', reason: login };
  const status = str(row.REQUEST_STATUS);
  if (status === 'S' || status === 'Success') return { outcome: 'success', reason: null };
  if (status === 'F' || status === 'A' || status === 'N' || status === 'Failed') return { outcome: 'failure', reason: status };
  const code = Number(str(row.STATUS_CODE));
  if (Number.isInteger(code) && code > 0) return code < 400 ? { outcome: 'success', reason: null } : { outcome: 'failure', reason: `HTTP ${code}` };
  return { outcome: 'unknown', reason: null };
}

/** A log file row's id: the file and the row number when the connector read it from a file, else its content (a sample line). */
function rowKey(row: Json): string {
  const file = obj(row.attributes);
  const fileId = str(file?.logFileId);
  const index = file?.row;
  if (fileId !== null && typeof index === 'number') return `EventLogFile:${fileId}:${index}`;
  const canonical = JSON.stringify(Object.keys(row).filter((k) => k !== 'attributes').sort().map((k) => [k, row[k]]));
  return `EventLogFileRow:${createHash('sha256').update(canonical).digest('hex').slice(0, 32)}`;
}

const ROW_CONTEXT = new Set(['attributes', 'EVENT_TYPE', 'TIMESTAMP', 'TIMESTAMP_DERIVED', 'USER_ID', 'USER_ID_DERIVED', 'USER_NAME', 'SOURCE_IP', 'CLIENT_IP', 'REQUEST_ID', 'SESSION_KEY']);

function logFileRow(row: Json, ctx: NormalizeContext): AuditEvent {
  const eventType = requireString(row, 'EVENT_TYPE');
  const occurredAt = isoTime(row.TIMESTAMP_DERIVED) ?? logTimestamp(row.TIMESTAMP);
  if (occurredAt === null) throw failure('TIMESTAMP', `neither TIMESTAMP_DERIVED ${JSON.stringify(row.TIMESTAMP_DERIVED)} nor TIMESTAMP ${JSON.stringify(row.TIMESTAMP)} is a time`);
  const mapping = eventType === 'ContentTransfer' ? contentTransferMapping(str(row.TRANSACTION_TYPE)) : logFileMapping(eventType);
  const { outcome, reason } = logOutcome(row);
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(row)) if (!ROW_CONTEXT.has(key)) put(attributes, key.toLowerCase(), value);
  const file = obj(row.attributes);
  put(attributes, 'log_file_id', file?.logFileId);
  put(attributes, 'log_file_interval', file?.interval);
  const userAgent = str(row.BROWSER_TYPE) ?? (/^\d+$/.test(str(row.USER_AGENT) ?? '0') ? null : str(row.USER_AGENT));
  const targets: AuditTarget[] = [];
  const entity = str(row.DOCUMENT_ID) ?? str(row.VERSION_ID) ?? str(row.REPORT_ID) ?? str(row.ENTITY_ID);
  if (entity !== null) targets.push({ type: mapping.category === 'file' ? 'file' : 'other', type_raw: eventType, id: entity, name: str(row.ENTITY_NAME), email: null });
  else if (str(row.URI) !== null) targets.push({ type: 'url', type_raw: 'URI', id: null, name: str(row.URI), email: null });
  return build(row, ctx, {
    providerId: rowKey(row), occurredAt, mapping, actionRaw: eventType, outcome, outcomeReason: reason,
    actor: userActor(str(row.USER_ID_DERIVED) ?? str(row.USER_ID), str(row.USER_NAME)), targets,
    ip: str(row.SOURCE_IP) ?? str(row.CLIENT_IP), userAgent, sessionId: str(row.SESSION_KEY), requestId: str(row.REQUEST_ID), attributes,
  });
}
