export { startAwsSimulator, type AwsSimulator, type AwsSimulatorOptions } from './simulator.js';
export type { AwsAccount, SimUser, SimBucket } from './account.js';
export { fullyBlocked } from './s3-api.js';
