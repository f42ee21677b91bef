import type { Clock } from '../common/clock.js';
import type { Directory } from './directory.js';
import type { Governance } from './governance.js';
import type { ResolvedOktaOptions } from './options.js';
import type { SystemLog } from './system-log.js';
import type { UserLookup } from './user-lookup.js';

/** What the route handlers work on. */
export interface OktaRouteContext {
  directory: Directory;
  users: UserLookup;
  systemLog: SystemLog;
  governance: Governance;
  clock: Clock;
  options: ResolvedOktaOptions;
}
