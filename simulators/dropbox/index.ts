export { startDropboxSimulator, type DropboxSimulator } from './simulator.js';
export { DROPBOX_SCOPES, type DropboxSimulatorOptions, type ResolvedDropboxOptions } from './options.js';
export type { SimEntry, SimLink, SimMember, SimGroup, SimSharedFolder, TeamState } from './state.js';
