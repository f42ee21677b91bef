import type { CsvColumn } from './export.js';
import type { Activity } from './routes/activities.js';

/** The columns of `GET /v1/activities?format=csv`: one per field, targets' fields joined with `|`. */
export const ACTIVITY_CSV_COLUMNS: readonly CsvColumn<Activity>[] = [
  { name: 'occurred_at', value: (a) => a.occurred_at },
  { name: 'event_id', value: (a) => a.event_id },
  { name: 'provider', value: (a) => a.provider },
  { name: 'instance', value: (a) => a.instance },
  { name: 'category', value: (a) => a.category },
  { name: 'action', value: (a) => a.action },
  { name: 'action_raw', value: (a) => a.action_raw },
  { name: 'outcome', value: (a) => a.outcome },
  { name: 'outcome_reason', value: (a) => a.outcome_reason },
  { name: 'severity', value: (a) => a.severity },
  { name: 'actor_id', value: (a) => a.actor.id },
  { name: 'actor_email', value: (a) => a.actor.email },
  { name: 'actor_name', value: (a) => a.actor.name },
  { name: 'actor_type', value: (a) => a.actor.type },
  { name: 'target_types', value: (a) => a.targets.map((t) => t.type) },
  { name: 'target_ids', value: (a) => a.targets.map((t) => t.id) },
  { name: 'target_names', value: (a) => a.targets.map((t) => t.name) },
  { name: 'src_ip', value: (a) => a.source.ip },
  { name: 'country', value: (a) => a.source.country },
  { name: 'city', value: (a) => a.source.city },
  { name: 'user_agent', value: (a) => a.source.user_agent },
  { name: 'session_id', value: (a) => a.session_id },
  { name: 'request_id', value: (a) => a.request_id },
  { name: 'ingested_at', value: (a) => a.ingested_at },
];
