import type { ActionVerb } from '../../ingestors/contract.js';
import type { AlertSeverity, Provider } from '../../schemas/vocabulary.js';
import type { PolicyKind } from './field-catalogue.js';
import type { PolicyDocument, PolicyMode, TestCase } from './policy-schema.js';

/** A governance action of a policy, defaults applied. */
export interface PolicyAction {
  action: ActionVerb | 'notify';
  /** `actor`, `target:<type>`, `file`, `file_owner`, `app_grant`, `subject`. */
  target: string;
  /** For notify: an address, or `actor` / `file_owner` / `subject`. */
  to: string | null;
  requires_approval: boolean;
  params: Record<string, string>;
}

/** A valid policy with every default applied: what the evaluator runs. */
export interface Policy {
  id: string;
  name: string;
  description: string;
  kind: PolicyKind;
  severity: AlertSeverity;
  enabled: boolean;
  mode: PolicyMode;
  /** Null: every provider. */
  providers: Provider[] | null;
  tags: string[];
  detection: Record<string, unknown>;
  threshold: { count: number; within: string; group_by: string[]; distinct: string | null } | null;
  new_value: { field: string; group_by: string[]; lookback: string } | null;
  impossible_travel: { group_by: string[]; max_speed_kmh: number; min_distance_km: number; ip_field: string } | null;
  actions: PolicyAction[];
  safety: { max_targets_per_hour: number };
  alert: { title: string; dedup: { key: string[]; period: string }; daily_limit: number };
  auto_disable: { max_matches_per_day: number };
  tests: TestCase[];
}

export const DEFAULT_TARGETS: Record<PolicyKind, string> = { activity: 'actor', file: 'file', app_permission: 'app_grant' };

/** The policy with every optional field filled in with its documented default. Assumes a schema-valid document. */
export function applyDefaults(doc: PolicyDocument): Policy {
  const threshold = doc.threshold ? { ...doc.threshold, distinct: doc.threshold.distinct ?? null } : null;
  const newValue = doc.new_value ? { ...doc.new_value } : null;
  const travel = doc.impossible_travel
    ? {
      group_by: doc.impossible_travel.group_by,
      max_speed_kmh: doc.impossible_travel.max_speed_kmh ?? 1000,
      min_distance_km: doc.impossible_travel.min_distance_km ?? 500,
      ip_field: doc.impossible_travel.ip_field ?? 'source.ip',
    }
    : null;
  const groupBy = threshold?.group_by ?? newValue?.group_by ?? travel?.group_by ?? null;
  const stateKey = doc.kind === 'activity' ? 'event_id' : 'record_id';
  return {
    id: doc.id,
    name: doc.name,
    description: doc.description ?? '',
    kind: doc.kind,
    severity: doc.severity,
    enabled: doc.enabled ?? true,
    mode: doc.mode ?? 'alert',
    providers: doc.providers ? [...doc.providers] : null,
    tags: doc.tags ?? [],
    detection: doc.detection as Record<string, unknown>,
    threshold,
    new_value: newValue,
    impossible_travel: travel,
    actions: (doc.actions ?? []).map((a) => ({
      action: a.action,
      target: a.target ?? DEFAULT_TARGETS[doc.kind],
      to: a.to ?? null,
      requires_approval: a.requires_approval ?? false,
      params: a.params ?? {},
    })),
    safety: { max_targets_per_hour: doc.safety?.max_targets_per_hour ?? 10 },
    alert: {
      title: doc.alert?.title ?? doc.name,
      dedup: doc.alert?.dedup ?? { key: groupBy ?? [stateKey], period: doc.kind === 'activity' ? '1h' : '1d' },
      daily_limit: doc.alert?.daily_limit ?? 100,
    },
    auto_disable: { max_matches_per_day: doc.auto_disable?.max_matches_per_day ?? 200_000 },
    tests: doc.tests ?? [],
  };
}
