import { recordId } from '../../schemas/event-id.js';
import type { FileEvent } from '../../schemas/types.js';
import type { SnapshotContext } from '../contract.js';
import { numeric, put } from '../runtime/json-fields.js';
import { requireObject, requireValue, time, value } from './fields.js';

export interface FileSettings {
  zone: string;
  /** The instance's origin, for the link to the record a file is attached to. */
  instanceUrl: string;
}

/**
 * A `sys_attachment` row → FileEvent: the file with the record it is attached to (`table_name`,
 * `table_sys_id`, as its path `/<table>/<sys_id>/<file>` and its link). ServiceNow has no public or
 * external sharing: an attachment is readable by whoever may read its record, inside the instance.
 */
export function normalizeAttachment(raw: unknown, ctx: SnapshotContext, settings: FileSettings, change: FileEvent['change'] = 'seen'): FileEvent {
  const row = requireObject(raw, '(record)');
  const id = requireValue(row, 'sys_id');
  const table = value(row, 'table_name');
  const recordSysId = value(row, 'table_sys_id');
  const name = value(row, 'file_name') ?? id;
  const createdBy = value(row, 'sys_created_by');
  const attributes: Record<string, string> = {};
  for (const key of ['table_name', 'table_sys_id', 'size_compressed', 'compressed', 'hash', 'state', 'sys_updated_by', 'sys_mod_count']) put(attributes, key, value(row, key));
  const created = time(row, 'sys_created_on', settings.zone);
  const updated = time(row, 'sys_updated_on', settings.zone);
  return {
    record_id: recordId('servicenow', ctx.instance, 'file', id),
    provider: 'servicenow',
    instance: ctx.instance,
    observed_at: ctx.observedAt,
    change: change === 'updated' && created !== null && created === updated ? 'created' : change,
    file: {
      id,
      name,
      path: table !== null && recordSysId !== null ? `/${table}/${recordSysId}/${name}` : null,
      mime_type: value(row, 'content_type'),
      size: numeric(value(row, 'size_bytes')),
      owner: createdBy === null ? null : { id: createdBy, email: null, name: value(row, 'created_by_name') ?? createdBy },
      created_at: created,
      modified_at: updated,
      access_level: 'internal',
      collaborators: [],
      label: null,
      url: table !== null && recordSysId !== null ? `${settings.instanceUrl}/${encodeURIComponent(table)}.do?sys_id=${encodeURIComponent(recordSysId)}` : value(row, 'download_link'),
    },
    attributes,
    raw: JSON.stringify(raw),
  };
}
