import type { AccountEvent, AuditEvent, FileEvent } from '../../schemas/types.js';
import { ACCOUNTS, ACTIVITIES, FILES } from './catalogue/index.js';

/**
 * Stored rows back to the records they were written from, for whoever replays history (the policy
 * backtest, the stored-accounts enricher). Derived from the catalogue; rows are as `ClickHouse.query`
 * returns them (date-times as ISO strings).
 */
export type StoredActivityRow = Record<string, unknown>;
export type StoredFileRow = Record<string, unknown>;
export type StoredAccountRow = Record<string, unknown>;

/** What to select from `activities` for `activityRowToAuditEvent`. */
export const AUDIT_EVENT_COLUMNS = ACTIVITIES.recordColumns();
export const activityRowToAuditEvent = (row: StoredActivityRow): AuditEvent => ACTIVITIES.toRecord(row);

/** What to select from `files` for `fileRowToFileEvent`. */
export const FILE_EVENT_COLUMNS = FILES.recordColumns();
export const fileRowToFileEvent = (row: StoredFileRow): FileEvent => FILES.toRecord(row);

/** What to select from `accounts` for `accountRowToAccountEvent`. */
export const ACCOUNT_EVENT_COLUMNS = ACCOUNTS.recordColumns();
export const accountRowToAccountEvent = (row: StoredAccountRow): AccountEvent => ACCOUNTS.toRecord(row);
