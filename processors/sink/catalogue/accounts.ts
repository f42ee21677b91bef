import type { AccountEvent } from '../../../schemas/types.js';
import { DEDUP_SETTINGS, userKey } from './common.js';
import { defineTable } from './table.js';

/** Latest observed state per account object (user, group, membership, privilege, app grant). */
export const ACCOUNTS = defineTable<AccountEvent>({
  name: 'accounts',
  columns: [
    { name: 'record_id', type: 'String', path: 'record_id' },
    { name: 'provider', type: 'LowCardinality(String)', path: 'provider' },
    { name: 'instance', type: 'LowCardinality(String)', path: 'instance' },
    { name: 'observed_at', type: "DateTime64(3, 'UTC')", path: 'observed_at' },
    { name: 'kind', type: 'LowCardinality(String)', path: 'kind' },
    { name: 'subject_type', type: 'LowCardinality(String)', path: 'subject.type' },
    { name: 'subject_id', type: 'String', path: 'subject.id' },
    { name: 'subject_email', type: 'Nullable(String)', path: 'subject.email' },
    { name: 'subject_name', type: 'Nullable(String)', path: 'subject.name' },
    { name: 'user_key', type: 'String', fill: (e) => userKey(e.subject) },
    { name: 'status', type: 'LowCardinality(Nullable(String))', path: 'status' },
    { name: 'status_raw', type: 'Nullable(String)', path: 'status_raw' },
    { name: 'created_at', type: "Nullable(DateTime64(3, 'UTC'))", path: 'created_at' },
    { name: 'last_login_at', type: "Nullable(DateTime64(3, 'UTC'))", path: 'last_login_at' },
    { name: 'group_id', type: 'Nullable(String)', path: 'group?.id' },
    { name: 'group_name', type: 'Nullable(String)', path: 'group?.name' },
    { name: 'privilege_id', type: 'Nullable(String)', path: 'privilege?.id' },
    { name: 'privilege_name', type: 'Nullable(String)', path: 'privilege?.name' },
    { name: 'privilege_type', type: 'Nullable(String)', path: 'privilege?.type' },
    { name: 'app_id', type: 'Nullable(String)', path: 'app?.id' },
    { name: 'app_name', type: 'Nullable(String)', path: 'app?.name' },
    // An absent app stores no scopes ([]), which reads back as no app when its id and name are null too.
    { name: 'app_scopes', type: 'Array(String)', path: 'app?.scopes', fill: (e) => e.app?.scopes ?? [] },
    { name: 'deleted', type: 'Bool', path: 'deleted' },
    { name: 'attributes', type: 'Map(String, String)', path: 'attributes' },
    { name: 'raw', type: 'String', path: 'raw', api: false, codec: 'ZSTD(3)' },
  ],
  indexes: ['idx_user_key user_key TYPE bloom_filter(0.01) GRANULARITY 4'],
  engine: 'ReplacingMergeTree(observed_at)',
  orderBy: '(provider, instance, kind, record_id)',
  settings: DEDUP_SETTINGS,
});
