import { eventId } from '../../schemas/event-id.js';
import type { AccountEvent, Actor, AuditEvent, AuditTarget, Subject } from '../../schemas/types.js';
import type { AccountStatus, ActorType, Outcome, TargetType } from '../../schemas/vocabulary.js';
import { oktaEventMapping } from './event-types.js';
import { buildAccountEvent } from '../../schemas/account-event.js';
import { attributeText, fieldErrors, looksLikeEmail, obj, put, str, type Json } from '../runtime/json-fields.js';
import { isoTime } from '../runtime/provider-time.js';

/** Where an audit record comes from and when we received it. */
export interface OktaAuditContext {
  instance: string;
  ingestedAt: number;
  /** The record's JSON text exactly as received; kept as `raw` byte for byte when given. */
  rawText?: string;
}

/** Where an account record comes from and when we observed it. */
export interface OktaAccountContext {
  instance: string;
  observedAt: number;
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

// ---- Accounts: GET /api/v1/users, /groups, /groups/{id}/users, /users/{id}/roles, /users/{id}/grants

const USER_STATUSES: Record<string, AccountStatus> = {
  ACTIVE: 'active',
  SUSPENDED: 'suspended',
  DEPROVISIONED: 'deprovisioned',
  STAGED: 'staged',
  PROVISIONED: 'staged', // activation sent, the user has not set a password yet
  LOCKED_OUT: 'locked',
  PASSWORD_EXPIRED: 'password_expired',
  RECOVERY: 'password_expired', // a password reset is in progress
};

/** An Okta User object → AccountEvent of kind `user`. */
export function normalizeOktaUser(rawUser: unknown, ctx: OktaAccountContext): AccountEvent {
  const user = requireObject(rawUser, '(record)');
  const subject = userSubject(user, 'id');
  const profile = obj(user.profile);
  const statusRaw = str(user.status);
  const attributes: Record<string, string> = {};
  put(attributes, 'login', profile?.login);
  put(attributes, 'user_type_id', obj(user.type)?.id);
  put(attributes, 'credential_provider', obj(obj(user.credentials)?.provider)?.type);
  put(attributes, 'activated', user.activated);
  put(attributes, 'status_changed', user.statusChanged);
  put(attributes, 'last_updated', user.lastUpdated);
  put(attributes, 'password_changed', user.passwordChanged);
  put(attributes, 'department', profile?.department);
  put(attributes, 'title', profile?.title);
  return accountEvent(ctx, 'user', [subject.id], subject, {
    status: statusRaw === null ? 'unknown' : (USER_STATUSES[statusRaw] ?? 'unknown'),
    status_raw: statusRaw,
    created_at: isoTime(user.created),
    last_login_at: isoTime(user.lastLogin),
    attributes,
    raw: JSON.stringify(rawUser),
  });
}

/** An Okta Group object → AccountEvent of kind `group`. */
export function normalizeOktaGroup(rawGroup: unknown, ctx: OktaAccountContext): AccountEvent {
  const group = requireObject(rawGroup, '(record)');
  const id = requireId(group, 'id');
  const profile = obj(group.profile);
  const attributes: Record<string, string> = {};
  put(attributes, 'group_type', group.type);
  put(attributes, 'description', profile?.description);
  put(attributes, 'last_updated', group.lastUpdated);
  put(attributes, 'last_membership_updated', group.lastMembershipUpdated);
  const subject: Subject = { type: 'group', id, email: null, name: str(profile?.name) };
  return accountEvent(ctx, 'group', [id], subject, {
    created_at: isoTime(group.created), attributes, raw: JSON.stringify(rawGroup),
  });
}

/** A user listed in a group (`GET /api/v1/groups/{id}/users`) → AccountEvent of kind `membership`. */
export function normalizeOktaMembership(rawGroup: unknown, rawUser: unknown, ctx: OktaAccountContext): AccountEvent {
  const group = requireObject(rawGroup, 'group');
  const groupId = requireId(group, 'group.id');
  const subject = userSubject(requireObject(rawUser, 'user'), 'user.id');
  return accountEvent(ctx, 'membership', [groupId, subject.id], subject, {
    group: { id: groupId, name: str(obj(group.profile)?.name) },
    raw: JSON.stringify({ group: rawGroup, user: rawUser }),
  });
}

/** An admin role assigned to a user (`GET /api/v1/users/{id}/roles`) → AccountEvent of kind `privilege`. */
export function normalizeOktaRoleAssignment(rawUser: unknown, rawRole: unknown, ctx: OktaAccountContext): AccountEvent {
  const subject = userSubject(requireObject(rawUser, 'user'), 'user.id');
  return privilegeEvent(subject, rawRole, JSON.stringify({ user: rawUser, role: rawRole }), ctx);
}

/** An admin role assigned to a group (`GET /api/v1/groups/{id}/roles`) → AccountEvent of kind `privilege` whose subject is the group. */
export function normalizeOktaGroupRoleAssignment(rawGroup: unknown, rawRole: unknown, ctx: OktaAccountContext): AccountEvent {
  const group = requireObject(rawGroup, 'group');
  const subject: Subject = { type: 'group', id: requireId(group, 'group.id'), email: null, name: str(obj(group.profile)?.name) };
  return privilegeEvent(subject, rawRole, JSON.stringify({ group: rawGroup, role: rawRole }), ctx);
}

function privilegeEvent(subject: Subject & { id: string }, rawRole: unknown, raw: string, ctx: OktaAccountContext): AccountEvent {
  const role = requireObject(rawRole, 'role');
  const roleId = requireId(role, 'role.id');
  const attributes: Record<string, string> = {};
  put(attributes, 'assignment_type', role.assignmentType);
  put(attributes, 'role_status', role.status);
  return accountEvent(ctx, 'privilege', [subject.id, roleId], subject, {
    created_at: isoTime(role.created),
    privilege: { id: roleId, name: str(role.label), type: str(role.type) },
    attributes,
    raw,
  });
}

/** An OAuth grant a user gave an app (`GET /api/v1/users/{id}/grants`) → AccountEvent of kind `app_grant`. */
export function normalizeOktaGrant(rawUser: unknown, rawGrant: unknown, ctx: OktaAccountContext): AccountEvent {
  const subject = userSubject(requireObject(rawUser, 'user'), 'user.id');
  const grant = requireObject(rawGrant, 'grant');
  const grantId = requireId(grant, 'grant.id');
  const links = obj(grant._links);
  const scope = str(obj(obj(grant._embedded)?.scope)?.name) ?? str(grant.scopeId);
  const attributes: Record<string, string> = {};
  put(attributes, 'grant_status', grant.status);
  put(attributes, 'issuer', grant.issuer);
  put(attributes, 'source', grant.source);
  put(attributes, 'scope_id', grant.scopeId);
  return accountEvent(ctx, 'app_grant', [subject.id, grantId], subject, {
    created_at: isoTime(grant.created),
    app: {
      id: str(grant.clientId) ?? grantId,
      name: str(obj(links?.app)?.title) ?? str(obj(links?.client)?.title),
      scopes: scope === null ? [] : [scope],
    },
    deleted: grant.status === 'REVOKED',
    attributes,
    raw: JSON.stringify({ user: rawUser, grant: rawGrant }),
  });
}

function accountEvent(
  ctx: OktaAccountContext, kind: AccountEvent['kind'], ids: string[], subject: Subject,
  rest: Partial<AccountEvent> & { raw: string },
): AccountEvent {
  return buildAccountEvent('okta', ctx, kind, ids, subject, rest);
}

function userSubject(user: Json, idField: string): Subject {
  const id = requireId(user, idField);
  const profile = obj(user.profile);
  const login = str(profile?.login);
  const fullName = [str(profile?.firstName), str(profile?.lastName)].filter((p) => p !== null).join(' ');
  return {
    type: 'user',
    id,
    email: str(profile?.email) ?? (login !== null && looksLikeEmail(login) ? login : null),
    name: fullName || str(profile?.displayName) || login,
  };
}

function requireId(o: Json, field: string): string {
  const id = o.id;
  if (typeof id !== 'string' || id === '') throw failure(field, `${field} is missing or not a string`);
  return id;
}
