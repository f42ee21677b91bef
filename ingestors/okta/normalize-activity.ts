import { eventId } from '../../schemas/event-id.js';
import type { Actor, AuditEvent, AuditTarget } from '../../schemas/types.js';
import type { ActorType, Outcome, TargetType } from '../../schemas/vocabulary.js';
import { attributeText, fieldErrors, looksLikeEmail, obj, str, type Json } from '../runtime/json-fields.js';
import { isoTime } from '../runtime/provider-time.js';
import { oktaEventMapping } from './event-types.js';

/** Where an audit record comes from and when we received it. */
export interface OktaAuditContext {
  instance: string;
  ingestedAt: number;
  /** The record's JSON text exactly as received; kept as `raw` byte for byte when given. */
  rawText?: string;
}

const { failure, requireObject } = fieldErrors('okta');

/**
 * Maps one Okta System Log LogEvent (an element of `GET /api/v1/logs`) to an AuditEvent. Pure.
 * Throws AW_NORMALIZE_FAILED with `details.field` when the record is not an object or its
 * `uuid`, `published` or `eventType` is missing or invalid.
 */
export function normalizeOktaLogEvent(raw: unknown, ctx: OktaAuditContext): AuditEvent {
  const e = requireObject(raw, '(record)');
  const uuid = e.uuid;
  if (typeof uuid !== 'string' || uuid === '') throw failure('uuid', 'uuid is missing or not a string');
  const eventType = e.eventType;
  if (typeof eventType !== 'string' || eventType === '') throw failure('eventType', 'eventType is missing or not a string');
  const occurredAt = isoTime(e.published);
  if (occurredAt === null) throw failure('published', `published ${JSON.stringify(e.published) ?? 'undefined'} is not an ISO 8601 time`);

  const mapping = oktaEventMapping(eventType);
  const outcome = obj(e.outcome);
  const client = obj(e.client);
  const geo = obj(client?.geographicalContext);
  const debugData = obj(obj(e.debugContext)?.debugData);
  const transaction = obj(e.transaction);
  const authContext = obj(e.authenticationContext);
  const severity = str(e.severity);

  return {
    event_id: eventId('okta', ctx.instance, uuid),
    provider: 'okta',
    instance: ctx.instance,
    occurred_at: occurredAt,
    ingested_at: ctx.ingestedAt,
    category: mapping.category,
    action: mapping.action,
    action_raw: eventType,
    outcome: mapOutcome(str(outcome?.result)),
    outcome_reason: str(outcome?.reason),
    severity: severity === null ? null : severity.toLowerCase(),
    actor: mapActor(obj(e.actor)),
    targets: Array.isArray(e.target) ? e.target.map(mapTarget) : [],
    source: {
      ip: str(client?.ipAddress),
      user_agent: str(obj(client?.userAgent)?.rawUserAgent),
      country: str(geo?.country),
      city: str(geo?.city),
    },
    session_id: str(authContext?.externalSessionId),
    request_id: str(debugData?.requestId) ?? str(transaction?.id),
    class_uid: mapping.classUid,
    activity_id: mapping.activityId,
    attributes: auditAttributes(e, client, debugData, transaction, authContext),
    raw: ctx.rawText ?? JSON.stringify(raw),
  };
}

function mapOutcome(result: string | null): Outcome {
  switch (result) {
    case 'SUCCESS':
    case 'ALLOW':
      return 'success';
    case 'FAILURE':
    case 'DENY':
      return 'failure';
    default: // CHALLENGE, UNKNOWN, SKIPPED, missing: Okta does not say how it ended.
      return 'unknown';
  }
}

function actorType(type: string | null): ActorType {
  if (type === 'User') return 'user';
  if (type === 'SystemPrincipal') return 'system';
  if (type !== null && /app|client|service/i.test(type)) return 'service';
  return 'unknown';
}

function mapActor(actor: Json | null): Actor {
  const alternateId = str(actor?.alternateId);
  return {
    id: str(actor?.id),
    email: alternateId !== null && looksLikeEmail(alternateId) ? alternateId : null,
    name: str(actor?.displayName),
    type: actorType(str(actor?.type)),
  };
}

// Okta's own spellings first (a direct hit), then lower-cased variants.
const TARGET_TYPES: Record<string, TargetType> = {
  User: 'user', AppUser: 'user', UserGroup: 'group', AppInstance: 'app', PublicClientApp: 'app',
  PolicyEntity: 'policy', PolicyRule: 'policy',
  user: 'user', appuser: 'user',
  usergroup: 'group', group: 'group', appgroup: 'group',
  appinstance: 'app', publicclientapp: 'app', application: 'app', client: 'app',
  policyentity: 'policy', policyrule: 'policy', policy: 'policy',
  role: 'role', customrole: 'role',
  code: 'token', token: 'token', access_token: 'token', id_token: 'token', refresh_token: 'token', apitoken: 'token',
  'url pattern': 'url', url: 'url',
  session: 'session', device: 'device',
};

function targetType(typeRaw: string | null): TargetType {
  if (typeRaw === null) return 'other';
  return TARGET_TYPES[typeRaw] ?? TARGET_TYPES[typeRaw.toLowerCase()] ?? 'other';
}

function mapTarget(raw: unknown): AuditTarget {
  const t = obj(raw);
  const typeRaw = str(t?.type);
  const alternateId = str(t?.alternateId);
  return {
    type: targetType(typeRaw),
    type_raw: typeRaw,
    id: str(t?.id),
    name: str(t?.displayName),
    email: alternateId !== null && looksLikeEmail(alternateId) ? alternateId : null,
  };
}

/** Okta facts worth querying that have no field of their own. */
function auditAttributes(e: Json, client: Json | null, debugData: Json | null, transaction: Json | null, authContext: Json | null): Record<string, string> {
  const attrs: Record<string, string> = {};
  let v: string | undefined;
  if ((v = attributeText(e.displayMessage)) !== undefined) attrs.display_message = v;
  if ((v = attributeText(transaction?.id)) !== undefined) attrs.transaction_id = v;
  if ((v = attributeText(transaction?.type)) !== undefined) attrs.transaction_type = v;
  if (debugData) {
    if ((v = attributeText(debugData.threatSuspected)) !== undefined) attrs.threat_suspected = v;
    if ((v = attributeText(debugData.requestUri)) !== undefined) attrs.request_uri = v;
    if ((v = attributeText(debugData.deviceFingerprint)) !== undefined) attrs.device_fingerprint = v;
    if ((v = attributeText(debugData.factor)) !== undefined) attrs.factor = v;
    if ((v = attributeText(debugData.behaviors)) !== undefined) attrs.behaviors = v;
    if ((v = attributeText(debugData.risk)) !== undefined) attrs.risk = v;
    if ((v = attributeText(debugData.privilegeGranted)) !== undefined) attrs.privilege_granted = v;
    if ((v = attributeText(debugData.requestedScopes)) !== undefined) attrs.requested_scopes = v;
    if ((v = attributeText(debugData.grantedScopes)) !== undefined) attrs.granted_scopes = v;
    if ((v = attributeText(debugData.grantType)) !== undefined) attrs.grant_type = v;
  }
  if (client) {
    if (client.zone !== 'null' && (v = attributeText(client.zone)) !== undefined) attrs.client_zone = v;
    if ((v = attributeText(client.device)) !== undefined) attrs.client_device = v;
    if ((v = attributeText(client.id)) !== undefined) attrs.client_id = v;
    const userAgent = obj(client.userAgent);
    if ((v = attributeText(userAgent?.os)) !== undefined) attrs.client_os = v;
    if ((v = attributeText(userAgent?.browser)) !== undefined) attrs.client_browser = v;
    if ((v = attributeText(obj(client.geographicalContext)?.state)) !== undefined) attrs.geo_state = v;
  }
  if (authContext) {
    if ((v = attributeText(authContext.authenticationProvider)) !== undefined) attrs.authentication_provider = v;
    if ((v = attributeText(authContext.credentialProvider)) !== undefined) attrs.credential_provider = v;
    if ((v = attributeText(authContext.credentialType)) !== undefined) attrs.credential_type = v;
    if ((v = attributeText(authContext.interface)) !== undefined) attrs.auth_interface = v;
  }
  const security = obj(e.securityContext);
  if (security) {
    if ((v = attributeText(security.asNumber)) !== undefined) attrs.as_number = v;
    if ((v = attributeText(security.asOrg)) !== undefined) attrs.as_org = v;
    if ((v = attributeText(security.isp)) !== undefined) attrs.isp = v;
    if ((v = attributeText(security.domain)) !== undefined) attrs.domain = v;
    if ((v = attributeText(security.isProxy)) !== undefined) attrs.is_proxy = v;
  }
  return attrs;
}
