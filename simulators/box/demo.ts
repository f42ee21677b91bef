import { simulatorDemo } from '../common/demo.js';
import { startBoxSimulator, type BoxSimulator } from './simulator.js';

/** The connector settings that reach a simulated enterprise, with JWT auth when the simulator holds the key pair. */
export function boxConnectorSettings(sim: BoxSimulator, method: 'jwt' | 'client_credentials' = sim.privateKey ? 'jwt' : 'client_credentials'): Record<string, unknown> {
  return {
    authMethod: method, clientId: sim.clientId, clientSecret: sim.clientSecret, enterpriseId: sim.enterpriseId,
    tokenUrl: sim.tokenUrl, baseUrl: sim.apiUrl, domains: [sim.domain], classification: 'Confidential',
    ...(method === 'jwt' && sim.privateKey ? { jwt: { publicKeyId: sim.publicKeyId, privateKey: sim.privateKey, ...(sim.passphrase ? { passphrase: sim.passphrase } : {}) } } : {}),
  };
}

/** A Box enterprise with live activity, read by a Platform app with server authentication (JWT). */
export const boxDemo = simulatorDemo({
  provider: 'box',
  title: 'Box enterprise',
  start: ({ log, seed, small }) => startBoxSimulator({ log, seed, live: true, ...(small ? { users: 8, groups: 2, foldersPerUser: 1, filesPerFolder: 2, eventsPerDay: 300, days: 1 } : {}) }),
  connectorSettings: (sim) => boxConnectorSettings(sim),
  exampleUser: (sim) => sim.tenant.users[2]?.login ?? '',
});
