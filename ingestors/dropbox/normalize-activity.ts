import { eventId } from '../../schemas/event-id.js';
import type { Actor, AuditEvent, AuditTarget } from '../../schemas/types.js';
import type { Outcome } from '../../schemas/vocabulary.js';
import type { NormalizeContext } from '../contract.js';
import { arr, fieldErrors, obj, put, str, type Json } from '../runtime/json-fields.js';
import { isoTime } from '../runtime/provider-time.js';
import { dropboxEventMapping, tagOf } from './event-types.js';
import { hash } from 'node:crypto';

const { failure, requireObject } = fieldErrors('dropbox');

/** JSON with its object keys sorted: the same record read twice (or from a file) has one text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const o = value as Json;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The provider id of a team_log event. Dropbox gives events no id: it is the event's time and a digest
 * of its whole content (keys sorted), so the same event read twice, by the pipeline or the CLI, gets
 * the same `event_id`.
 */
export function dropboxEventKey(e: Json, timestamp: string): string {
  return `${timestamp}:${hash('sha256', canonical(e), 'hex').slice(0, 32)}`;
}

/**
 * Maps one team_log event (an element of `team_log/get_events` `events`) to an AuditEvent. Pure.
 * Throws AW_NORMALIZE_FAILED naming `timestamp` or `event_type` when missing or invalid.
 */
export function normalizeDropboxEvent(raw: unknown, ctx: NormalizeContext): AuditEvent {
  const e = requireObject(raw, '(record)');
  const timestamp = str(e.timestamp);
  const occurredAt = isoTime(timestamp);
  if (timestamp === null || occurredAt === null) throw failure('timestamp', `timestamp ${JSON.stringify(e.timestamp) ?? 'undefined'} is not an ISO 8601 time`);
  const eventType = tagOf(e.event_type);
  if (eventType === null) throw failure('event_type', 'event_type[".tag"] is missing or not a string');
  const category = tagOf(e.event_category);
  const details = obj(e.details);
  const mapping = dropboxEventMapping(eventType, category, details);
  const origin = obj(e.origin);
  const geo = obj(origin?.geo_location);
  const access = obj(origin?.access_method);
  const endUser = obj(access?.end_user);

  return {
    event_id: eventId('dropbox', ctx.instance, dropboxEventKey(e, timestamp)),
    provider: 'dropbox',
    instance: ctx.instance,
    occurred_at: occurredAt,
    ingested_at: ctx.ingestedAt,
    category: mapping.category,
    action: mapping.action,
    action_raw: eventType,
    outcome: outcomeOf(eventType, details),
    outcome_reason: str(obj(details?.error_details)?.user_friendly_message) ?? str(details?.error_details),
    severity: null,
    actor: actorOf(obj(e.actor)),
    targets: targetsOf(e, details),
    source: { ip: str(geo?.ip_address), user_agent: null, country: str(geo?.country), city: str(geo?.city) },
    session_id: str(endUser?.session_id) ?? str(access?.session_id),
    request_id: str(access?.request_id),
    class_uid: mapping.classUid,
    activity_id: mapping.activityId,
    attributes: attributesOf(e, category, details, geo, access, endUser),
    raw: ctx.rawText ?? JSON.stringify(raw),
  };
}

/** The team log has no outcome field: failures are their own event types (`login_fail`, `sso_error`...). */
function outcomeOf(eventType: string, details: Json | null): Outcome {
  if (/(_fail|_error|_failed)$/.test(eventType)) return 'failure';
  if (details?.error_details !== undefined) return 'failure';
  return 'success';
}

/** A user as team_log writes them (`UserLogInfo`: team_member, non_team_member, organization_team_member). */
function userInfo(u: Json | null): { id: string | null; email: string | null; name: string | null } {
  return { id: str(u?.team_member_id) ?? str(u?.account_id), email: str(u?.email), name: str(u?.display_name) };
}

function actorOf(actor: Json | null): Actor {
  const tag = tagOf(actor);
  switch (tag) {
    case 'user':
    case 'admin':
      return { ...userInfo(obj(actor?.[tag])), type: 'user' };
    case 'app': {
      const app = obj(actor?.app);
      return { id: str(app?.app_id), email: null, name: str(app?.display_name), type: 'service' };
    }
    case 'reseller': {
      const reseller = obj(actor?.reseller);
      return { id: null, email: str(reseller?.reseller_email), name: str(reseller?.reseller_name), type: 'user' };
    }
    case 'dropbox':
      return { id: null, email: null, name: 'Dropbox', type: 'system' };
    case 'trusted_non_team_member': {
      return { ...userInfo(obj(actor?.trusted_non_team_member)), type: 'user' };
    }
    default:
      return { id: null, email: null, name: null, type: 'unknown' };
  }
}

function userTarget(u: Json | null, typeRaw: string | null): AuditTarget {
  const info = userInfo(u);
  return { type: 'user', type_raw: typeRaw, id: info.id, name: info.name, email: info.email };
}

/** What the event acted on: its assets (files, folders), participants (users, groups), app, and the member it concerns. */
function targetsOf(e: Json, details: Json | null): AuditTarget[] {
  const targets: AuditTarget[] = [];
  for (const asset of arr(e.assets).map(obj)) {
    const tag = tagOf(asset);
    const path = obj(asset?.path);
    const nsRelative = obj(path?.namespace_relative);
    const id = str(asset?.file_id) ?? (str(nsRelative?.ns_id) !== null ? `ns:${str(nsRelative?.ns_id)}${str(nsRelative?.relative_path) ?? ''}` : null);
    targets.push({
      type: tag === 'folder' ? 'folder' : tag === 'file' ? 'file' : 'other', type_raw: tag, id,
      name: str(asset?.display_name) ?? str(path?.contextual), email: null,
    });
  }
  for (const participant of arr(e.participants).map(obj)) {
    const group = obj(participant?.group);
    if (group !== null) {
      targets.push({ type: 'group', type_raw: 'group', id: str(group.group_id), name: str(group.display_name), email: null });
      continue;
    }
    const user = obj(participant?.user);
    if (user !== null) targets.push(userTarget(user, tagOf(user)));
  }
  const app = obj(details?.app_info);
  if (app !== null) targets.push({ type: 'app', type_raw: tagOf(app), id: str(app.app_id), name: str(app.display_name), email: null });
  const context = obj(e.context);
  if (tagOf(context) === 'team_member' || tagOf(context) === 'non_team_member') targets.push(userTarget(context, tagOf(context)));
  return targets;
}

function attributesOf(e: Json, category: string | null, details: Json | null, geo: Json | null, access: Json | null, endUser: Json | null): Record<string, string> {
  const attrs: Record<string, string> = {};
  put(attrs, 'event_category', category);
  put(attrs, 'description', obj(e.event_type)?.description);
  put(attrs, 'details_type', tagOf(details));
  put(attrs, 'involve_non_team_member', e.involve_non_team_member);
  put(attrs, 'context', tagOf(e.context));
  put(attrs, 'access_method', tagOf(access));
  put(attrs, 'end_user_client', tagOf(endUser));
  put(attrs, 'region', geo?.region);
  put(attrs, 'member_external_id', obj(e.context)?.member_external_id);
  put(attrs, 'new_value', tagOf(details?.new_value) ?? details?.new_value);
  put(attrs, 'previous_value', tagOf(details?.previous_value) ?? details?.previous_value);
  put(attrs, 'login_method', tagOf(details?.login_method));
  put(attrs, 'is_emm_managed', details?.is_emm_managed);
  put(attrs, 'shared_content_access_level', tagOf(details?.shared_content_access_level));
  put(attrs, 'shared_content_link', details?.shared_content_link);
  put(attrs, 'shared_link_visibility', tagOf(details?.new_value) === null ? tagOf(details?.shared_link_visibility) : null);
  put(attrs, 'new_owner_email', details?.new_owner_email);
  put(attrs, 'previous_owner_email', details?.previous_owner_email);
  put(attrs, 'used_rescue_code', details?.used_rescue_code);
  return attrs;
}
