import type {
  ActivityStream, Capability, ChangePage, ChangeStream, SnapshotItem, SnapshotKinds, SnapshotNormalizer, SnapshotPage, SnapshotStream,
} from '../contract.js';
import { obj, type Json } from '../runtime/json-fields.js';
import { isoTime } from '../runtime/provider-time.js';
import { AUDITED_TABLES, SYSEVENTS } from './event-types.js';
import { display, formatTime, value } from './fields.js';
import type { ActivityTable } from './normalize-activity.js';
import { encodedQuery, queryValue, type TableClient } from './table-client.js';

/** The permission a stream needs, as this connector names it: the read ACL of its table. */
export const readPermission = (table: string): string => `${table}.read`;

interface ActivityTableSpec {
  table: ActivityTable;
  capabilities: readonly Capability[];
  /** Which rows of the table are audit records. */
  filter: string | null;
  fields: readonly string[];
}

/** The tables read as activities: sign-ins, changes to users, groups, roles and tokens, and user transactions. */
export const ACTIVITY_TABLE_SPECS: readonly ActivityTableSpec[] = [
  {
    table: 'sysevent', capabilities: ['activities:logon'], filter: `nameIN${Object.keys(SYSEVENTS).join(',')}`,
    fields: ['sys_id', 'name', 'parm1', 'parm2', 'queue', 'state', 'processed', 'uri', 'instance', 'table', 'sys_created_by', 'sys_created_on'],
  },
  {
    table: 'sys_audit', capabilities: ['activities:admin'], filter: `tablenameIN${Object.keys(AUDITED_TABLES).join(',')}`,
    fields: ['sys_id', 'tablename', 'fieldname', 'documentkey', 'oldvalue', 'newvalue', 'user', 'reason', 'record_checkpoint', 'internal_checkpoint', 'sys_created_on'],
  },
  {
    table: 'syslog_transaction', capabilities: ['activities:user'], filter: null,
    fields: ['sys_id', 'url', 'type', 'client_transaction', 'response_time', 'sql_time', 'output_length', 'http_status', 'session', 'remote_ip', 'user_agent', 'sys_created_by', 'sys_created_on'],
  },
];

/**
 * Reads an activity table by `sys_created_on` window, oldest first (then by sys_id). The rows stay as
 * the instance sent them: the stream's name is their table and its `timeZone` the zone of their times.
 */
export function activityStream(client: TableClient, spec: ActivityTableSpec, zone: string): ActivityStream {
  return {
    name: spec.table,
    capabilities: spec.capabilities,
    permission: readPermission(spec.table),
    timeZone: zone,
    async *read(window, signal) {
      // Times are whole seconds, written in the instance's zone; [since, until) keeps its meaning.
      const query = encodedQuery([
        spec.filter,
        `sys_created_on>=${formatTime(window.since, zone)}`,
        `sys_created_on<${formatTime(Math.ceil(window.until / 1000) * 1000, zone)}`,
      ], ['sys_created_on', 'sys_id']);
      for await (const rows of client.rows(spec.table, { query, fields: spec.fields, signal })) {
        yield rows;
      }
    },
    timeOf: (raw) => isoTime(value(obj(raw) ?? {}, 'sys_created_on'), { zone }),
  };
}

export interface TableScanSpec<K extends string> {
  name: string;
  table: string;
  topic: 'account' | 'file';
  capabilities: readonly Capability[];
  kind: K;
  normalize: SnapshotNormalizer;
  fields: readonly string[];
  displayValue?: 'false' | 'all';
  /** Rows to leave out (a role that is not admin-grade). */
  keep?: (row: Json) => boolean;
}

/**
 * A full scan of one table in `sys_id` order. Each page's checkpoint is its last sys_id, so a
 * restarted scan resumes with `sys_id>` that one; within a read the pages follow the Link header.
 */
export function tableScan<K extends string>(client: TableClient, spec: TableScanSpec<K>): SnapshotStream<K> {
  const kinds = { [spec.kind]: spec.normalize } as SnapshotKinds<K>;
  return {
    name: spec.name,
    topic: spec.topic,
    kinds,
    capabilities: spec.capabilities,
    permission: readPermission(spec.table),
    async *read(signal, resume): AsyncIterable<SnapshotPage<K>> {
      const query = encodedQuery([resume ? `sys_id>${queryValue(resume)}` : null], ['sys_id']);
      for await (const rows of client.rows(spec.table, { query, fields: spec.fields, displayValue: spec.displayValue ?? 'false', signal })) {
        const objects = rows.map((r) => obj(r) ?? {});
        const last = objects.length > 0 ? value(objects[objects.length - 1]!, 'sys_id') : null;
        const items: SnapshotItem<K>[] = objects.filter((row) => spec.keep?.(row) ?? true).map((raw) => ({ kind: spec.kind, raw }));
        yield { items, ...(last !== null ? { checkpoint: last } : {}) };
      }
    },
  };
}

/** Whether a `sys_user_has_role` row (read with display values) grants one of the admin-grade roles. */
export function adminGrade(adminRoles: readonly string[]): (row: Json) => boolean {
  const names = new Set(adminRoles.map((r) => r.toLowerCase()));
  return (row) => names.has((display(row, 'role') ?? '').toLowerCase());
}

interface ChangeCursor {
  /** The `sys_updated_on` (epoch ms) and sys_id of the last row read. */
  at: number;
  id: string;
}

function parseCursor(cursor: string): ChangeCursor {
  try {
    const c = obj(JSON.parse(cursor));
    if (c && typeof c.at === 'number' && typeof c.id === 'string') return { at: c.at, id: c.id };
  } catch {
    // An unreadable cursor starts from the present; the next full scan covers the gap.
  }
  return { at: Date.now(), id: '' };
}

/**
 * Near-realtime changes of a table by polling `sys_updated_on`: rows updated at or after the last
 * one seen, ordered by `sys_updated_on` then `sys_id`, resuming after that row (same second, greater
 * sys_id; or a later second). The cursor is the last row's time and sys_id.
 */
export function updatedRowsStream<K extends string>(client: TableClient, spec: TableScanSpec<K>, zone: string): ChangeStream<K> {
  const kinds = { [spec.kind]: spec.normalize } as SnapshotKinds<K>;
  const timeOf = (row: Json) => isoTime(value(row, 'sys_updated_on'), { zone });
  return {
    name: spec.name,
    topic: spec.topic,
    kinds,
    capabilities: spec.capabilities,
    permission: readPermission(spec.table),
    async initialCursor(signal) {
      const [newest] = await client.first(spec.table, { query: 'ORDERBYDESCsys_updated_on^ORDERBYDESCsys_id', fields: ['sys_id', 'sys_updated_on'], limit: 1, signal });
      const at = newest ? timeOf(newest) : null;
      return JSON.stringify(newest && at !== null ? { at, id: value(newest, 'sys_id') ?? '' } : { at: Date.now(), id: '' });
    },
    async *read(cursor, signal): AsyncIterable<ChangePage<K>> {
      let last = parseCursor(cursor);
      const query = encodedQuery([`sys_updated_on>=${formatTime(last.at, zone)}`], ['sys_updated_on', 'sys_id']);
      for await (const rows of client.rows(spec.table, { query, fields: spec.fields, displayValue: spec.displayValue ?? 'false', signal })) {
        const items: SnapshotItem<K>[] = [];
        for (const row of rows.map((r) => obj(r) ?? {})) {
          const at = timeOf(row);
          const id = value(row, 'sys_id') ?? '';
          if (at === null || at < last.at || (at === last.at && id <= last.id)) continue;
          last = { at, id };
          if (spec.keep?.(row) ?? true) items.push({ kind: spec.kind, raw: row });
        }
        yield { items, cursor: JSON.stringify(last) };
      }
    },
  };
}
