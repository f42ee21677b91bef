import { AppwardenError } from '../../core/errors.js';
import { parseDuration } from './duration.js';
import { compileGetter, type FieldGetter, type PolicyKind } from './field-catalogue.js';
import type { Policy, PolicyAction } from './policy.js';
import type { PolicyDocument } from './policy-schema.js';
import { formatProblem, type PolicyProblem } from './problems.js';
import { RecordContext, type Enricher, type PolicyRecord, type RecordKind } from './record-context.js';
import { parseTemplate } from './template.js';
import { checkPolicy, type CheckOptions } from './validate.js';

const RECORD_KINDS: Record<PolicyKind, RecordKind> = { activity: 'audit', file: 'file', app_permission: 'account' };

/** What a policy asks of the policy processor beyond the record. */
export interface PolicyNeeds {
  /** Uses `actor_account.*`: the processor must answer `Enricher.actorAccount`. */
  actorAccount: boolean;
  /** Uses `grant.user_count`: the processor must answer `Enricher.grantUserCount`. */
  grantUserCount: boolean;
  /** Has an impossible_travel section: the evaluator needs a GeoLocator. */
  geo: boolean;
}

/** A governance action with its parameter templates compiled. */
export interface CompiledAction extends PolicyAction {
  /** The parameters with `{{field}}` filled in from the record. */
  renderParams(ctx: RecordContext): Record<string, string>;
}

/** A policy compiled once for evaluation. The evaluator uses its members; `matches` is handy on its own (backtests, previews). */
export interface CompiledPolicy {
  /** The policy as written (what the API stores and shows). */
  readonly document: PolicyDocument;
  /** The policy with its defaults: what is evaluated. */
  readonly policy: Policy;
  readonly id: string;
  readonly version: number;
  readonly recordKind: RecordKind;
  readonly needs: PolicyNeeds;
  /** True when the record is of the policy's kind and providers and matches its detection. Pure. */
  matches(record: PolicyRecord, enricher?: Enricher | null): boolean;
  /** `matches` over a record context (enrichments fetched once across policies). */
  test(ctx: RecordContext): boolean;
  /** The record's group for the stateful section: null when the policy has none or a group field has no value. */
  groupKey(ctx: RecordContext): string | null;
  /** The value counted by a distinct threshold, null when absent. */
  distinctValue(ctx: RecordContext): string | null;
  /** The value remembered by new_value, null when absent. */
  newValue(ctx: RecordContext): string | null;
  /** The IP address impossible travel locates, null when absent. */
  travelIp(ctx: RecordContext): string | null;
  /** The alert deduplication key (`key`, compact) and a label for people (`actor.email=ana@example.com`). */
  dedupKey(ctx: RecordContext): { key: string; label: string };
  /** The alert title for a record and the firing's variables. */
  title(ctx: RecordContext, variables: Readonly<Record<string, unknown>>): string;
  readonly actions: readonly CompiledAction[];
  readonly windowMs: number | null;
  readonly lookbackMs: number | null;
  readonly periodMs: number;
}

export interface CompileOptions extends CheckOptions {
  /** The version the policy store gave this policy (alerts carry it). Default 1. */
  version?: number;
  /** The largest policy text read (`policies.maxDocumentBytes`); default MAX_DOCUMENT_BYTES. */
  maxDocumentBytes?: number;
}

/** The compiled policy when the document (as written) passes `checkPolicy`, else every problem found. */
export function tryCompilePolicy(value: unknown, options: CompileOptions = {}): { compiled: CompiledPolicy | null; problems: PolicyProblem[] } {
  const check = checkPolicy(value, options);
  if (!check.policy || !check.detection) return { compiled: null, problems: check.problems };
  const compiled = build(value as PolicyDocument, check.policy, check.detection.test, check.detection.fields.map((f) => f.path), options.version ?? 1);
  return { compiled, problems: [] };
}

/**
 * Compiles a policy document. Throws AW_BAD_REQUEST listing every problem (also in
 * `details.problems`) when it is not valid.
 */
export function compilePolicy(value: unknown, options: CompileOptions = {}): CompiledPolicy {
  const { compiled, problems } = tryCompilePolicy(value, options);
  if (compiled) return compiled;
  const id = value !== null && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string' ? (value as { id: string }).id : '(no id)';
  throw new AppwardenError('AW_BAD_REQUEST', `policy ${id} is invalid:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`, { details: { problems } });
}

function keyPart(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) {
    const parts = [...new Set(v.filter((x) => x !== null && x !== undefined).map((x) => String(x).toLowerCase()))].sort();
    return parts.length ? parts.join(',') : null;
  }
  return String(v).toLowerCase();
}

function build(document: PolicyDocument, policy: Policy, detect: (ctx: RecordContext) => boolean, detectionFields: string[], version: number): CompiledPolicy {
  const kind = policy.kind;
  const recordKind = RECORD_KINDS[kind];
  const getter = (path: string): FieldGetter => compileGetter(kind, path);
  const stateGroup = policy.threshold?.group_by ?? policy.new_value?.group_by ?? policy.impossible_travel?.group_by ?? null;
  const groupGetters = stateGroup?.map(getter) ?? null;
  const distinctGetter = policy.threshold?.distinct ? getter(policy.threshold.distinct) : null;
  const newValueGetter = policy.new_value ? getter(policy.new_value.field) : null;
  const ipGetter = policy.impossible_travel ? getter(policy.impossible_travel.ip_field) : null;
  const dedupPaths = policy.alert.dedup.key;
  const dedupGetters = dedupPaths.map(getter);
  const titleTemplate = parseTemplate(policy.alert.title);
  const titleGetters = new Map(titleTemplate.names.map((n) => [n, compileGetter(kind, n)]));
  const providers = policy.providers ? new Set<string>(policy.providers) : null;

  const allFields = [
    ...detectionFields, ...(stateGroup ?? []), ...dedupPaths, ...titleTemplate.names,
    ...(policy.threshold?.distinct ? [policy.threshold.distinct] : []), ...(policy.new_value ? [policy.new_value.field] : []),
  ];
  const needs: PolicyNeeds = {
    actorAccount: allFields.some((f) => f.startsWith('actor_account.')),
    grantUserCount: allFields.includes('grant.user_count'),
    geo: policy.impossible_travel !== null,
  };

  const appliesTo = (record: PolicyRecord): boolean => {
    if (providers && !providers.has(record.provider)) return false;
    switch (recordKind) {
      case 'audit': return 'event_id' in record;
      case 'file': return 'file' in record;
      case 'account': return 'kind' in record && record.kind === 'app_grant';
    }
  };
  const test = (ctx: RecordContext): boolean => appliesTo(ctx.record) && detect(ctx);

  const compiled: CompiledPolicy = {
    document,
    policy,
    id: policy.id,
    version,
    recordKind,
    needs,
    test,
    matches: (record, enricher = null) => test(new RecordContext(record, enricher)),
    groupKey(ctx) {
      if (!groupGetters) return null;
      let key = '';
      for (let i = 0; i < groupGetters.length; i++) {
        const part = keyPart(groupGetters[i]!(ctx));
        if (part === null) return null;
        key += i === 0 ? part : `\u001f${part}`;
      }
      return key;
    },
    distinctValue: (ctx) => (distinctGetter ? keyPart(distinctGetter(ctx)) : null),
    newValue: (ctx) => (newValueGetter ? keyPart(newValueGetter(ctx)) : null),
    travelIp(ctx) {
      const v = ipGetter?.(ctx);
      return typeof v === 'string' && v !== '' ? v : null;
    },
    dedupKey(ctx) {
      const parts = dedupGetters.map((g) => keyPart(g(ctx)) ?? '');
      return { key: parts.join('\u001f'), label: dedupPaths.map((p, i) => `${p}=${parts[i] || '(none)'}`).join(' ') };
    },
    title(ctx, variables) {
      return titleTemplate.render((name) => {
        if (Object.hasOwn(variables, name)) return variables[name];
        if (name === 'policy.id') return policy.id;
        if (name === 'policy.name') return policy.name;
        return titleGetters.get(name)?.(ctx);
      });
    },
    actions: policy.actions.map((a) => compileAction(kind, a)),
    windowMs: policy.threshold ? parseDuration(policy.threshold.within) : null,
    lookbackMs: policy.new_value ? parseDuration(policy.new_value.lookback) : null,
    periodMs: parseDuration(policy.alert.dedup.period)!,
  };
  return compiled;
}

function compileAction(kind: PolicyKind, action: PolicyAction): CompiledAction {
  const templates = Object.entries(action.params).map(([name, text]) => {
    const template = parseTemplate(text);
    const getters = new Map(template.names.map((n) => [n, compileGetter(kind, n)]));
    return { name, render: (ctx: RecordContext) => template.render((field) => getters.get(field)!(ctx)) };
  });
  return {
    ...action,
    renderParams: (ctx) => Object.fromEntries(templates.map((t) => [t.name, t.render(ctx)])),
  };
}
