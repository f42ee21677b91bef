import type { AccountEvent, Alert, AuditEvent, FileEvent, GovernanceCommand, GovernanceResult } from '../../schemas/types.js';
import {
  ACCOUNTS, ACTIVITIES, ALERT_STATUS, ALERTS, AUDIT_TRAIL, FILES, GOVERNANCE_COMMANDS, GOVERNANCE_LOG,
} from './catalogue/index.js';

/**
 * The activity trail's tables. Each is described once, column by column, in `catalogue/`; the DDL,
 * the rows the sink writes, the SELECT lists and the mapping back into records and API answers all
 * come from there. Times are DateTime64(3, 'UTC'); they come back from `ClickHouse.query` as ISO strings.
 */
export const TABLES = {
  activities: ACTIVITIES.name,
  accounts: ACCOUNTS.name,
  files: FILES.name,
  alerts: ALERTS.name,
  alertStatus: ALERT_STATUS.name,
  governanceLog: GOVERNANCE_LOG.name,
  governanceCommands: GOVERNANCE_COMMANDS.name,
  auditTrail: AUDIT_TRAIL.name,
} as const;

export { ensureTables } from './catalogue/ensure.js';
export { latestActivities, userKey, type TableOptions } from './catalogue/index.js';

// JSONEachRow rows (date-times as `'YYYY-MM-DD hh:mm:ss.sss'` UTC), for `ClickHouse.insert`.
export const auditEventToRow = (e: AuditEvent) => ACTIVITIES.toJsonRow(e);
export const accountEventToRow = (e: AccountEvent) => ACCOUNTS.toJsonRow(e);
export const fileEventToRow = (e: FileEvent) => FILES.toJsonRow(e);
export const alertToRow = (a: Alert) => ALERTS.toJsonRow(a);
export const governanceResultToRow = (r: GovernanceResult) => GOVERNANCE_LOG.toJsonRow(r);
export const governanceCommandToRow = (c: GovernanceCommand) => GOVERNANCE_COMMANDS.toJsonRow(c);
