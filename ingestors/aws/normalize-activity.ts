/**
 * A CloudTrail record (the `CloudTrailEvent` of LookupEvents, or one of a trail file's `Records`)
 * → AuditEvent. Pure. The record may come as its JSON text (kept as `raw` byte for byte) or parsed.
 */
import { eventId } from '../../schemas/event-id.js';
import type { Actor, AuditEvent, AuditTarget } from '../../schemas/types.js';
import type { Outcome, TargetType } from '../../schemas/vocabulary.js';
import type { NormalizeContext } from '../contract.js';
import { arr, fieldErrors, looksLikeEmail, obj, put, str, type Json } from '../runtime/json-fields.js';
import { isoTime } from '../runtime/provider-time.js';
import { awsEventMapping } from './event-types.js';

const { failure, requireObject, requireString } = fieldErrors('aws');

export function normalizeAwsActivity(raw: unknown, ctx: NormalizeContext): AuditEvent {
  let record: unknown = raw;
  let rawText = ctx.rawText;
  if (typeof raw === 'string') {
    rawText = raw;
    try {
      record = JSON.parse(raw) as unknown;
    } catch {
      throw failure('(record)', 'the CloudTrail record is not JSON');
    }
  }
  const e = requireObject(record, '(record)');
  const id = requireString(e, 'eventID');
  const eventName = requireString(e, 'eventName');
  const occurredAt = isoTime(e.eventTime);
  if (occurredAt === null) throw failure('eventTime', `eventTime ${JSON.stringify(e.eventTime) ?? 'undefined'} is not an ISO 8601 time`);
  const mapping = awsEventMapping(str(e.eventSource) ?? '', eventName);
  const identity = obj(e.userIdentity);
  const errorCode = str(e.errorCode);
  const sourceIp = str(e.sourceIPAddress);

  return {
    event_id: eventId('aws', ctx.instance, id),
    provider: 'aws',
    instance: ctx.instance,
    occurred_at: occurredAt,
    ingested_at: ctx.ingestedAt,
    category: mapping.category,
    action: mapping.action,
    action_raw: eventName,
    outcome: outcomeOf(e, errorCode),
    outcome_reason: errorCode ?? (outcomeOf(e, errorCode) === 'failure' ? str(e.errorMessage) : null),
    severity: null,
    actor: actorOf(identity, e),
    targets: targetsOf(e),
    source: {
      // AWS services calling on someone's behalf put their host name here (lambda.amazonaws.com).
      ip: sourceIp !== null && /^[\d.]+$|:/.test(sourceIp) ? sourceIp : null,
      user_agent: str(e.userAgent),
      country: null,
      city: null,
    },
    session_id: null,
    request_id: str(e.requestID),
    class_uid: mapping.classUid,
    activity_id: mapping.activityId,
    attributes: attributesOf(e, identity),
    raw: rawText ?? JSON.stringify(record),
  };
}

/** `errorCode` means the call failed; a console sign-in says how it ended in `responseElements.ConsoleLogin`. */
function outcomeOf(e: Json, errorCode: string | null): Outcome {
  if (errorCode !== null) return 'failure';
  const login = str(obj(e.responseElements)?.ConsoleLogin);
  if (login === 'Failure') return 'failure';
  return 'success';
}

/** The role session name of `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
function sessionName(arn: string | null): string | null {
  const parts = arn?.split(':assumed-role/')[1]?.split('/');
  return parts && parts.length > 1 ? parts.slice(1).join('/') : null;
}

function actorOf(identity: Json | null, e: Json): Actor {
  const type = str(identity?.type);
  const arn = str(identity?.arn);
  const issuer = obj(obj(identity?.sessionContext)?.sessionIssuer);
  const principalId = str(identity?.principalId);
  const accountId = str(identity?.accountId);
  let name: string | null;
  let actorType: Actor['type'] = 'user';
  switch (type) {
    case 'IAMUser':
      name = str(identity?.userName) ?? arn?.split(':user/')[1] ?? null;
      break;
    case 'Root':
      name = 'root';
      return { id: accountId ?? principalId, email: null, name, type: 'user' };
    case 'AssumedRole':
      // Who is behind the session: its source identity, else its session name, else the role.
      name = str(obj(identity?.sessionContext)?.sourceIdentity) ?? str(e.sourceIdentity) ?? sessionName(arn) ?? str(issuer?.userName);
      break;
    case 'AWSService': {
      const service = str(identity?.invokedBy);
      return { id: service, email: null, name: service, type: 'service' };
    }
    case 'FederatedUser':
      name = arn?.split(':federated-user/')[1] ?? principalId;
      break;
    case 'IdentityCenterUser':
      name = str(identity?.userName) ?? str(obj(identity?.onBehalfOf)?.userId);
      break;
    default:
      name = str(identity?.userName);
      actorType = type === null ? 'unknown' : 'user';
  }
  return { id: principalId ?? arn, email: name !== null && looksLikeEmail(name) ? name : null, name, type: actorType };
}

const RESOURCE_TYPES: Record<string, TargetType> = {
  'AWS::IAM::User': 'user', 'AWS::IAM::Group': 'group', 'AWS::IAM::Role': 'role', 'AWS::IAM::Policy': 'policy',
  'AWS::S3::Bucket': 'other', 'AWS::S3::Object': 'file', 'AWS::KMS::Key': 'other', 'AWS::CloudTrail::Trail': 'other',
};

/** The resources the record names (`resources`), and those its request parameters name (user, group, role, policy, bucket, trail). */
function targetsOf(e: Json): AuditTarget[] {
  const out: AuditTarget[] = [];
  const add = (type: TargetType, typeRaw: string, id: string | null, name: string | null) => {
    if (id === null && name === null) return;
    if (out.some((t) => t.type_raw === typeRaw && t.id === id)) return;
    out.push({ type, type_raw: typeRaw, id, name, email: null });
  };
  for (const resource of arr(e.resources)) {
    const r = obj(resource);
    const typeRaw = str(r?.type) ?? 'Resource';
    const arn = str(r?.ARN);
    add(RESOURCE_TYPES[typeRaw] ?? 'other', typeRaw, arn, arn?.split(/[:/]/).pop() ?? null);
  }
  const p = obj(e.requestParameters);
  if (p) {
    const userName = str(p.userName);
    if (userName !== null) add('user', 'User', userName, userName);
    const groupName = str(p.groupName);
    if (groupName !== null) add('group', 'Group', groupName, groupName);
    const role = str(p.roleArn) ?? str(p.roleName);
    if (role !== null) add('role', 'Role', role, role.split('/').pop() ?? role);
    const policyArn = str(p.policyArn);
    if (policyArn !== null) add('policy', 'Policy', policyArn, policyArn.split('/').pop() ?? policyArn);
    const policyName = str(p.policyName);
    if (policyName !== null && policyArn === null) add('policy', 'Policy', policyName, policyName);
    const bucket = str(p.bucketName);
    if (bucket !== null) add('other', 'Bucket', bucket, bucket);
    if (str(e.eventSource) === 'cloudtrail.amazonaws.com') {
      const trail = str(p.name) ?? str(p.trailName);
      if (trail !== null) add('other', 'Trail', trail, trail.split('/').pop() ?? trail);
    }
  }
  return out;
}

/** Facts the policies read (`user_identity_type`, `mfa_used`, `event_source`...) and others worth querying. */
function attributesOf(e: Json, identity: Json | null): Record<string, string> {
  const attrs: Record<string, string> = {};
  const session = obj(identity?.sessionContext);
  const issuer = obj(session?.sessionIssuer);
  const extra = obj(e.additionalEventData);
  put(attrs, 'event_source', e.eventSource);
  put(attrs, 'event_type', e.eventType);
  put(attrs, 'event_category', e.eventCategory);
  put(attrs, 'aws_region', e.awsRegion);
  put(attrs, 'recipient_account_id', e.recipientAccountId);
  put(attrs, 'read_only', e.readOnly);
  put(attrs, 'error_code', e.errorCode);
  put(attrs, 'error_message', e.errorMessage);
  put(attrs, 'user_identity_type', identity?.type);
  put(attrs, 'user_identity_arn', identity?.arn);
  put(attrs, 'account_id', identity?.accountId);
  put(attrs, 'access_key_id', identity?.accessKeyId);
  put(attrs, 'invoked_by', identity?.invokedBy);
  put(attrs, 'session_issuer_arn', issuer?.arn);
  put(attrs, 'session_issuer_name', issuer?.userName);
  put(attrs, 'source_identity', session?.sourceIdentity ?? e.sourceIdentity);
  put(attrs, 'mfa_authenticated', obj(session?.attributes)?.mfaAuthenticated);
  put(attrs, 'mfa_used', extra?.MFAUsed);
  put(attrs, 'login_to', extra?.LoginTo);
  put(attrs, 'source_host', /^[\d.]+$|:/.test(String(e.sourceIPAddress ?? '')) ? undefined : e.sourceIPAddress);
  put(attrs, 'vpc_endpoint_id', e.vpcEndpointId);
  put(attrs, 'shared_event_id', e.sharedEventID);
  put(attrs, 'session_credential_from_console', e.sessionCredentialFromConsole);
  return attrs;
}
