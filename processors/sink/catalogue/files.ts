import type { FileEvent } from '../../../schemas/types.js';
import { DEDUP_SETTINGS } from './common.js';
import { defineTable } from './table.js';

/** Latest observed state per file; `change = 'deleted'` marks a file that is gone. */
export const FILES = defineTable<FileEvent>({
  name: 'files',
  columns: [
    { name: 'record_id', type: 'String', path: 'record_id' },
    { name: 'provider', type: 'LowCardinality(String)', path: 'provider' },
    { name: 'instance', type: 'LowCardinality(String)', path: 'instance' },
    { name: 'observed_at', type: "DateTime64(3, 'UTC')", path: 'observed_at' },
    { name: 'change', type: 'LowCardinality(String)', path: 'change' },
    { name: 'file_id', type: 'String', path: 'file.id' },
    { name: 'name', type: 'String', path: 'file.name' },
    { name: 'path', type: 'Nullable(String)', path: 'file.path' },
    { name: 'mime_type', type: 'LowCardinality(Nullable(String))', path: 'file.mime_type' },
    { name: 'size', type: 'Nullable(UInt64)', path: 'file.size' },
    { name: 'owner_id', type: 'Nullable(String)', path: 'file.owner?.id' },
    { name: 'owner_email', type: 'Nullable(String)', path: 'file.owner?.email' },
    { name: 'owner_name', type: 'Nullable(String)', path: 'file.owner?.name' },
    { name: 'created_at', type: "Nullable(DateTime64(3, 'UTC'))", path: 'file.created_at' },
    { name: 'modified_at', type: "Nullable(DateTime64(3, 'UTC'))", path: 'file.modified_at' },
    { name: 'access_level', type: 'LowCardinality(String)', path: 'file.access_level' },
    { name: 'collaborator_types', type: 'Array(LowCardinality(String))', path: 'file.collaborators[].type' },
    { name: 'collaborator_ids', type: 'Array(Nullable(String))', path: 'file.collaborators[].id' },
    { name: 'collaborator_emails', type: 'Array(Nullable(String))', path: 'file.collaborators[].email' },
    { name: 'collaborator_roles', type: 'Array(String)', path: 'file.collaborators[].role' },
    { name: 'label', type: 'Nullable(String)', path: 'file.label' },
    { name: 'url', type: 'Nullable(String)', path: 'file.url' },
    { name: 'attributes', type: 'Map(String, String)', path: 'attributes' },
    { name: 'raw', type: 'String', path: 'raw', api: 'optional', codec: 'ZSTD(3)' },
  ],
  indexes: ['idx_owner_email owner_email TYPE bloom_filter(0.01) GRANULARITY 4'],
  engine: 'ReplacingMergeTree(observed_at)',
  orderBy: '(provider, instance, file_id)',
  settings: DEDUP_SETTINGS,
});
