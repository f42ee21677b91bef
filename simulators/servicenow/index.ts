export { startServiceNowSimulator, type ServiceNowSimulator } from './simulator.js';
export type { ServiceNowSimulatorOptions, ResolvedOptions } from './options.js';
export type { Row, HistoryTable } from './tables.js';
export { instanceTime } from './render.js';
