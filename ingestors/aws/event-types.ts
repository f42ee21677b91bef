import { OCSF_ACTIVITY as A, OCSF_CLASS as C } from '../../schemas/ocsf.js';
import { deliberateOther as why, EventTable, mapping as m, type EventMapping } from '../runtime/event-table.js';
import { AWS_CATALOGUE_SOURCES } from './catalogue.js';
import { SERVICES } from './service-tables.js';

/** How one CloudTrail event (`eventSource`, `eventName`) maps to our category, action and OCSF class/activity. */
export type AwsEventMapping = EventMapping;

/** The per-service tables, by event source. */
export const AWS_SERVICE_TABLES: ReadonlyMap<string, EventTable> = new Map(Object.entries(SERVICES).map(([source, t]) => [source, new EventTable(AWS_CATALOGUE_SOURCES, t.exact ?? {}, t.rules ?? [])]));

/**
 * Every other CloudTrail event is an API call on the account's resources: mapped deliberately by its
 * verb (the OCSF API Activity of a read, create, update or delete) as action `other`, since the verb
 * alone does not say which of our actions it is. A name whose verb is none of these is unknown
 * (category `other`) and counted.
 */
const VERB = 'an API call on a cloud resource: its verb is in activity_id, the call in action_raw';
const VERBS: ReadonlyArray<readonly [readonly string[], AwsEventMapping]> = [
  [['Get', 'List', 'Describe', 'Lookup', 'Head', 'Search', 'BatchGet', 'Select', 'Scan', 'Query', 'Check', 'Validate', 'Preview', 'Estimate', 'View', 'Simulate', 'Decode'],
    why('admin', C.API_ACTIVITY, A.api.READ, VERB)],
  [['Create', 'Run', 'Start', 'Add', 'Import', 'Copy', 'Register', 'Request', 'Allocate', 'Issue', 'Invoke', 'Publish', 'Send', 'Generate', 'Accept', 'Subscribe'],
    why('admin', C.API_ACTIVITY, A.api.CREATE, VERB)],
  [['Delete', 'Remove', 'Terminate', 'Stop', 'Deregister', 'Release', 'Cancel', 'Revoke', 'Disable', 'Unsubscribe', 'Purge', 'Reject', 'Close'],
    why('admin', C.API_ACTIVITY, A.api.DELETE, VERB)],
  [['Put', 'Update', 'Modify', 'Set', 'Attach', 'Detach', 'Enable', 'Associate', 'Disassociate', 'Tag', 'Untag', 'Change', 'Replace', 'Reset', 'Restore', 'Reboot', 'Apply', 'Upload', 'Edit', 'Rotate', 'Authorize', 'Assign', 'Unassign'],
    why('admin', C.API_ACTIVITY, A.api.UPDATE, VERB)],
];
const UNKNOWN = m('other', 'other', C.API_ACTIVITY, A.OTHER);

const BY_VERB: ReadonlyMap<string, AwsEventMapping> = new Map(VERBS.flatMap(([verbs, mapping]) => verbs.map((verb) => [verb, mapping] as const)));

/** The leading word of an event name (`PutBucketPolicy` → `Put`; `BatchGetItem` → `BatchGet` is tried first). */
function byVerb(eventName: string): AwsEventMapping | null {
  let end = 1;
  while (end < eventName.length && !isUpper(eventName.charCodeAt(end))) end += 1;
  let next = end + 1;
  while (next < eventName.length && !isUpper(eventName.charCodeAt(next))) next += 1;
  return BY_VERB.get(eventName.slice(0, next)) ?? BY_VERB.get(eventName.slice(0, end)) ?? null;
}

function isUpper(code: number): boolean {
  return code >= 65 && code <= 90;
}

/** The event's mapping by its service's table, else by its verb, else null. */
export function knownAwsMapping(eventSource: string, eventName: string): AwsEventMapping | null {
  return AWS_SERVICE_TABLES.get(eventSource)?.lookup(eventName) ?? byVerb(eventName);
}

export function awsEventMapping(eventSource: string, eventName: string): AwsEventMapping {
  return knownAwsMapping(eventSource, eventName) ?? UNKNOWN;
}

/** The key `/v1/connectors` counts an unknown event under: `<eventSource>:<eventName>`, when neither its service's table nor a verb knows it. */
export function awsUnknownEventType(event: { action_raw: string; attributes: Record<string, string> }): string | null {
  const source = event.attributes.event_source ?? '';
  return knownAwsMapping(source, event.action_raw) !== null ? null : `${source}:${event.action_raw}`;
}
