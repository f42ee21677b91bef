import { simulatorDemo } from '../common/demo.js';
import { startOktaSimulator } from './simulator.js';

/** An Okta org with live activity, read with an API token. */
export const oktaDemo = simulatorDemo({
  provider: 'okta',
  title: 'Okta org',
  start: ({ log, seed, small }) => startOktaSimulator({ log, seed, live: true, ...(small ? { users: 8, groups: 2, eventsPerDay: 300, days: 1 } : {}) }),
  connectorSettings: (sim) => ({ orgUrl: sim.url, token: sim.token }),
  exampleUser: (sim) => sim.state.users[0]?.profile.login ?? '',
});
