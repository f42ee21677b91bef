export { startSalesforceSimulator, newLoginHistoryId, type SalesforceSimulator } from './simulator.js';
export { SALESFORCE_PERMISSIONS, type SalesforcePermission, type SalesforceSimulatorOptions, type ResolvedSalesforceOptions } from './options.js';
export type { Org, Row } from './org.js';
export type { LogEvent, LogFile } from './log-files.js';
export { LOG_COLUMNS } from './log-files.js';
