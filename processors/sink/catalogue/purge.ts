import type { ClickHouse } from '../../../core/clickhouse.js';
import { ACCOUNTS, ACTIVITIES, FILES } from './index.js';
import { ACTIVITY_SUBJECTS } from './subjects.js';
import { ACTIVITY_VERSIONS } from './versions.js';

const OF_INSTANCE = 'provider = {provider:String} AND instance = {instance:String}';

/**
 * Deletes what one connector instance brought in: its activities (with their versions and subjects),
 * its accounts (users, groups, memberships, privileges, app grants) and its files. Alerts, the
 * governance log and the audit trail stay: they record what Appwarden and people did. Each delete
 * is a mutation waited for (`mutations_sync`), so the data is gone when this resolves.
 */
export async function purgeInstance(ch: ClickHouse, provider: string, instance: string): Promise<void> {
  const params = { provider, instance };
  const remove = (table: string, where: string) => ch.exec(`ALTER TABLE ${table} DELETE WHERE ${where} SETTINGS mutations_sync = 1`, params);
  // The versions name only event ids: those of the instance's activities, so before the activities go.
  await remove(ACTIVITY_VERSIONS.table, `event_id IN (SELECT event_id FROM ${ACTIVITIES.name} WHERE ${OF_INSTANCE})`);
  for (const table of [ACTIVITY_SUBJECTS.table, ACTIVITIES.name, ACCOUNTS.name, FILES.name]) await remove(table, OF_INSTANCE);
}
