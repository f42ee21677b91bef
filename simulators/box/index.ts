export { startBoxSimulator, BOX_SCOPES, type BoxSimulator } from './simulator.js';
export type { BoxSimulatorOptions } from './options.js';
export { POSITION_BASE } from './event-log.js';
export type { SimCollaboration, SimItem, SimUser, Tenant } from './tenant.js';
