import { OCSF_ACTIVITY as A, OCSF_CLASS as C } from '../../schemas/ocsf.js';
import { eventId } from '../../schemas/event-id.js';
import type { Actor, AuditEvent, AuditTarget } from '../../schemas/types.js';
import type { AuditCategory, Outcome, TargetType } from '../../schemas/vocabulary.js';
import type { NormalizeContext } from '../contract.js';
import { arr, type Json, looksLikeEmail, num, obj, snakeCase } from '../runtime/json-fields.js';
import { isoTime } from '../runtime/provider-time.js';
import { failure, put, requireObject, requireString, str } from './fields.js';
import { isKnownOperation, operationMapping, type OperationMapping } from './operations.js';

/**
 * Maps one Microsoft Graph sign-in (`GET /auditLogs/signIns`, a `signIn`) to an AuditEvent. Pure.
 * Throws AW_NORMALIZE_FAILED naming `id` or `createdDateTime` when missing or invalid.
 */
export function normalizeGraphSignIn(raw: unknown, ctx: NormalizeContext): AuditEvent {
  const e = requireObject(raw, '(record)');
  const id = requireString(e, 'id');
  const occurredAt = isoTime(e.createdDateTime);
  if (occurredAt === null) throw failure('createdDateTime', `createdDateTime ${JSON.stringify(e.createdDateTime) ?? 'undefined'} is not an ISO 8601 time`);
  const status = obj(e.status);
  const errorCode = num(status?.errorCode);
  const outcome: Outcome = errorCode === null ? 'unknown' : errorCode === 0 ? 'success' : 'failure';
  const location = obj(e.location);
  const device = obj(e.deviceDetail);
  const userId = str(e.userId);
  const upn = str(e.userPrincipalName);
  const targets: AuditTarget[] = [];
  if (str(e.appId) !== null || str(e.appDisplayName) !== null) {
    targets.push({ type: 'app', type_raw: 'Application', id: str(e.appId), name: str(e.appDisplayName), email: null });
  }
  if (str(e.resourceId) !== null || str(e.resourceDisplayName) !== null) {
    targets.push({ type: 'app', type_raw: 'Resource', id: str(e.resourceId), name: str(e.resourceDisplayName), email: null });
  }
  const attrs: Record<string, string> = { source_api: 'graph.signIns' };
  for (const key of ['clientAppUsed', 'conditionalAccessStatus', 'isInteractive', 'riskDetail', 'riskLevelAggregated', 'riskLevelDuringSignIn', 'riskState', 'resourceDisplayName', 'appDisplayName']) {
    put(attrs, snakeCase(key), e[key]);
  }
  const riskEvents = arr(e.riskEventTypes).filter((r): r is string => typeof r === 'string');
  if (riskEvents.length > 0) attrs.risk_event_types = riskEvents.join(',');
  put(attrs, 'error_code', errorCode);
  put(attrs, 'failure_reason', status?.failureReason);
  put(attrs, 'device_id', device?.deviceId);
  put(attrs, 'device_os', device?.operatingSystem);
  put(attrs, 'device_browser', device?.browser);
  put(attrs, 'geo_state', location?.state);
  const applied = arr(e.appliedConditionalAccessPolicies).map(obj).filter((p) => p !== null && p.result !== 'notEnabled' && str(p.displayName) !== null);
  if (applied.length > 0) attrs.conditional_access_policies = applied.map((p) => `${String(p!.displayName)}:${String(p!.result)}`).join(',');
  const login = operationMapping('signIn', 'AzureActiveDirectory', null);
  return {
    event_id: eventId('office365', ctx.instance, id),
    provider: 'office365',
    instance: ctx.instance,
    occurred_at: occurredAt,
    ingested_at: ctx.ingestedAt,
    category: login.category,
    action: login.action,
    action_raw: 'signIn',
    outcome,
    outcome_reason: outcome === 'failure' ? (str(status?.failureReason) ?? String(errorCode)) : null,
    severity: null,
    actor: {
      id: userId ?? str(e.servicePrincipalId),
      email: looksLikeEmail(upn) ? upn : null,
      name: str(e.userDisplayName) ?? str(e.servicePrincipalName),
      type: userId !== null ? 'user' : str(e.servicePrincipalId) !== null ? 'service' : 'unknown',
    },
    targets,
    source: {
      ip: str(e.ipAddress),
      user_agent: str(e.userAgent),
      country: str(location?.countryOrRegion),
      city: str(location?.city),
    },
    session_id: str(e.sessionId),
    request_id: str(e.correlationId),
    class_uid: login.classUid,
    activity_id: login.activityId,
    attributes: attrs,
    raw: ctx.rawText ?? JSON.stringify(raw),
  };
}

// directoryAudit.category → our category for activities we do not map by name.
const CATEGORIES: Record<string, AuditCategory> = {
  UserManagement: 'user', GroupManagement: 'admin', RoleManagement: 'admin', ApplicationManagement: 'app', Policy: 'admin',
  DirectoryManagement: 'admin', Authentication: 'logon', Authorization: 'admin',
};

const TARGET_TYPES: Record<string, TargetType> = {
  user: 'user', group: 'group', serviceprincipal: 'app', application: 'app', role: 'role', device: 'device', policy: 'policy',
};

/**
 * Maps one Microsoft Graph directory audit (`GET /auditLogs/directoryAudits`, a `directoryAudit`) to an
 * AuditEvent. Pure. Throws AW_NORMALIZE_FAILED naming `id`, `activityDisplayName` or `activityDateTime`.
 */
export function normalizeGraphDirectoryAudit(raw: unknown, ctx: NormalizeContext): AuditEvent {
  const e = requireObject(raw, '(record)');
  const id = requireString(e, 'id');
  const activity = requireString(e, 'activityDisplayName');
  const occurredAt = isoTime(e.activityDateTime);
  if (occurredAt === null) throw failure('activityDateTime', `activityDateTime ${JSON.stringify(e.activityDateTime) ?? 'undefined'} is not an ISO 8601 time`);
  const category = str(e.category);
  const mapping: OperationMapping = isKnownOperation(activity)
    ? operationMapping(activity, 'AzureActiveDirectory', null)
    : { category: (category !== null ? CATEGORIES[category] : undefined) ?? 'admin', action: 'other', classUid: C.ENTITY_MANAGEMENT, activityId: A.OTHER };
  const result = str(e.result)?.toLowerCase();
  const initiatedBy = obj(e.initiatedBy);
  const user = obj(initiatedBy?.user);
  const app = obj(initiatedBy?.app);
  const details = new Map<string, string>();
  for (const entry of arr(e.additionalDetails)) {
    const d = obj(entry);
    const key = str(d?.key);
    if (key !== null && typeof d?.value === 'string') details.set(key, d.value);
  }
  const attrs: Record<string, string> = { source_api: 'graph.directoryAudits' };
  put(attrs, 'category', category);
  put(attrs, 'logged_by_service', e.loggedByService);
  put(attrs, 'operation_type', e.operationType);
  for (const [key, value] of details) put(attrs, `detail_${snakeCase(key)}`, value);
  return {
    event_id: eventId('office365', ctx.instance, id),
    provider: 'office365',
    instance: ctx.instance,
    occurred_at: occurredAt,
    ingested_at: ctx.ingestedAt,
    category: mapping.category,
    action: mapping.action,
    action_raw: activity,
    outcome: result === 'success' ? 'success' : result === 'failure' ? 'failure' : 'unknown',
    outcome_reason: str(e.resultReason),
    severity: null,
    actor: mapInitiator(user, app),
    targets: arr(e.targetResources).map(mapTargetResource),
    source: { ip: str(user?.ipAddress) ?? str(app?.ipAddress), user_agent: str(details.get('User-Agent')), country: null, city: null },
    session_id: null,
    request_id: str(e.correlationId),
    class_uid: mapping.classUid,
    activity_id: mapping.activityId,
    attributes: attrs,
    raw: ctx.rawText ?? JSON.stringify(raw),
  };
}

function mapInitiator(user: Json | null, app: Json | null): Actor {
  if (user && (str(user.id) !== null || str(user.userPrincipalName) !== null)) {
    const upn = str(user.userPrincipalName);
    return { id: str(user.id), email: looksLikeEmail(upn) ? upn : null, name: str(user.displayName), type: 'user' };
  }
  if (app) return { id: str(app.servicePrincipalId) ?? str(app.appId), email: null, name: str(app.displayName), type: 'service' };
  return { id: null, email: null, name: null, type: 'unknown' };
}

function mapTargetResource(raw: unknown): AuditTarget {
  const t = obj(raw);
  // Graph spells it `type`; older exports `Type`.
  const typeRaw = str(t?.type) ?? str(t?.Type);
  const upn = str(t?.userPrincipalName);
  return {
    type: typeRaw === null ? 'other' : (TARGET_TYPES[typeRaw.toLowerCase()] ?? 'other'),
    type_raw: typeRaw,
    id: str(t?.id),
    name: str(t?.displayName),
    email: looksLikeEmail(upn) ? upn : null,
  };
}

