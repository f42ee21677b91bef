import { Type, type Static, type TSchema } from 'typebox';
import { ACTION_VERBS } from '../../ingestors/contract.js';
import { ALERT_SEVERITIES, PROVIDERS } from '../../schemas/vocabulary.js';
import { DURATION_PATTERN } from './duration.js';
import { POLICY_KINDS } from './field-catalogue.js';
import { MODIFIERS } from './modifiers.js';

/**
 * The policy file format. These TypeBox schemas are both the TypeScript types and the JSON Schema
 * published at `policies/policy.schema.json` for editors (`policy-schema.test.ts` keeps that file
 * in step). Semantic rules a schema cannot say (field paths, modifiers, the condition, actions a
 * provider can perform) are checked by `validate.ts`.
 */

export const POLICY_MODES = ['alert', 'enforce', 'dry-run'] as const;
export type PolicyMode = (typeof POLICY_MODES)[number];

/** What a governance action applies to (the default is the first of the policy kind's list). */
export const ACTION_TARGETS_BY_KIND = {
  activity: ['actor', 'target:<type>'],
  file: ['file', 'file_owner'],
  app_permission: ['app_grant', 'subject'],
} as const;

/** Who a `notify` action writes to, besides an email address. */
export const NOTIFY_RECIPIENTS_BY_KIND = {
  activity: ['actor'],
  file: ['file_owner'],
  app_permission: ['subject'],
} as const;

const Duration = (description: string) => Type.String({ pattern: DURATION_PATTERN, description: `${description} A duration: a whole number and a unit, s (seconds), m (minutes), h (hours) or d (days), e.g. \`10m\`, \`30d\`.` });

const FieldPath = (description: string) => Type.String({
  pattern: '^[a-z_][a-z0-9_]*(\\.[a-z0-9_]+)*$',
  description: `${description} A dotted path into the record, e.g. \`actor.email\`, \`source.ip\`, \`attributes.threat_suspected\`.`,
});

const GroupBy = (what: string) => Type.Array(FieldPath('A field whose value names the group.'), {
  minItems: 1,
  uniqueItems: true,
  description: `The fields whose values define a group: ${what} is kept per group (e.g. \`[actor.email]\` per user, \`[source.ip]\` per address). Always explicit, so that nothing is counted across the whole tenant by accident. An event without a value for one of these fields is not counted.`,
});

const FieldValue = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]);

const Selection = Type.Record(Type.String(), Type.Union([FieldValue, Type.Array(FieldValue)]), {
  description: 'A selection: `field|modifier|modifier: value` conditions that must all hold. A list of values means any of them (every one with the `all` modifier). '
    + 'Without a modifier the value is compared for equality, case-insensitively for text; null means the field has no value. '
    + `Modifiers: contains, startswith, endswith (text), re (a regular expression, case-sensitive unless followed by i; m and s are its other flags), glob (* and ? wildcards), cidr (an IP network such as 10.0.0.0/8), exists (true/false), gt, gte, lt, lte (numbers, or ISO 8601 times for time fields), all (every listed value must match), cased (case-sensitive text), fieldref (the values are field paths: compare with that field's value), domain (compare the email domains found in the value). Known modifiers: ${MODIFIERS.join(', ')}. `
    + 'A field through a list (`targets.type`, `file.collaborators.email`, `app.scopes`) matches when any element matches.',
});

export const DetectionSchema = Type.Object({
  condition: Type.String({
    minLength: 1,
    description: 'Which selections must match, Sigma style: selection names with `and`, `or`, `not` and parentheses, and `1 of name*`, `any of name*`, `all of name*`, `N of name*`, `1 of them`, `all of them`. Example: `failed and not service`.',
  }),
}, {
  additionalProperties: Type.Union([Selection, Type.Array(Selection, { minItems: 1, description: 'A list of selections: any one of them matches (OR).' })]),
  description: 'What a record must look like to match, in the shape of a Sigma detection: named selections (any name of letters, digits, `_` and `-`) and a `condition` over them.',
});

export const ThresholdSchema = Type.Object({
  count: Type.Integer({ minimum: 1, description: 'How many matching events (or distinct values, with `distinct`) within `within` make the policy fire.' }),
  within: Duration('The sliding window, measured on the events\' own times (never the clock), so a replay gives the same result.'),
  group_by: GroupBy('the count'),
  distinct: Type.Optional(Type.Union([FieldPath('Count distinct values of this field instead of events, e.g. `actor.email` per `source.ip` for a password spray.'), Type.Null()], {
    description: 'Count distinct values of this field instead of events, e.g. `actor.email` per `source.ip` for a password spray. Null or absent: count events.',
  })),
}, {
  additionalProperties: false,
  description: 'Fire only when at least `count` matching events happen within `within`, per group. Events are counted once each: replaying events already counted does not count them again.',
});

export const NewValueSchema = Type.Object({
  field: FieldPath('The field whose values are remembered, e.g. `source.country`.'),
  group_by: GroupBy('the history of values'),
  lookback: Duration('How long a value is remembered: a value not seen for the group within this time is new.'),
}, {
  additionalProperties: false,
  description: 'Fire when a matching event carries a value of `field` not seen for its group within `lookback` (e.g. a login from a country new for that user). The first value seen for a group with no history is learned without firing.',
});

export const ImpossibleTravelSchema = Type.Object({
  group_by: GroupBy('the last location'),
  max_speed_kmh: Type.Optional(Type.Number({ exclusiveMinimum: 0, default: 1000, description: 'Speed above which travel between two matching events is impossible, in km/h. Default 1000 (faster than an airliner).' })),
  min_distance_km: Type.Optional(Type.Number({ minimum: 0, default: 500, description: 'Distances below this are ignored, since IP geolocation is approximate, in km. Default 500.' })),
  ip_field: Type.Optional(FieldPath('The field holding the IP address to locate. Default `source.ip`.')),
}, {
  additionalProperties: false,
  description: 'Fire when two matching events of a group (e.g. logins of one user) are farther apart than anyone could travel in the time between them. Locations come from an offline GeoIP database.',
});

export const ActionSchema = Type.Object({
  action: Type.Enum([...ACTION_VERBS, 'notify'], {
    description: 'The governance verb (the provider\'s connector must declare it as `action:<verb>`), or `notify` to write to a person through the configured notifier.',
  }),
  target: Type.Optional(Type.String({
    pattern: '^(actor|file|file_owner|app_grant|subject|target:[a-z_]+)$',
    description: 'What the action applies to. Activity policies: `actor` (default) or `target:<type>` (each target of that type, e.g. `target:user`). File policies: `file` (default) or `file_owner`. App permission policies: `app_grant` (default) or `subject` (the user who granted it).',
  })),
  to: Type.Optional(Type.String({
    minLength: 1,
    description: 'For `notify`: an email address, or `actor` (activity), `file_owner` (file), `subject` (app permission).',
  })),
  requires_approval: Type.Optional(Type.Boolean({ default: false, description: 'True when a person must approve the action before it is carried out. Default false.' })),
  params: Type.Optional(Type.Record(Type.String(), Type.String(), {
    description: 'Action parameters as text, e.g. `group_id` for remove_from_group. `{{field.path}}` is replaced by the field\'s value in the matching record.',
  })),
}, {
  additionalProperties: false,
  description: 'A governance action requested when the policy raises a new alert. Commands are sent only in `enforce` mode (and recorded as dry runs in `dry-run` mode).',
});

export const SafetySchema = Type.Object({
  max_targets_per_hour: Type.Integer({ minimum: 1, default: 10, description: 'At most this many distinct targets acted on per hour (UTC); one more and the policy stops acting, keeps alerting, and raises an alert about itself. Default 10.' }),
}, { additionalProperties: false, description: 'A brake on governance actions.' });

export const AlertSchema = Type.Object({
  title: Type.Optional(Type.String({
    minLength: 1,
    description: 'A one-line title. `{{field.path}}` inserts a field of the matching record; also `{{count}}` (events or distinct values in the window), `{{alert_count}}`, `{{new_value}}`, `{{from}}`, `{{to}}`, `{{distance_km}}`, `{{speed_kmh}}`, `{{policy.id}}`, `{{policy.name}}`. Default: the policy name.',
  })),
  dedup: Type.Optional(Type.Object({
    key: Type.Array(FieldPath('A field of the deduplication key.'), { minItems: 1, uniqueItems: true, description: 'Fields whose values name the alert: matches with the same values within one period add to one alert, with a count.' }),
    period: Duration('The period: one alert per key per period (periods are aligned to UTC, e.g. `1h` starts on the hour).'),
  }, {
    additionalProperties: false,
    description: 'Alert deduplication. Default: the group_by fields of the threshold, new_value or impossible_travel section (else every matching event, or every file or grant, gets its own alert), with a period of 1h (1d for file and app_permission policies).',
  })),
  daily_limit: Type.Optional(Type.Integer({ minimum: 1, default: 100, description: 'At most this many new alerts per UTC day; further alerts are dropped and the policy raises one alert about itself. Default 100.' })),
}, { additionalProperties: false, description: 'How matches become alerts.' });

export const TestExpectSchema = Type.Object({
  match: Type.Optional(Type.Boolean({ description: 'Whether the policy fires on the events (for a single event: whether it matches).' })),
  alerts: Type.Optional(Type.Integer({ minimum: 0, description: 'How many distinct alerts the events raise.' })),
  commands: Type.Optional(Type.Integer({ minimum: 0, description: 'How many governance commands the events request (in the policy\'s own mode).' })),
  title: Type.Optional(Type.String({ description: 'The title of the first alert.' })),
}, { additionalProperties: false, minProperties: 1, description: 'What must happen. At least one of match, alerts, commands, title.' });

export const TestCaseSchema = Type.Object({
  name: Type.String({ minLength: 1, description: 'What the case shows, printed by `appwarden policy test`.' }),
  events: Type.Array(Type.Record(Type.String(), Type.Unknown()), {
    minItems: 1,
    description: 'Records in time order, in the JSON form `appwarden normalize` writes (times as ISO 8601 strings). Fields left out take defaults: null, empty lists and maps, `other`/`unknown`/`seen` for vocabulary fields (but actor.type `user`, kind `app_grant`), the first provider the policy names, instance `default`; ids are generated, and times run one second apart from 2024-01-01T00:00:00Z. `raw` may be given as an object: it is serialized. '
      + 'An event may carry `actor_account` ({status, groups, deleted}) and `grant` ({user_count}) for the enrichments. '
      + '`{repeat: N, every: 1m, event: {...}}` stands for N copies, `every` apart, with `{{i}}` in text replaced by 1..N.',
  }),
  expect: TestExpectSchema,
  geoip: Type.Optional(Type.Record(Type.String(), Type.Object({
    lat: Type.Number({ minimum: -90, maximum: 90, description: 'Latitude in degrees.' }),
    lon: Type.Number({ minimum: -180, maximum: 180, description: 'Longitude in degrees.' }),
    country: Type.Optional(Type.String({ description: 'Country code or name, for the alert.' })),
    city: Type.Optional(Type.String({ description: 'City, for the alert.' })),
  }, { additionalProperties: false }), { description: 'IP address → location used instead of the GeoIP database for this case, so that impossible-travel tests do not depend on the database version.' })),
}, { additionalProperties: false, description: 'An inline test case, run by `appwarden policy test` and in CI.' });

export const PolicySchema = Type.Object({
  id: Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$', description: 'Unique id: lower-case letters, digits and dashes, e.g. `okta-repeated-failed-logins`. Alerts and commands carry it.' }),
  name: Type.String({ minLength: 1, maxLength: 200, description: 'A short name for people.' }),
  description: Type.Optional(Type.String({ description: 'What the policy detects, why it matters, and what to do about it.' })),
  kind: Type.Enum(POLICY_KINDS, { description: 'What the policy evaluates: `activity` (audit events), `file` (file states, from scans and change feeds), `app_permission` (OAuth app grants: account records of kind app_grant).' }),
  severity: Type.Enum(ALERT_SEVERITIES, { description: 'Severity of its alerts: low, medium, high, critical.' }),
  enabled: Type.Optional(Type.Boolean({ default: true, description: 'False to keep the policy without evaluating it. Default true.' })),
  mode: Type.Optional(Type.Enum(POLICY_MODES, { default: 'alert', description: '`alert` raises alerts only; `enforce` also sends its governance actions; `dry-run` raises alerts and records the actions as dry runs without acting. Default alert.' })),
  providers: Type.Optional(Type.Array(Type.Enum(PROVIDERS), { minItems: 1, uniqueItems: true, description: 'Evaluate only records from these providers; absent: every provider. A provider-specific detection names its provider.' })),
  tags: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { uniqueItems: true, description: 'Free labels, e.g. MITRE ATT&CK technique ids.' })),
  detection: DetectionSchema,
  threshold: Type.Optional(ThresholdSchema),
  new_value: Type.Optional(NewValueSchema),
  impossible_travel: Type.Optional(ImpossibleTravelSchema),
  actions: Type.Optional(Type.Array(ActionSchema, { description: 'Governance actions to request for each new alert.' })),
  safety: Type.Optional(SafetySchema),
  alert: Type.Optional(AlertSchema),
  auto_disable: Type.Optional(Type.Object({
    max_matches_per_day: Type.Integer({ minimum: 1, default: 200000, description: 'Records matching the detection per UTC day above which the policy disables itself (and raises an alert saying why). Default 200000.' }),
  }, { additionalProperties: false, description: 'Protection against a policy that matches far too much.' })),
  tests: Type.Optional(Type.Array(TestCaseSchema, { description: 'Inline test cases: events and what must happen. Give positive and negative cases.' })),
}, {
  additionalProperties: false,
  title: 'Appwarden policy',
  description: 'One policy: a detection over normalized records, optional stateful conditions (threshold, new_value, impossible_travel, at most one), how its alerts are deduplicated, and the governance actions it requests.',
});

/** A policy as written (optional fields may be absent). */
export type PolicyDocument = Static<typeof PolicySchema>;
export type ActionDocument = Static<typeof ActionSchema>;
export type TestCase = Static<typeof TestCaseSchema>;

/** The JSON Schema published at `policies/policy.schema.json`: one policy, or a list of them. */
export function policyJsonSchema(): Record<string, unknown> {
  const policy: TSchema = PolicySchema;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'Appwarden policy file',
    description: 'One Appwarden policy, or a list of policies. Generated from processors/policy/policy-schema.ts; do not edit.',
    anyOf: [{ $ref: '#/$defs/policy' }, { type: 'array', items: { $ref: '#/$defs/policy' }, minItems: 1 }],
    $defs: { policy: JSON.parse(JSON.stringify(policy)) },
  };
}
