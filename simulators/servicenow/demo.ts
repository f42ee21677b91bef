import { simulatorDemo } from '../common/demo.js';
import { startServiceNowSimulator } from './simulator.js';

/** A ServiceNow instance with live activity, read with basic auth; its times are written in Europe/Amsterdam. */
export const serviceNowDemo = simulatorDemo({
  provider: 'servicenow',
  title: 'ServiceNow instance',
  start: ({ log, seed, small }) => startServiceNowSimulator({ log, seed, live: true, timeZone: 'Europe/Amsterdam', ...(small ? { users: 8, groups: 3, eventsPerDay: 200, days: 1 } : {}) }),
  connectorSettings: (sim) => ({ instanceUrl: sim.url, auth: 'basic', username: sim.options.username, password: sim.options.password, timeZone: sim.options.timeZone }),
  exampleUser: (sim) => String(sim.instance.tables.get('sys_user')?.[2]?.user_name ?? ''),
  // A production and a sub-production instance, side by side.
  instances: ['demo', 'demo-subprod'],
});
