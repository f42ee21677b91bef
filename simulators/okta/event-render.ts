import { isoString } from '../common/json.js';
import type { Directory, OktaUser } from './directory.js';
import type { EventKind, OktaLogEvent, TargetRole } from './event-kinds.js';
import type { GeneratedEntry, LogEntry } from './event-store.js';
import { idFromUuid, stableHash } from './ids.js';
import { BROWSER_USER_AGENTS, LOCATIONS } from './locations.js';

type Json = Record<string, unknown>;

const userRef = (user: OktaUser, type: string) => ({
  id: user.id,
  type,
  alternateId: user.profile.login,
  displayName: `${user.profile.firstName} ${user.profile.lastName}`,
  detailEntry: null,
});

const SYSTEM_LOGIN = 'system@okta.com';

/** The `actor` of a generated entry, also used to filter without rendering the whole event. */
export function actorOf(entry: GeneratedEntry, directory: Directory): { id: string; type: string; alternateId: string; displayName: string; detailEntry: null } {
  switch (entry.kind.actor) {
    case 'user':
    case 'admin':
      return userRef(directory.users[entry.actor]!, 'User');
    case 'client': {
      const app = directory.apps[entry.app]!;
      return { id: app.clientId, type: 'PublicClientApp', alternateId: app.clientId, displayName: app.label, detailEntry: null };
    }
    case 'system':
      return { id: directory.systemPrincipalId, type: 'SystemPrincipal', alternateId: SYSTEM_LOGIN, displayName: 'Okta System', detailEntry: null };
  }
}

function targetOf(role: TargetRole, entry: GeneratedEntry, directory: Directory): unknown {
  const template = entry.kind.template.target;
  switch (role) {
    case 'user':
      return userRef(directory.users[entry.subject]!, 'User');
    case 'app-user':
      return userRef(directory.users[entry.subject]!, 'AppUser');
    case 'app': {
      const app = directory.apps[entry.app]!;
      return { id: app.clientId, type: 'AppInstance', alternateId: app.label, displayName: app.label, detailEntry: null };
    }
    case 'group': {
      const group = directory.groups[entry.group]!;
      return { id: group.id, type: 'UserGroup', alternateId: 'unknown', displayName: group.profile.name, detailEntry: null };
    }
    case 'code':
      return { id: idFromUuid(entry.uuid, 20, 5), type: 'code', alternateId: null, displayName: 'Authorization Code', detailEntry: null };
    default: {
      const kept: unknown = Array.isArray(template) ? template[Number(role.slice('template:'.length))] : null;
      return kept === undefined ? null : structuredClone(kept);
    }
  }
}

/** Renders a generated entry into a full LogEvent: the kind's sample with this event's identity. */
function renderGenerated(entry: GeneratedEntry, directory: Directory): OktaLogEvent {
  const kind: EventKind = entry.kind;
  const t = kind.template as Json;
  const subject = directory.users[entry.subject]!;
  const place = LOCATIONS[entry.location]!;
  const geo = {
    city: place.city,
    state: place.state,
    country: place.country,
    postalCode: place.postalCode,
    geolocation: { lat: place.lat, lon: place.lon },
  };
  const transactionId = idFromUuid(entry.uuid, 27);
  const templateClient = t.client as Json;
  const templateDebug = ((t.debugContext as Json | null)?.debugData ?? {}) as Record<string, unknown>;
  const debugData: Record<string, unknown> = { ...templateDebug };
  if ('requestId' in debugData) debugData.requestId = transactionId;
  if ('authnRequestId' in debugData) debugData.authnRequestId = transactionId;
  if ('userId' in debugData) debugData.userId = kind.actor === 'admin' ? directory.users[entry.actor]!.id : subject.id;
  Object.assign(debugData, kind.debugData, entry.debugData);
  const templateTransaction = t.transaction as Json;
  const transactionDetail = templateTransaction.detail as Json | null;

  // Every nested object is new, so callers may keep or change what they get.
  const event: Json = { ...t };
  if ('device' in t) event.device = structuredClone(t.device);
  event.uuid = entry.uuid;
  event.published = isoString(entry.publishedMs);
  event.eventType = kind.eventType;
  event.displayMessage = kind.displayMessage;
  event.legacyEventType = kind.legacyEventType;
  event.severity = kind.severity;
  event.outcome = { ...kind.outcome };
  event.actor = actorOf(entry, directory);
  event.client = {
    ...templateClient,
    userAgent: { ...(kind.browser ? BROWSER_USER_AGENTS[stableHash(subject.id) % BROWSER_USER_AGENTS.length] : (templateClient.userAgent as Json)) },
    id: kind.actor === 'client' ? directory.apps[entry.app]!.clientId : null,
    ipAddress: place.ip,
    geographicalContext: geo,
  };
  event.request = { ipChain: [{ ip: place.ip, geographicalContext: geo, version: 'V4', source: null }] };
  event.securityContext = { asNumber: place.asNumber, asOrg: place.asOrg, isp: place.isp, domain: place.domain, isProxy: false };
  event.authenticationContext = {
    ...(t.authenticationContext as Json),
    externalSessionId: `102${idFromUuid(entry.uuid, 22, 11)}`,
    ...kind.authenticationContext,
  };
  event.transaction = {
    ...templateTransaction,
    id: transactionId,
    detail: transactionDetail && 'requestApiTokenId' in transactionDetail ? { ...transactionDetail, requestApiTokenId: directory.apiTokenId } : structuredClone(transactionDetail),
  };
  event.debugContext = { debugData };
  event.target = kind.targets === null ? null : kind.targets.map((role) => targetOf(role, entry, directory));
  return event;
}

/** The event as the API serves it: generated ones freshly built, stored ones as given (not copied). */
export function renderEntry(entry: LogEntry, directory: Directory): unknown {
  return entry.source === 'stored' ? entry.body : renderGenerated(entry, directory);
}
