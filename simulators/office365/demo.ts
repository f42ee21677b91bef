import { simulatorDemo } from '../common/demo.js';
import { startOffice365Simulator } from './simulator.js';

/** An Office 365 tenant: its token endpoint, Graph and the Management Activity API all on the simulator's URL. */
export const office365Demo = simulatorDemo({
  provider: 'office365',
  title: 'Office 365 tenant',
  start: ({ log, seed, small }) => startOffice365Simulator({ log, seed, ...(small ? { users: 6, groups: 2, sites: 1, itemsPerDrive: 3, eventsPerDay: 300, days: 1 } : {}) }),
  connectorSettings: (sim) => ({
    tenantId: sim.tenantId, clientId: sim.clientId, clientSecret: sim.clientSecret,
    loginUrl: sim.url, graphUrl: sim.url, managementUrl: sim.url,
  }),
});
