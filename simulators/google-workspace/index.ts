export { startGoogleWorkspaceSimulator, type GoogleWorkspaceSimulator, type GoogleRequestCounters } from './simulator.js';
export { KNOWN_SCOPES, SIMULATED_APPLICATIONS, type GoogleWorkspaceSimulatorOptions, type ResolvedGoogleWorkspaceOptions, type ThrottleStyle } from './options.js';
export type { Directory, SimUser, SimGroup, SimMember, SimRole, SimRoleAssignment, SimToken, SimApp } from './directory.js';
export type { DriveState, SimFile, SimPermission, SimSharedDrive, SimLabel } from './drive.js';
export type { TimeInput } from './reports.js';
