export { startOktaSimulator, type OktaSimulator, type OktaState, type OktaRequestCounters } from './simulator.js';
export type { OktaSimulatorOptions, ResolvedOktaOptions } from './options.js';
export type { OktaUser, OktaGroup, OktaRoleAssignment, OktaGrant, OktaApp, UserStatus } from './directory.js';
export { aliceLogin } from './directory.js';
export type { OktaLogEvent } from './event-kinds.js';
export type { OktaErrorBody } from './okta-errors.js';
export type { TimeInput } from './system-log.js';
export { OKTA_PERMISSIONS, type OktaPermission } from './permissions.js';
