import { eventId } from '../../schemas/event-id.js';
import type { Actor, AuditEvent, AuditTarget } from '../../schemas/types.js';
import type { ActorType, Outcome, TargetType } from '../../schemas/vocabulary.js';
import type { NormalizeContext } from '../contract.js';
import { googleEventMapping } from './event-types.js';
import { fieldErrors, type Json, looksLikeEmail, obj, put, str } from '../runtime/json-fields.js';
import { isoTimeOrNever } from '../runtime/provider-time.js';

const { failure, requireObject } = fieldErrors('google_workspace');

/**
 * One event of a Reports API activity. An activity (`items[]` of activities.list) may hold several
 * events (a Drive `edit` and the `change_user_access` it came with); each becomes one AuditEvent.
 */
export interface ActivityEventItem {
  activity: unknown;
  eventIndex: number;
}

/** The events of an activity as items; a record without a usable `events` list gives one item, which fails to normalize. */
export function explodeActivity(raw: unknown): ActivityEventItem[] {
  const events = obj(raw)?.events;
  if (!Array.isArray(events) || events.length === 0) return [{ activity: raw, eventIndex: 0 }];
  return events.map((_, eventIndex) => ({ activity: raw, eventIndex }));
}

/** Every event of one activity, in order (what `appwarden normalize` writes for a line). */
export function normalizeGoogleActivity(raw: unknown, ctx: NormalizeContext): AuditEvent[] {
  return explodeActivity(raw).map((item) => normalizeGoogleActivityEvent(item.activity, item.eventIndex, ctx));
}

/**
 * Maps event `eventIndex` of one Reports API activity to an AuditEvent. Pure. The event id is made
 * of the activity's unique id (application, `id.time`, `id.uniqueQualifier`) and the event's index
 * and name, so a re-read never doubles it. `raw` is the whole activity. Throws AW_NORMALIZE_FAILED
 * naming the field when the record is not an object, or its `id` or the event is missing or invalid.
 */
export function normalizeGoogleActivityEvent(raw: unknown, eventIndex: number, ctx: NormalizeContext): AuditEvent {
  const activity = requireObject(raw, '(record)');
  const id = requireObject(activity.id, 'id');
  const timeText = id.time;
  const occurredAt = isoTimeOrNever(timeText);
  if (occurredAt === null) throw failure('id.time', `id.time ${JSON.stringify(timeText) ?? 'undefined'} is not an RFC 3339 time`);
  const uniqueQualifier = typeof id.uniqueQualifier === 'number' ? String(id.uniqueQualifier) : str(id.uniqueQualifier);
  if (uniqueQualifier === null) throw failure('id.uniqueQualifier', 'id.uniqueQualifier is missing');
  const application = str(id.applicationName);
  if (application === null) throw failure('id.applicationName', 'id.applicationName is missing');
  const events = activity.events;
  if (!Array.isArray(events) || events.length === 0) throw failure('events', 'events is missing or empty');
  const event = obj(events[eventIndex]);
  const field = `events[${eventIndex}]`;
  if (event === null) throw failure(field, `${field} is not a JSON object`);
  const name = str(event.name);
  if (name === null) throw failure(`${field}.name`, `${field}.name is missing`);

  const params = readParameters(event.parameters);
  const param = (key: string): string | null => params.get(key) ?? null;
  const mapping = googleEventMapping(application, name, param);
  const [outcome, outcomeReason] = outcomeOf(application, name, param);
  const network = obj(activity.networkInfo);

  return {
    event_id: eventId('google_workspace', ctx.instance, [application, String(timeText), uniqueQualifier, eventIndex, name].join('/')),
    provider: 'google_workspace',
    instance: ctx.instance,
    occurred_at: occurredAt,
    ingested_at: ctx.ingestedAt,
    category: mapping.category,
    action: mapping.action,
    action_raw: name,
    outcome,
    outcome_reason: outcomeReason,
    severity: null,
    actor: actorOf(obj(activity.actor)),
    targets: targetsOf(params),
    source: { ip: str(activity.ipAddress), user_agent: null, country: str(network?.regionCode), city: null },
    session_id: null,
    request_id: null,
    class_uid: mapping.classUid,
    activity_id: mapping.activityId,
    attributes: attributesOf(activity, id, event, params, eventIndex, events.length, uniqueQualifier, application),
    raw: ctx.rawText ?? JSON.stringify(raw),
  };
}

/** Parameters as strings: `value`, `intValue` (a string in JSON), `boolValue`, lists joined by commas, messages as JSON. */
function readParameters(list: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!Array.isArray(list)) return out;
  for (const entry of list) {
    const p = obj(entry);
    const name = str(p?.name);
    if (!p || name === null) continue;
    const value = p.value ?? p.intValue ?? p.boolValue ?? p.multiValue ?? p.multiIntValue ?? p.messageValue ?? p.multiMessageValue;
    let text: string | null = null;
    if (typeof value === 'string') text = value;
    else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) text = value.join(',');
    else if (value !== undefined && value !== null) text = JSON.stringify(value);
    if (text !== null) out.set(name, text);
  }
  return out;
}

/** Only some events say how they ended; everything else is `unknown`. */
function outcomeOf(application: string, name: string, param: (key: string) => string | null): [Outcome, string | null] {
  if (application === 'login' || application === 'saml') {
    if (name === 'login_success') return ['success', null];
    if (name === 'login_failure') return ['failure', param('login_failure_type') ?? param('failure_type') ?? param('saml_status_code')];
  }
  if (application === 'login') {
    if (name === 'logout') return ['success', null];
    if (name === 'login_challenge' || name === 'login_verification') {
      const status = param('login_challenge_status') ?? '';
      if (/pass/i.test(status)) return ['success', null];
      if (/fail/i.test(status)) return ['failure', status];
    }
  }
  if (application === 'chrome' && name === 'CHROME_OS_LOGIN_FAILURE_EVENT') return ['failure', param('LOGIN_FAILURE_REASON')];
  if (application === 'context_aware_access') return ['failure', name.toLowerCase()]; // both of its events are denials
  return ['unknown', null];
}

function actorOf(actor: Json | null): Actor {
  const email = str(actor?.email);
  const callerType = str(actor?.callerType);
  const key = str(actor?.key);
  let type: ActorType = 'unknown';
  if (callerType === 'USER' || (callerType === null && email !== null)) type = 'user';
  else if (callerType === 'KEY') type = key === 'SYSTEM' ? 'system' : 'service';
  return { id: str(actor?.profileId), email, name: key, type };
}

interface TargetRule {
  param: string;
  type: TargetType;
  /** Where the value goes: an email (or an id when it is not one), an id, or a name. */
  as: 'email' | 'id' | 'name';
  /** A parameter holding the target's name beside its id. */
  nameParam?: string;
}

// Parameters that name what an event acted on, across applications.
const TARGET_RULES: TargetRule[] = [
  { param: 'USER_EMAIL', type: 'user', as: 'email' },
  { param: 'GROUP_EMAIL', type: 'group', as: 'email' },
  { param: 'ROLE_NAME', type: 'role', as: 'name' },
  { param: 'APP_ID', type: 'app', as: 'id', nameParam: 'APPLICATION_NAME' },
  { param: 'target_user', type: 'user', as: 'email' },
  { param: 'affected_email_address', type: 'user', as: 'email' },
  { param: 'user_email', type: 'user', as: 'email' },
  { param: 'group_email', type: 'group', as: 'email' },
  { param: 'group_id', type: 'group', as: 'email' },
  { param: 'client_id', type: 'app', as: 'id', nameParam: 'app_name' },
  { param: 'application_name', type: 'app', as: 'name' },
  { param: 'DEVICE_ID', type: 'device', as: 'id', nameParam: 'DEVICE_MODEL' },
  { param: 'email_forwarding_destination_address', type: 'other', as: 'email' },
];

function targetsOf(params: Map<string, string>): AuditTarget[] {
  const targets: AuditTarget[] = [];
  const docId = params.get('doc_id');
  if (docId !== undefined) {
    const docType = params.get('doc_type') ?? null;
    targets.push({ type: docType === 'folder' ? 'folder' : 'file', type_raw: docType, id: docId, name: params.get('doc_title') ?? null, email: null });
  }
  const memberId = params.get('member_id');
  if (memberId !== undefined) {
    const memberType = params.get('member_type') ?? null;
    const type: TargetType = memberType === 'group' ? 'group' : 'user';
    targets.push(looksLikeEmail(memberId)
      ? { type, type_raw: memberType ?? 'member_id', id: null, name: null, email: memberId }
      : { type, type_raw: memberType ?? 'member_id', id: memberId, name: null, email: null });
  }
  for (const rule of TARGET_RULES) {
    const value = params.get(rule.param);
    if (value === undefined || value === '') continue;
    const name = rule.nameParam ? params.get(rule.nameParam) ?? null : null;
    if (rule.as === 'email' && looksLikeEmail(value)) targets.push({ type: rule.type, type_raw: rule.param, id: null, name, email: value });
    else if (rule.as === 'name') targets.push({ type: rule.type, type_raw: rule.param, id: null, name: value, email: null });
    else targets.push({ type: rule.type, type_raw: rule.param, id: value, name, email: null });
  }
  return targets;
}

/** Google facts worth querying that have no field of their own: the event's parameters (lower-cased names) and the activity's ids. */
function attributesOf(
  activity: Json, id: Json, event: Json, params: Map<string, string>, eventIndex: number, eventCount: number,
  uniqueQualifier: string, application: string,
): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const [name, value] of params) attrs[name.toLowerCase()] = value;
  // Set after the parameters: these names are ours and must not be overwritten by one.
  put(attrs, 'application', application);
  put(attrs, 'event_type', event.type);
  attrs.event_index = String(eventIndex);
  attrs.event_count = String(eventCount);
  attrs.unique_qualifier = uniqueQualifier;
  put(attrs, 'customer_id', id.customerId);
  put(attrs, 'owner_domain', activity.ownerDomain);
  const actor = obj(activity.actor);
  put(attrs, 'caller_type', actor?.callerType);
  const network = obj(activity.networkInfo);
  put(attrs, 'subdivision_code', network?.subdivisionCode);
  if (Array.isArray(network?.ipAsn)) attrs.ip_asn = network.ipAsn.join(',');
  return attrs;
}
