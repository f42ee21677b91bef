import { ACCOUNTS } from './accounts.js';
import { ACTIVITIES, TARGET_IDS_INDEXED } from './activities.js';
import { ALERT_STATUS, ALERTS } from './alerts.js';
import { AUDIT_TRAIL } from './audit-trail.js';
import { FILES } from './files.js';
import { GOVERNANCE_COMMANDS, GOVERNANCE_LOG } from './governance.js';
import type { CatalogueTable } from './table.js';

export { TARGET_IDS_INDEXED };
export { hasRawWords, rawWords, RAW_WORDS_INDEXED, wholeWordsWithin } from './raw-words.js';
export { ACCOUNTS, ACTIVITIES, ALERT_STATUS, ALERTS, AUDIT_TRAIL, FILES, GOVERNANCE_COMMANDS, GOVERNANCE_LOG };
export { userKey } from './common.js';
export type { ColumnSpec } from './column.js';
export { defineTable, type CatalogueTable, type TableOptions, type TableSpec } from './table.js';
export { RowBinaryWriter } from '../../../core/row-binary-writer.js';
export { ACTIVITY_VERSIONS, latestActivities } from './versions.js';
export { ACTIVITY_SUBJECTS, mentioning } from './subjects.js';

/** Every table of the trail, in creation order. */
export const CATALOGUE: ReadonlyArray<CatalogueTable<never>> = [
  ACTIVITIES, ACCOUNTS, FILES, ALERTS, ALERT_STATUS, GOVERNANCE_LOG, GOVERNANCE_COMMANDS, AUDIT_TRAIL,
] as unknown as ReadonlyArray<CatalogueTable<never>>;
