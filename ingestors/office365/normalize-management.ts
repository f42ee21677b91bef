import { eventId } from '../../schemas/event-id.js';
import type { Actor, AuditEvent, AuditTarget } from '../../schemas/types.js';
import type { ActorType, Outcome, TargetType } from '../../schemas/vocabulary.js';
import type { NormalizeContext } from '../contract.js';
import { arr, type Json, looksLikeEmail, num, obj, snakeCase } from '../runtime/json-fields.js';
import { isoTime } from '../runtime/provider-time.js';
import { failure, isGuid, nameValues, put, requireObject, requireString, str, stripPort } from './fields.js';
import { FORWARDING_PARAMETERS, MAIL_FORWARD, operationKey, operationMapping, RECORD_TYPE_NAMES } from './operations.js';

/**
 * Maps one Office 365 Management Activity API record (an element of a content blob) to an AuditEvent.
 * Pure. Throws AW_NORMALIZE_FAILED naming the field when `Id`, `Operation` or `CreationTime` is
 * missing or invalid. `CreationTime` is UTC although it carries no zone.
 */
export function normalizeManagementRecord(raw: unknown, ctx: NormalizeContext): AuditEvent {
  const e = requireObject(raw, '(record)');
  const id = requireString(e, 'Id');
  const operation = requireString(e, 'Operation');
  const occurredAt = isoTime(e.CreationTime);
  if (occurredAt === null) throw failure('CreationTime', `CreationTime ${JSON.stringify(e.CreationTime) ?? 'undefined'} is not an ISO 8601 time`);

  const workload = str(e.Workload);
  const recordType = num(e.RecordType);
  const params = nameValues(e.Parameters);
  const extended = nameValues(e.ExtendedProperties);
  const device = nameValues(e.DeviceProperties);
  const modified = modifiedValues(e.ModifiedProperties);
  const forwarding = forwardingTargets(params);
  const mapping = forwarding.length > 0 ? MAIL_FORWARD : operationMapping(operation, workload, recordType);
  const outcome = mapOutcome(operation, str(e.ResultStatus));
  const appContext = obj(e.AppAccessContext);

  return {
    event_id: eventId('office365', ctx.instance, id),
    provider: 'office365',
    instance: ctx.instance,
    occurred_at: occurredAt,
    ingested_at: ctx.ingestedAt,
    category: mapping.category,
    action: mapping.action,
    action_raw: operation,
    outcome,
    outcome_reason: str(e.LogonError) ?? (outcome === 'failure' ? str(e.ErrorNumber) : null),
    severity: str(e.Severity)?.toLowerCase() ?? null,
    actor: mapActor(e),
    targets: mapTargets(e, workload, params, modified),
    source: {
      ip: stripPort(str(e.ClientIP)) ?? stripPort(str(e.ActorIpAddress)) ?? stripPort(str(e.ClientIPAddress)),
      user_agent: str(e.UserAgent) ?? str(extended.get('UserAgent')) ?? str(e.ClientInfoString),
      // GeoLocation is the datacenter region (EUR, NAM), not the user's country: it goes to attributes.
      country: null,
      city: null,
    },
    session_id: str(device.get('SessionId')) ?? str(e.UserSessionId) ?? str(e.SessionId) ?? str(appContext?.AADSessionId),
    request_id: str(e.CorrelationId) ?? str(appContext?.CorrelationId) ?? str(e.InterSystemsId),
    class_uid: mapping.classUid,
    activity_id: mapping.activityId,
    attributes: attributesOf(e, recordType, params, extended, device, modified, forwarding),
    raw: ctx.rawText ?? JSON.stringify(raw),
  };
}

function mapOutcome(operation: string, resultStatus: string | null): Outcome {
  // A failed sign-in is logged with ResultStatus "Success" (the logging succeeded); the operation says how it ended.
  if (operationKey(operation) === 'userloginfailed') return 'failure';
  switch (resultStatus?.toLowerCase()) {
    case 'succeeded':
    case 'success':
    case 'true':
      return 'success';
    case 'failed':
    case 'failure':
    case 'false':
      return 'failure';
    default: // PartiallySucceeded, missing (SharePoint file records carry none)
      return 'unknown';
  }
}

// AuditLogUserType: 0 Regular, 1 Reserved, 2 Admin, 3 DcAdmin, 4 System, 5 Application, 6 ServicePrincipal,
// 7 CustomPolicy, 8 SystemPolicy.
const USER_TYPES: Record<number, ActorType> = { 0: 'user', 1: 'user', 2: 'user', 3: 'user', 4: 'system', 5: 'service', 6: 'service', 7: 'system', 8: 'system' };

/** The user's address in a UserId: a UPN, a guest (`urn:spo:guest#a@b`) or a SharePoint claim (`i:0#.f|membership|a@b`). */
export function emailOfUserId(userId: string | null): string | null {
  if (userId === null) return null;
  const afterHash = userId.startsWith('urn:spo:guest#') ? userId.slice('urn:spo:guest#'.length) : userId;
  const afterClaim = afterHash.includes('|') ? afterHash.slice(afterHash.lastIndexOf('|') + 1) : afterHash;
  return looksLikeEmail(afterClaim) ? afterClaim : null;
}

interface IdentityEntry { id: string; type: number | null }

function identities(list: unknown): IdentityEntry[] {
  const out: IdentityEntry[] = [];
  for (const entry of arr(list)) {
    const e = obj(entry);
    const id = str(e?.ID);
    if (id !== null) out.push({ id, type: num(e?.Type) });
  }
  return out;
}

/** `User_<guid>` style entries of Actor/Target name the object's kind and id. */
function kindAndId(entries: IdentityEntry[]): { kind: string; id: string } | null {
  for (const { id } of entries) {
    const match = /^([A-Za-z]+)_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(id);
    if (match) return { kind: match[1]!, id: match[2]! };
  }
  return null;
}

function mapActor(e: Json): Actor {
  const userId = str(e.UserId);
  const entries = identities(e.Actor);
  const named = kindAndId(entries);
  // Sign-in records name the user's object id as a claim (Type 0); directory records as `User_<guid>`.
  const objectId = named?.kind === 'User' ? named.id : entries.find((a) => a.type === 0 && isGuid(a.id))?.id ?? null;
  const userType = num(e.UserType);
  return {
    id: objectId ?? str(e.UserKey) ?? userId,
    email: emailOfUserId(userId),
    name: null,
    type: userType === null ? 'unknown' : (USER_TYPES[userType] ?? 'unknown'),
  };
}

const STS_LOGON = 15;

const AAD_KINDS: Record<string, TargetType> = {
  User: 'user', Group: 'group', ServicePrincipal: 'app', Application: 'app', Role: 'role', Device: 'device', Policy: 'policy',
};

function mapTargets(e: Json, workload: string | null, params: Map<string, string>, modified: Map<string, string>): AuditTarget[] {
  const targets: AuditTarget[] = [];
  const objectId = str(e.ObjectId);
  const fileName = str(e.SourceFileName);
  if (workload === 'SharePoint' || workload === 'OneDrive' || fileName !== null) {
    const itemType = str(e.ItemType);
    const type: TargetType = itemType === 'Folder' ? 'folder' : itemType === 'Web' || itemType === 'Site' ? 'url' : 'file';
    targets.push({ type, type_raw: itemType, id: objectId, name: fileName, email: null });
    const grantee = str(e.TargetUserOrGroupName);
    if (grantee !== null) {
      const granteeType = str(e.TargetUserOrGroupType);
      const isGroup = granteeType !== null && /group/i.test(granteeType);
      targets.push({ type: isGroup ? 'group' : 'user', type_raw: granteeType, id: null, name: grantee, email: emailOfUserId(grantee) });
    }
    return targets;
  }
  const entries = identities(e.Target);
  if (num(e.RecordType) === STS_LOGON) {
    // A sign-in's object is the resource signed in to (e.g. 00000003-0000-0ff1-ce00-000000000000, SharePoint Online).
    const resource = objectId ?? entries[0]?.id ?? null;
    if (resource !== null) targets.push({ type: 'app', type_raw: 'Resource', id: resource, name: null, email: null });
    return targets;
  }
  if (entries.length > 0) {
    const named = kindAndId(entries);
    const kind = named?.kind ?? entries.find((t) => t.type === 2 && /^[A-Za-z]+$/.test(t.id))?.id ?? null;
    const upn = entries.find((t) => t.type === 5)?.id ?? null;
    targets.push({
      type: kind === null ? (looksLikeEmail(upn) ? 'user' : 'other') : (AAD_KINDS[kind] ?? 'other'),
      type_raw: kind,
      id: named?.id ?? entries.find((t) => isGuid(t.id))?.id ?? objectId,
      name: entries.find((t) => t.type === 1)?.id ?? null,
      email: looksLikeEmail(upn) ? upn : null,
    });
  } else if (str(e.AlertId) !== null) {
    targets.push({ type: 'other', type_raw: 'Alert', id: str(e.AlertId), name: str(e.Name), email: null });
  } else if (params.has('Name') && /inboxrule/i.test(String(e.Operation))) {
    targets.push({ type: 'other', type_raw: 'InboxRule', id: objectId, name: str(params.get('Name')), email: null });
  } else if (params.has('Identity')) {
    const identity = str(params.get('Identity'));
    targets.push({ type: looksLikeEmail(identity) ? 'user' : 'other', type_raw: 'Identity', id: objectId ?? identity, name: identity, email: looksLikeEmail(identity) ? identity : null });
  } else if (objectId !== null) {
    targets.push({ type: looksLikeEmail(objectId) ? 'user' : 'other', type_raw: null, id: objectId, name: null, email: looksLikeEmail(objectId) ? objectId : null });
  }
  // Role and group changes name the role or group in the modified properties.
  const roleId = str(modified.get('Role.ObjectID'));
  const roleName = str(modified.get('Role.DisplayName'));
  if (roleId !== null || roleName !== null) targets.push({ type: 'role', type_raw: 'Role', id: roleId, name: roleName, email: null });
  const groupId = str(modified.get('Group.ObjectID'));
  const groupName = str(modified.get('Group.DisplayName'));
  if (groupId !== null || groupName !== null) targets.push({ type: 'group', type_raw: 'Group', id: groupId, name: groupName, email: null });
  return targets;
}

/** ModifiedProperties as name → new value. */
function modifiedValues(list: unknown): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of arr(list)) {
    const e = obj(entry);
    const name = str(e?.Name);
    const value = e?.NewValue;
    if (name !== null && typeof value === 'string') out.set(name, value);
  }
  return out;
}

/** Parameters that send mail elsewhere, with their values (an empty value removes forwarding: not a forward). */
function forwardingTargets(params: Map<string, string>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const name of FORWARDING_PARAMETERS) {
    const value = str(params.get(name));
    if (value !== null && value !== '$null') out.push([name, value]);
  }
  return out;
}


function attributesOf(
  e: Json, recordType: number | null, params: Map<string, string>, extended: Map<string, string>, device: Map<string, string>,
  modified: Map<string, string>, forwarding: Array<[string, string]>,
): Record<string, string> {
  const attrs: Record<string, string> = {};
  const appContext = obj(e.AppAccessContext);
  put(attrs, 'workload', e.Workload);
  put(attrs, 'record_type', e.RecordType);
  if (recordType !== null) put(attrs, 'record_type_name', RECORD_TYPE_NAMES[recordType]);
  put(attrs, 'organization_id', e.OrganizationId);
  put(attrs, 'user_id', e.UserId);
  put(attrs, 'user_key', e.UserKey);
  put(attrs, 'user_type', e.UserType);
  put(attrs, 'object_id', e.ObjectId);
  put(attrs, 'result_status', e.ResultStatus);
  put(attrs, 'application_id', str(e.ApplicationId) ?? str(e.AppId) ?? str(appContext?.ClientAppId));
  put(attrs, 'client_app_name', str(appContext?.ClientAppName) ?? str(e.ApplicationDisplayName));
  put(attrs, 'logon_error', e.LogonError);
  put(attrs, 'error_number', e.ErrorNumber);
  put(attrs, 'request_type', extended.get('RequestType'));
  put(attrs, 'result_status_detail', extended.get('ResultStatusDetail'));
  put(attrs, 'keep_me_signed_in', extended.get('KeepMeSignedIn'));
  put(attrs, 'audit_event_category', extended.get('extendedAuditEventCategory') ?? extended.get('auditEventCategory'));
  put(attrs, 'device_os', device.get('OS'));
  put(attrs, 'device_browser', device.get('BrowserType'));
  put(attrs, 'device_compliant_and_managed', device.get('IsCompliantAndManaged'));
  for (const key of [
    'SiteUrl', 'SourceRelativeUrl', 'SourceFileExtension', 'FileSizeBytes', 'ItemType', 'EventSource', 'GeoLocation', 'Platform',
    'IsManagedDevice', 'AuthenticationType', 'TargetUserOrGroupType', 'EventData', 'UniqueSharingId', 'VirusInfo', 'VirusVendor',
    'ExternalAccess', 'OrganizationName', 'AlertId', 'AlertType', 'Category', 'Status', 'Source', 'PolicyId', 'DeviceDisplayName',
  ]) put(attrs, snakeCase(key), e[key]);
  if (str(e.AlertId) !== null) put(attrs, 'alert_name', e.Name);
  put(attrs, 'role_name', modified.get('Role.DisplayName'));
  put(attrs, 'role_template_id', modified.get('Role.TemplateId'));
  put(attrs, 'group_name', modified.get('Group.DisplayName'));
  put(attrs, 'consent_is_admin', modified.get('ConsentContext.IsAdminConsent'));
  put(attrs, 'consent_on_behalf_of_all', modified.get('ConsentContext.OnBehalfOfAll'));
  put(attrs, 'consent_is_app_only', modified.get('ConsentContext.IsAppOnly'));
  const scopes = /Scope:\s*([^,\]]*)/.exec(modified.get('ConsentAction.Permissions') ?? '')?.[1]?.trim();
  put(attrs, 'consent_scopes', scopes);
  for (const [name, value] of forwarding) put(attrs, snakeCase(name), value);
  put(attrs, 'deliver_to_mailbox_and_forward', params.get('DeliverToMailboxAndForward'));
  if (/inboxrule/i.test(String(e.Operation))) put(attrs, 'rule_name', params.get('Name'));
  const policy = obj(arr(e.PolicyDetails)[0]);
  put(attrs, 'dlp_policy_name', policy?.PolicyName);
  return attrs;
}
