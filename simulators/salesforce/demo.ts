import { simulatorDemo } from '../common/demo.js';
import { startSalesforceSimulator } from './simulator.js';

/** A Salesforce org with live activity, read by a connected app with the client credentials flow. */
export const salesforceDemo = simulatorDemo({
  provider: 'salesforce',
  title: 'Salesforce org',
  start: ({ log, seed, small }) => startSalesforceSimulator({
    log, seed, ...(small ? { users: 8, groups: 2, files: 6, loginsPerDay: 100, setupPerDay: 10, activityPerDay: 200, days: 1 } : {}),
  }),
  connectorSettings: (sim) => ({
    loginUrl: sim.loginUrl, authFlow: 'client_credentials', clientId: sim.clientId, clientSecret: sim.clientSecret,
    eventLogInterval: 'Hourly', realTimeEvents: ['LoginEvent', 'LogoutEvent', 'ApiEvent', 'ReportEvent', 'LightningUriEvent'],
  }),
  exampleUser: (sim) => String(sim.org.users[0]?.Username ?? ''),
  // A sales org and a support org, side by side.
  instances: ['demo', 'demo-support'],
});
