import { eventId } from '../../schemas/event-id.js';
import type { Actor, AuditEvent, AuditTarget } from '../../schemas/types.js';
import type { NormalizeContext } from '../contract.js';
import { looksLikeEmail, put, type Json } from '../runtime/json-fields.js';
import { ATTACHMENT_DOWNLOAD, OUTBOUND_CALL, SYSEVENTS, SYSEVENTS_ON_A_USER, auditMapping, auditTarget, syseventMapping, transactionMapping, type EventMapping } from './event-types.js';
import { failure, requireObject, requireTime, requireValue, value } from './fields.js';

/**
 * The tables whose rows are audit records. The activity streams are named after their table, and the
 * context says which stream read a row and the instance's time zone; a row without a stream (as
 * `appwarden normalize` reads one) is recognised by its columns, its times read in the zone given, else UTC.
 */
export const ACTIVITY_TABLES = ['sysevent', 'sys_audit', 'syslog_transaction', 'sys_outbound_http_log'] as const;
export type ActivityTable = (typeof ACTIVITY_TABLES)[number];

function tableOf(row: Json, stream: string | undefined): ActivityTable {
  if (stream !== undefined && (ACTIVITY_TABLES as readonly string[]).includes(stream)) return stream as ActivityTable;
  if ('tablename' in row && 'fieldname' in row) return 'sys_audit';
  if ('parm1' in row || ('name' in row && 'queue' in row)) return 'sysevent';
  if ('endpoint' in row && 'http_status' in row) return 'sys_outbound_http_log';
  if ('url' in row) return 'syslog_transaction';
  throw failure('(table)', `the row is none of ${ACTIVITY_TABLES.join(', ')} (its columns name none${stream === undefined ? '' : `, and stream ${JSON.stringify(stream)} is none of them`})`);
}

/**
 * One row of `sysevent` (sign-ins), `sys_audit` (changes to users, groups, roles, tokens),
 * `syslog_transaction` (a user's transactions) or `sys_outbound_http_log` → an AuditEvent. Pure.
 * Throws AW_NORMALIZE_FAILED naming the field when `sys_id`, the time or the table's key column is
 * missing or invalid.
 */
export function normalizeServiceNowActivity(raw: unknown, ctx: NormalizeContext): AuditEvent {
  const row = requireObject(raw, '(record)');
  const table = tableOf(row, ctx.stream);
  const zone = ctx.timeZone ?? 'UTC';
  const sysId = requireValue(row, 'sys_id');
  const base = {
    event_id: eventId('servicenow', ctx.instance, `${table}:${sysId}`),
    provider: 'servicenow' as const,
    instance: ctx.instance,
    occurred_at: requireTime(row, 'sys_created_on', zone),
    ingested_at: ctx.ingestedAt,
    raw: ctx.rawText ?? JSON.stringify(raw),
  };
  const attributes: Record<string, string> = { table };
  const parts = table === 'sysevent' ? sysevent(row, attributes)
    : table === 'sys_audit' ? audit(row, attributes)
      : table === 'syslog_transaction' ? transaction(row, attributes)
        : outbound(row, attributes);
  const { mapping, ...rest } = parts;
  return {
    ...base,
    category: mapping.category,
    action: mapping.action,
    class_uid: mapping.classUid,
    activity_id: mapping.activityId,
    severity: null,
    outcome_reason: null,
    session_id: null,
    request_id: null,
    source: { ip: null, user_agent: null, country: null, city: null },
    targets: [],
    ...rest,
    attributes,
  };
}

type Parts = Pick<AuditEvent, 'action_raw' | 'outcome' | 'actor'> & Partial<AuditEvent> & { mapping: EventMapping };

/** A user named by `user_name` (what these tables record), or the platform itself. */
function userActor(userName: string | null): Actor {
  if (userName === null) return { id: null, email: null, name: null, type: 'unknown' };
  if (userName === 'system' || userName === 'guest') return { id: userName, email: null, name: userName, type: 'system' };
  return { id: userName, email: looksLikeEmail(userName) ? userName : null, name: userName, type: 'user' };
}

const IP = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:.]+)$/i;

function sysevent(row: Json, attributes: Record<string, string>): Parts {
  const name = requireValue(row, 'name');
  const userName = value(row, 'parm1');
  const parm2 = value(row, 'parm2');
  const ip = parm2 !== null && IP.test(parm2) ? parm2 : null;
  for (const key of ['queue', 'state', 'processed', 'uri', 'instance', 'table', 'sys_created_by']) put(attributes, key, value(row, key));
  // Sign-ins name their user in parm1; an impersonation names the impersonator in parm1 and whom in parm2.
  const subject = SYSEVENTS_ON_A_USER.has(name) && ip === null ? parm2 : userName;
  if (subject !== userName) put(attributes, 'parm2', parm2);
  const target: AuditTarget = { type: 'user', type_raw: 'sys_user', id: subject, name: subject, email: looksLikeEmail(subject) ? subject : null };
  return {
    mapping: syseventMapping(name),
    action_raw: name,
    outcome: name.endsWith('.failed') ? 'failure' : Object.hasOwn(SYSEVENTS, name) ? 'success' : 'unknown',
    actor: userActor(userName ?? value(row, 'sys_created_by')),
    targets: subject === null ? [] : [target],
    source: { ip, user_agent: null, country: null, city: null },
  };
}

function audit(row: Json, attributes: Record<string, string>): Parts {
  const table = requireValue(row, 'tablename');
  const field = requireValue(row, 'fieldname');
  const oldValue = value(row, 'oldvalue');
  const newValue = value(row, 'newvalue');
  for (const key of ['tablename', 'fieldname', 'documentkey', 'oldvalue', 'newvalue', 'reason', 'record_checkpoint', 'internal_checkpoint']) put(attributes, key, value(row, key));
  const documentKey = value(row, 'documentkey');
  return {
    mapping: auditMapping(table, field, oldValue, newValue),
    action_raw: `${table}.${field}`,
    outcome: 'success',
    actor: userActor(value(row, 'user')),
    targets: [{ type: auditTarget(table), type_raw: table, id: documentKey, name: null, email: null }],
  };
}

function httpOutcome(status: string | null): AuditEvent['outcome'] {
  if (status === null || !/^\d{3}$/.test(status)) return 'unknown';
  return Number(status) < 400 ? 'success' : 'failure';
}

function transaction(row: Json, attributes: Record<string, string>): Parts {
  const url = requireValue(row, 'url');
  const type = value(row, 'type');
  for (const key of ['url', 'type', 'client_transaction', 'response_time', 'sql_time', 'output_length', 'http_status']) put(attributes, key, value(row, key));
  const mapping = transactionMapping(url);
  const download = mapping === ATTACHMENT_DOWNLOAD;
  const ip = value(row, 'remote_ip');
  return {
    mapping,
    action_raw: type === null ? 'transaction' : `transaction:${type}`,
    outcome: httpOutcome(value(row, 'http_status')),
    actor: userActor(value(row, 'sys_created_by')),
    targets: [{ type: download ? 'file' : 'url', type_raw: download ? 'sys_attachment' : 'url', id: url, name: null, email: null }],
    source: { ip: ip !== null && IP.test(ip) ? ip : null, user_agent: value(row, 'user_agent'), country: null, city: null },
    session_id: value(row, 'session'),
  };
}

function outbound(row: Json, attributes: Record<string, string>): Parts {
  const endpoint = requireValue(row, 'endpoint');
  const method = value(row, 'method');
  for (const key of ['endpoint', 'method', 'http_status', 'response_time', 'retry_count']) put(attributes, key, value(row, key));
  return {
    mapping: OUTBOUND_CALL,
    action_raw: method === null ? 'outbound_http' : `outbound_http:${method}`,
    outcome: httpOutcome(value(row, 'http_status')),
    actor: userActor(value(row, 'sys_created_by') ?? 'system'),
    targets: [{ type: 'url', type_raw: 'endpoint', id: endpoint, name: endpoint, email: null }],
  };
}
