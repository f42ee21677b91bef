import { zoneOffsetMs } from '../../ingestors/runtime/provider-time.js';
import type { Tables } from './instance-data.js';
import { SCHEMAS, type Row } from './tables.js';

/** Epoch ms as the instance writes a time: `YYYY-MM-DD HH:MM:SS` in its zone. */
export function instanceTime(ms: number, zone: string): string {
  const wall = ms + (zone === 'UTC' ? 0 : zoneOffsetMs(ms, zone));
  return new Date(wall).toISOString().slice(0, 19).replace('T', ' ');
}

export interface RenderOptions {
  zone: string;
  fields: readonly string[] | null;
  displayValue: 'false' | 'true' | 'all';
  excludeReferenceLink: boolean;
  /** The instance's origin, for reference links. */
  baseUrl: string;
}

/** A row as the Table API serves it: the asked columns, values as strings, references and display values as asked. */
export function renderRow(table: string, row: Row, tables: Tables, o: RenderOptions): Record<string, unknown> {
  const schema = SCHEMAS[table];
  const columns = o.fields ?? schema?.columns ?? Object.keys(row);
  const out: Record<string, unknown> = {};
  for (const column of columns) {
    if (schema && !schema.columns.includes(column)) continue;
    const raw = row[column] ?? '';
    const value = typeof raw === 'number' ? instanceTime(raw, o.zone) : raw;
    const refTable = schema?.references?.[column];
    if (refTable && value !== '') {
      const target = tables.get(refTable)?.find((r) => r.sys_id === value);
      const display = target ? String(target[SCHEMAS[refTable]?.displayField ?? 'sys_id'] ?? '') : '';
      const link = `${o.baseUrl}/api/now/table/${refTable}/${value}`;
      const withLink = o.excludeReferenceLink ? {} : { link };
      out[column] = o.displayValue === 'all' ? { display_value: display, ...withLink, value }
        : o.displayValue === 'true' ? (o.excludeReferenceLink ? display : { display_value: display, link })
          : (o.excludeReferenceLink ? value : { link, value });
      continue;
    }
    out[column] = o.displayValue === 'all' ? { display_value: value, value } : value;
  }
  return out;
}
