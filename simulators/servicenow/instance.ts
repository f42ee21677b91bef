import { createPrng } from '../common/prng.js';
import { ActivityHistory } from './history.js';
import { generateTables, type Tables } from './instance-data.js';
import type { ResolvedOptions } from './options.js';
import { HISTORY_TABLES, SCHEMAS, isHistoryTable, type HistoryTable, type Row } from './tables.js';

/** The simulated instance's state: its tables, its history, and what the tests asked of it. */
export class ServiceNowInstance {
  readonly tables: Tables;
  readonly history: ActivityHistory;
  /** Permissions (`sys_audit.read`, `sys_user.write`, `oauth_credential.delete`...) the integration user lacks. */
  readonly denied = new Set<string>();
  readonly counters = { requests: 0, throttled: 0, quotaCancelled: 0, unauthorized: 0, denied: 0, tokensIssued: 0 };
  throttle = { rateLimit: 0, quota: 0 };
  /** Access tokens issued by /oauth_token.do and when they expire. */
  readonly tokens = new Map<string, number>();
  private readonly ids;

  constructor(readonly options: ResolvedOptions) {
    this.tables = generateTables(options);
    this.history = new ActivityHistory(options, this.tables);
    this.ids = createPrng(`${options.seed}:added:${options.clock.now()}`);
  }

  newId(): string {
    return this.ids.hex(32);
  }

  /** Every row of a table now (history tables from `since`, when given); undefined for a table the instance does not have. */
  rows(table: string, since?: number): Row[] | undefined {
    if (isHistoryTable(table)) return this.history.rows(table, since);
    return this.tables.get(table);
  }

  columns(table: string): ReadonlySet<string> {
    return new Set(SCHEMAS[table]?.columns ?? []);
  }

  user(sysIdOrName: string): Row | undefined {
    return this.tables.get('sys_user')!.find((u) => u.sys_id === sysIdOrName || u.user_name === sysIdOrName);
  }

  /** Adds a row to a history table (dated `at`, readable from now on). */
  addActivity(table: HistoryTable, row: Row): Row {
    const full: Row = { sys_id: this.newId(), ...row };
    this.history.added[table].push(full);
    return full;
  }

  /** Applies a change to a record as the Table API does, auditing each changed field in `sys_audit` as `actor`. */
  update(table: string, row: Row, changes: Record<string, string>, actor: string): void {
    const now = Math.floor(this.options.clock.now() / 1000) * 1000;
    for (const [field, value] of Object.entries(changes)) {
      if (!SCHEMAS[table]?.columns.includes(field) || field.startsWith('sys_')) continue;
      const old = String(row[field] ?? '');
      if (old === value) continue;
      row[field] = value;
      this.audit(table, String(row.sys_id), field, old, value, actor, now);
    }
    row.sys_updated_on = now;
    row.sys_updated_by = actor;
    row.sys_mod_count = String(Number(row.sys_mod_count ?? 0) + 1);
  }

  /** Deletes a record; a deleted user takes their memberships, roles and tokens along. Audited as ServiceNow does (`DELETED`, checkpoint -1). */
  remove(table: string, sysId: string, actor: string): boolean {
    const rows = this.tables.get(table);
    const index = rows?.findIndex((r) => r.sys_id === sysId) ?? -1;
    if (!rows || index === -1) return false;
    rows.splice(index, 1);
    this.audit(table, sysId, 'DELETED', '', 'DELETED', actor, Math.floor(this.options.clock.now() / 1000) * 1000);
    if (table === 'sys_user') {
      for (const related of ['sys_user_grmember', 'sys_user_has_role', 'oauth_credential']) {
        for (const r of [...(this.tables.get(related) ?? [])].filter((x) => x.user === sysId)) this.remove(related, String(r.sys_id), actor);
      }
    }
    return true;
  }

  private audit(table: string, documentKey: string, field: string, oldValue: string, newValue: string, actor: string, at: number): void {
    this.addActivity('sys_audit', {
      sys_created_on: at, sys_created_by: actor, tablename: table, fieldname: field, documentkey: documentKey, oldvalue: oldValue, newvalue: newValue,
      user: actor, reason: '', record_checkpoint: field === 'DELETED' ? '-1' : '1', internal_checkpoint: '',
    });
  }
}

export { HISTORY_TABLES };
