import { simulatorDemo } from '../common/demo.js';
import { startDropboxSimulator } from './simulator.js';

/** A Dropbox Business team, read by a team-scoped app with a refresh token. */
export const dropboxDemo = simulatorDemo({
  provider: 'dropbox',
  title: 'Dropbox Business team',
  start: ({ log, seed, small }) => startDropboxSimulator({ log, seed, ...(small ? { members: 6, groups: 2, teamFolders: 1, filesPerMember: 6, eventsPerDay: 300, days: 1 } : {}) }),
  connectorSettings: (sim) => ({ appKey: sim.appKey, appSecret: sim.appSecret, refreshToken: sim.refreshToken, apiUrl: sim.url }),
  exampleUser: (sim) => sim.admin.email,
});
