import { ACTION_VERBS } from '../../ingestors/contract.js';
import { TARGET_TYPES } from '../../schemas/vocabulary.js';
import { RecipientAllowList } from '../governance/recipients.js';
import { connectorCapabilities, type ProviderCapabilities } from './capabilities.js';
import { compileDetection, type CompiledDetection } from './detection.js';
import { lookupField, POLICY_KINDS, suggestField, type PolicyKind } from './field-catalogue.js';
import { applyDefaults, type Policy } from './policy.js';
import type { PolicyDocument } from './policy-schema.js';
import type { PathSegment, PolicyProblem } from './problems.js';
import { schemaProblems } from './schema-errors.js';
import { MATCH_VARIABLES, parseTemplate } from './template.js';
import { buildTestEvents } from './test-events.js';

export interface CheckOptions {
  /** What each provider's connector can do; default: the registered connectors. */
  capabilities?: ProviderCapabilities;
  /** `governance.notify.allowedRecipients`: a notify naming an address not on it is a problem. Unset: not checked. */
  allowedRecipients?: readonly string[];
}

/** Events all of a policy's inline test cases may hold together. */
export const MAX_TEST_EVENTS = 1000;

export interface PolicyCheck {
  problems: PolicyProblem[];
  /** The policy with its defaults, when there is no problem. */
  policy: Policy | null;
  detection: CompiledDetection | null;
}

/** Verbs by what they act on. */
const USER_VERBS = new Set(['suspend_user', 'unsuspend_user', 'revoke_sessions', 'force_password_change', 'reset_mfa', 'remove_from_group', 'remove_privilege', 'disable_console_login', 'deactivate_access_keys']);
const GRANT_VERBS = new Set(['revoke_app_grant']);
const FILE_VERBS = new Set(['remove_public_link', 'remove_permission', 'remove_external_collaborators', 'make_private', 'restore_sharing', 'quarantine', 'apply_label', 'block_public_access']);

const TARGETS: Record<PolicyKind, string[]> = { activity: ['actor'], file: ['file', 'file_owner'], app_permission: ['app_grant', 'subject'] };
const RECIPIENTS: Record<PolicyKind, string> = { activity: 'actor', file: 'file_owner', app_permission: 'subject' };
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * Every problem of a policy at once: the JSON Schema first, then what a schema cannot say (field
 * paths of the policy's kind, modifiers, the condition, the stateful sections, actions the named
 * providers can perform, template names, the inline tests' events).
 */
export function checkPolicy(value: unknown, options: CheckOptions = {}): PolicyCheck {
  const problems = schemaProblems(value);
  const add = (path: PathSegment[], message: string) => {
    if (!problems.some((p) => samePath(p.path, path) && p.message === message)) problems.push({ path, message });
  };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { problems: problems.length ? problems : [{ path: [], message: 'a policy is a map of fields' }], policy: null, detection: null };
  }
  const doc = value as Record<string, unknown>;
  const kind = (POLICY_KINDS as readonly unknown[]).includes(doc.kind) ? (doc.kind as PolicyKind) : null;
  let detection: CompiledDetection | null = null;
  if (kind) {
    // A detection that is not a map at all is the schema's to report.
    const body = doc.detection;
    if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
      detection = compileDetection(kind, body, (path, message) => add(['detection', ...path], message));
    }
    semanticProblems(doc, kind, options.capabilities ?? connectorCapabilities(), options.allowedRecipients ? new RecipientAllowList(options.allowedRecipients) : null, add);
  }
  if (problems.length > 0) return { problems, policy: null, detection: null };
  return { problems, policy: applyDefaults(value as PolicyDocument), detection };
}

function samePath(a: PathSegment[], b: PathSegment[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

type Add = (path: PathSegment[], message: string) => void;

function semanticProblems(
  doc: Record<string, unknown>, kind: PolicyKind, capabilities: ProviderCapabilities, recipients: RecipientAllowList | null, add: Add,
): void {
  const field = (path: PathSegment[], value: unknown, what: string): void => {
    if (typeof value !== 'string') return; // the schema reported it
    const info = lookupField(kind, value);
    if (!info) {
      const hint = suggestField(kind, value);
      add(path, `\`${value}\` is not a field of ${kind} policies' records${hint ? ` (did you mean \`${hint}\`?)` : ''}`);
    } else if (info.type === 'record') add(path, `\`${value}\` is a group of fields; ${what} needs one of its fields`);
  };
  const fields = (path: PathSegment[], list: unknown, what: string) => {
    if (Array.isArray(list)) list.forEach((v, i) => field([...path, i], v, what));
  };
  const obj = (v: unknown): Record<string, unknown> | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

  const stateful = (['threshold', 'new_value', 'impossible_travel'] as const).filter((k) => doc[k] !== undefined);
  if (stateful.length > 1) add([stateful[1]!], `use at most one of threshold, new_value and impossible_travel (this policy has ${stateful.join(' and ')}); split it into two policies`);

  const threshold = obj(doc.threshold);
  if (threshold) {
    fields(['threshold', 'group_by'], threshold.group_by, 'grouping');
    if (threshold.distinct !== undefined && threshold.distinct !== null) field(['threshold', 'distinct'], threshold.distinct, 'a distinct count');
  }
  const newValue = obj(doc.new_value);
  if (newValue) {
    field(['new_value', 'field'], newValue.field, 'new_value');
    fields(['new_value', 'group_by'], newValue.group_by, 'grouping');
  }
  const travel = obj(doc.impossible_travel);
  if (travel) {
    if (kind !== 'activity') add(['impossible_travel'], 'impossible travel compares the places of activities: it needs an activity policy');
    fields(['impossible_travel', 'group_by'], travel.group_by, 'grouping');
    if (travel.ip_field !== undefined) field(['impossible_travel', 'ip_field'], travel.ip_field, 'impossible travel');
  }
  const alert = obj(doc.alert);
  const dedup = obj(alert?.dedup);
  if (dedup) fields(['alert', 'dedup', 'key'], dedup.key, 'deduplication');
  if (typeof alert?.title === 'string') checkTemplate(['alert', 'title'], alert.title, kind, true, add);

  const providers = Array.isArray(doc.providers) ? (doc.providers as unknown[]).filter((p): p is string => typeof p === 'string') : null;
  const actions = Array.isArray(doc.actions) ? doc.actions : [];
  if (doc.mode === 'enforce' && actions.length === 0) add(['mode'], 'enforce mode sends governance actions, and this policy has none: add `actions` or use mode alert');
  actions.forEach((a, i) => {
    const action = obj(a);
    if (action) checkAction(['actions', i], action, kind, providers, capabilities, add);
    if (action && action.action === 'notify' && typeof action.to === 'string' && EMAIL.test(action.to) && recipients && !recipients.allows(action.to)) {
      add(['actions', i, 'to'], `\`${action.to}\` is not on governance.notify.allowedRecipients: notify writes only to the addresses and domains listed there`);
    }
  });

  if (Array.isArray(doc.tests)) {
    const policy = { id: typeof doc.id === 'string' ? doc.id : 'policy', kind, providers };
    const total = doc.tests.reduce((n: number, t) => n + (Array.isArray(obj(t)?.events) ? (obj(t)!.events as unknown[]).length : 0), 0);
    if (total > MAX_TEST_EVENTS) {
      add(['tests'], `the inline tests hold ${total} events; at most ${MAX_TEST_EVENTS} in all: keep the cases that say something`);
      return;
    }
    doc.tests.forEach((t, i) => {
      const events = obj(t)?.events;
      if (Array.isArray(events)) buildTestEvents(policy, i, events, (path, message) => add(['tests', i, 'events', ...path], message));
    });
  }
}

function checkTemplate(path: PathSegment[], text: string, kind: PolicyKind, matchVariables: boolean, add: Add): void {
  for (const name of parseTemplate(text).names) {
    if (matchVariables && (MATCH_VARIABLES as readonly string[]).includes(name)) continue;
    if (!lookupField(kind, name)) {
      const hint = suggestField(kind, name);
      add(path, `\`{{${name}}}\` names no field${matchVariables ? ' or variable' : ''}${hint ? ` (did you mean \`{{${hint}}}\`?)` : ''}`);
    }
  }
}

function checkAction(
  at: PathSegment[], a: Record<string, unknown>, kind: PolicyKind, providers: string[] | null,
  capabilities: ProviderCapabilities, add: Add,
): void {
  const verb = typeof a.action === 'string' ? a.action : null;
  if (verb === null || !(verb === 'notify' || (ACTION_VERBS as readonly string[]).includes(verb))) return; // the schema reported it
  const target = typeof a.target === 'string' ? a.target : null;
  if (a.params !== null && typeof a.params === 'object') {
    for (const [k, v] of Object.entries(a.params)) if (typeof v === 'string') checkTemplate([...at, 'params', k], v, kind, false, add);
  }

  if (verb === 'notify') {
    if (target !== null) add([...at, 'target'], 'notify writes to a person: say who with `to`, not `target`');
    if (typeof a.to !== 'string') {
      if (a.to === undefined) add([...at, 'to'], `required — notify needs a recipient: an email address or \`${RECIPIENTS[kind]}\``);
    } else if (a.to !== RECIPIENTS[kind] && !EMAIL.test(a.to)) {
      add([...at, 'to'], `\`${a.to}\` is neither an email address nor \`${RECIPIENTS[kind]}\` (who ${kind} policies can notify)`);
    }
    return;
  }
  if (a.to !== undefined) add([...at, 'to'], '`to` is for notify; other actions name what they act on with `target`');

  const effective = target ?? TARGETS[kind][0]!;
  const targetType = effective.startsWith('target:') ? effective.slice('target:'.length) : null;
  if (targetType !== null) {
    if (kind !== 'activity') {
      add([...at, 'target'], `\`target:<type>\` names the targets of an activity; ${kind} policies act on ${TARGETS[kind].join(' or ')}`);
      return;
    }
    if (!(TARGET_TYPES as readonly string[]).includes(targetType)) {
      add([...at, 'target'], `\`${targetType}\` is not a target type; types are ${TARGET_TYPES.join(', ')}`);
      return;
    }
  } else if (!TARGETS[kind].includes(effective)) {
    add([...at, 'target'], `${kind} policies act on ${[...TARGETS[kind], ...(kind === 'activity' ? ['target:<type>'] : [])].join(', ')}, not \`${effective}\``);
    return;
  }
  const actsOnUser = effective === 'actor' || effective === 'file_owner' || effective === 'subject' || targetType === 'user';
  const actsOnFile = effective === 'file' || targetType === 'file' || targetType === 'folder' || targetType === 'other';
  const actsOnGrant = effective === 'app_grant' || targetType === 'app';
  const fits = USER_VERBS.has(verb) ? actsOnUser : FILE_VERBS.has(verb) ? actsOnFile : GRANT_VERBS.has(verb) ? actsOnGrant : true;
  if (!fits) {
    const what = USER_VERBS.has(verb) ? 'a user' : FILE_VERBS.has(verb) ? 'a file' : 'an app grant';
    add([...at, target === null ? 'action' : 'target'], `${verb} acts on ${what}; \`${effective}\` is not one${target === null ? ' (the default target of this kind): set `target`' : ''}`);
  }

  const capability = `action:${verb}`;
  if (providers) {
    for (const provider of providers) {
      const declared = capabilities.get(provider);
      if (!declared) add([...at, 'action'], `action ${verb}: provider ${provider} has no connector yet, so it cannot perform it`);
      else if (!declared.has(capability)) add([...at, 'action'], `action ${verb}: provider ${provider} cannot perform it (its connector does not declare ${capability})`);
    }
  } else if (![...capabilities.values()].some((c) => c.has(capability))) {
    add([...at, 'action'], `action ${verb}: no registered connector can perform it`);
  }
}
