import { simulatorDemo } from '../common/demo.js';
import { startGoogleWorkspaceSimulator } from './simulator.js';

/**
 * A Google Workspace domain, read by a service account with domain-wide delegation. The simulator
 * makes the account's key pair unless it is given a public key (the connector then needs the private half).
 */
export const googleWorkspaceDemo = simulatorDemo({
  provider: 'google_workspace',
  title: 'Google Workspace domain',
  start: ({ log, seed, small }) => startGoogleWorkspaceSimulator({ log, seed, ...(small ? { users: 6, groups: 2, filesPerUser: 2, sharedDrives: 1, activitiesPerDay: 300, days: 1 } : {}) }),
  connectorSettings: (sim) => ({
    clientEmail: sim.clientEmail, adminEmail: sim.adminEmail, domain: sim.domain,
    tokenUrl: sim.tokenUrl, adminBaseUrl: sim.url, driveBaseUrl: sim.url,
    ...(sim.privateKey ? { privateKey: sim.privateKey } : {}),
  }),
});
