import { eventId } from '../../schemas/event-id.js';
import type { Actor, AuditEvent, AuditTarget } from '../../schemas/types.js';
import type { ActorType, TargetType } from '../../schemas/vocabulary.js';
import type { NormalizeContext } from '../contract.js';
import { fieldErrors, type Json, looksLikeEmail, obj, put, str } from '../runtime/json-fields.js';
import { isoTime } from '../runtime/provider-time.js';
import { boxEventMapping, boxOutcome, isBoxFailure } from './event-types.js';

const { failure, requireObject, requireString } = fieldErrors('box');

/** A Box id: a string, or a number where Box writes one (a Shield alert's user id). */
function idOf(value: unknown): string | null {
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : str(value);
}

/**
 * One Box enterprise event (an entry of `GET /events?stream_type=admin_logs`) → AuditEvent. Pure.
 * Throws AW_NORMALIZE_FAILED naming the field when `event_id`, `event_type` or `created_at` is missing or invalid.
 */
export function normalizeBoxEvent(raw: unknown, ctx: NormalizeContext): AuditEvent {
  const e = requireObject(raw, '(record)');
  const id = requireString(e, 'event_id');
  const eventType = requireString(e, 'event_type');
  const occurredAt = isoTime(e.created_at);
  if (occurredAt === null) throw failure('created_at', `created_at ${JSON.stringify(e.created_at) ?? 'undefined'} is not an ISO 8601 time`);
  const mapping = boxEventMapping(eventType);
  const details = obj(e.additional_details);
  const shield = obj(details?.shield_alert);
  return {
    event_id: eventId('box', ctx.instance, id),
    provider: 'box',
    instance: ctx.instance,
    occurred_at: occurredAt,
    ingested_at: ctx.ingestedAt,
    category: mapping.category,
    action: mapping.action,
    action_raw: eventType,
    outcome: boxOutcome(eventType, mapping),
    outcome_reason: isBoxFailure(eventType) ? eventType.toLowerCase() : null,
    severity: str(shield?.priority),
    actor: actorOf(obj(e.created_by)),
    targets: targetsOf(e, shield, enforcementOf(details)),
    source: { ip: str(e.ip_address), user_agent: null, country: null, city: null },
    session_id: str(e.session_id),
    request_id: null,
    class_uid: mapping.classUid,
    activity_id: mapping.activityId,
    attributes: attributesOf(e, details, shield),
    raw: ctx.rawText ?? JSON.stringify(raw),
  };
}

function actorOf(user: Json | null): Actor {
  const login = str(user?.login);
  let type: ActorType = 'unknown';
  if (user !== null) {
    // The platform app's service account signs in as AutomationUser_<service>_<id>@boxdevedition.com.
    if (login !== null && /^AutomationUser_/i.test(login)) type = 'service';
    else if (str(user.type) === 'user') type = 'user';
  }
  return { id: idOf(user?.id), email: looksLikeEmail(login) ? login : null, name: str(user?.name), type };
}

const ITEM_TYPES: Record<string, TargetType> = { file: 'file', folder: 'folder', web_link: 'url', user: 'user', group: 'group' };

function target(type: TargetType, typeRaw: string | null, id: string | null, name: string | null, email: string | null = null): AuditTarget {
  return { type, type_raw: typeRaw, id, name, email };
}

function userTarget(user: Json, typeRaw: string): AuditTarget {
  const login = str(user.login) ?? str(user.email);
  return target(str(user.type) === 'group' ? 'group' : 'user', str(user.type) ?? typeRaw, idOf(user.id), str(user.name), looksLikeEmail(login) ? login : null);
}

/** What a Shield block reports: `shield_download_enforcement` or `shield_external_collab_enforcement` (Box's Shield events guide). */
function enforcementOf(details: Json | null): Json | null {
  return obj(details?.shield_download_enforcement) ?? obj(details?.shield_external_collab_enforcement);
}

/**
 * What the event acted on: its `source` (an item, a user or group, or for collaborations the folder
 * and the collaborator), `accessible_by` (who was given access), the user a Shield alert names, and
 * the item and people a Shield block names (the item, the invitee, the user refused).
 */
function targetsOf(e: Json, shield: Json | null, enforcement: Json | null): AuditTarget[] {
  const out: AuditTarget[] = [];
  const source = obj(e.source);
  if (source !== null) {
    const type = str(source.type);
    if (type !== null && ITEM_TYPES[type] && (type === 'user' || type === 'group')) out.push(userTarget(source, type));
    else if (type !== null && ITEM_TYPES[type]) out.push(target(ITEM_TYPES[type]!, type, idOf(source.id), str(source.name)));
    else if (source.folder_id !== undefined) {
      out.push(target('folder', 'folder', idOf(source.folder_id), str(source.folder_name)));
      if (source.user_id !== undefined && !obj(e.accessible_by)) out.push(target('user', 'user', idOf(source.user_id), str(source.user_name)));
    } else if (source.file_id !== undefined) {
      out.push(target('file', 'file', idOf(source.file_id), str(source.file_name)));
    }
  }
  const accessibleBy = obj(e.accessible_by);
  if (accessibleBy !== null) out.push(userTarget(accessibleBy, 'accessible_by'));
  const alerted = obj(shield?.user);
  if (alerted !== null) {
    const email = str(alerted.email);
    out.push(target('user', 'shield_alert.user', idOf(alerted.id), str(alerted.name), looksLikeEmail(email) ? email : null));
  }
  const item = obj(enforcement?.item);
  const itemType = str(item?.type);
  if (item !== null && itemType !== null && ITEM_TYPES[itemType] && !out.some((t) => t.id === idOf(item.id) && t.type === ITEM_TYPES[itemType])) {
    out.push(target(ITEM_TYPES[itemType]!, itemType, idOf(item.id), str(item.name)));
  }
  for (const key of ['invitee', 'access_user']) {
    const user = obj(enforcement?.[key]);
    if (user !== null) out.push(userTarget(user, key));
  }
  return out;
}

function attributesOf(e: Json, details: Json | null, shield: Json | null): Record<string, string> {
  const attrs: Record<string, string> = {};
  put(attrs, 'recorded_at', e.recorded_at);
  const source = obj(e.source);
  put(attrs, 'owner_id', idOf(obj(source?.owned_by)?.id));
  put(attrs, 'owner_login', obj(source?.owned_by)?.login);
  put(attrs, 'parent_id', idOf(obj(source?.parent)?.id));
  put(attrs, 'parent_name', obj(source?.parent)?.name);
  put(attrs, 'item_status', source?.item_status);
  put(attrs, 'action_by_id', idOf(obj(e.action_by)?.id));
  put(attrs, 'action_by_login', obj(e.action_by)?.login);
  if (details !== null) {
    put(attrs, 'details_type', details.type);
    put(attrs, 'collab_id', idOf(details.collab_id));
    put(attrs, 'role', details.role);
    put(attrs, 'is_performed_by_admin', details.is_performed_by_admin);
    put(attrs, 'shared_link_id', details.shared_link_id);
    put(attrs, 'size', details.size);
    put(attrs, 'version_id', idOf(details.version_id));
  }
  if (shield !== null) {
    put(attrs, 'shield_rule_category', shield.rule_category);
    put(attrs, 'shield_rule_id', shield.rule_id);
    put(attrs, 'shield_rule_name', shield.rule_name);
    put(attrs, 'shield_risk_score', shield.risk_score);
    put(attrs, 'shield_alert_id', shield.alert_id);
    put(attrs, 'shield_link', shield.link);
  }
  return attrs;
}
