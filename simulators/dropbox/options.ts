import { type Logger, silentLogger } from '../../core/logger.js';
import { type Clock, systemClock } from '../common/clock.js';
import { OptionChecks } from '../common/option-checks.js';

/** Every scope the simulated app may be granted (team-scoped app scopes as Dropbox names them). */
export const DROPBOX_SCOPES = [
  'team_info.read', 'members.read', 'members.write', 'groups.read', 'events.read', 'sessions.list', 'sessions.modify',
  'team_data.member', 'team_data.team_space', 'files.metadata.read', 'files.content.write', 'sharing.read', 'sharing.write',
] as const;

/** How to start the Dropbox simulator; every field has a default. */
export interface DropboxSimulatorOptions {
  port?: number;
  host?: string;
  /** Same seed, same team: ids, names, files and the team log. Default 1. */
  seed?: number | string;
  /** Team members (the first is the team admin who authorized the app). Default 20. */
  members?: number;
  groups?: number;
  teamFolders?: number;
  /** Files and folders in each active member's Dropbox. Default 6. */
  filesPerMember?: number;
  /** Team log events per day of history and of live activity. Default 1500. */
  eventsPerDay?: number;
  /** Days of history, ending now. Default 2. */
  days?: number;
  /** The team's email domain. Default `example.com`. */
  domain?: string;
  appKey?: string;
  appSecret?: string;
  refreshToken?: string;
  /** Lifetime of an access token. Default 14400 s (four hours), as Dropbox's short-lived tokens. */
  tokenLifetimeSeconds?: number;
  /** Scopes granted to the app. Default all of `DROPBOX_SCOPES`. */
  scopes?: readonly string[];
  /** Requests per window per app before 429 too_many_requests. Default 1000 per 60 s. */
  rateLimit?: { limit?: number; windowMs?: number };
  /** A `get_events` call's first page is empty with `has_more: true`, as Dropbox may answer. Default true. */
  emptyFirstPage?: boolean;
  log?: Logger;
  clock?: Clock;
}

export type ResolvedDropboxOptions = Required<Omit<DropboxSimulatorOptions, 'rateLimit' | 'scopes'>> & {
  rateLimit: { limit: number; windowMs: number };
  scopes: string[];
};

/** Fills defaults and checks every option, reporting all problems in one `AW_CONFIG_INVALID`. */
export function resolveDropboxOptions(options: DropboxSimulatorOptions = {}): ResolvedDropboxOptions {
  const check = new OptionChecks('dropbox simulator');
  const seed = options.seed ?? 1;
  const rate = check.object('rateLimit', options.rateLimit);
  const scopes = options.scopes === undefined ? [...DROPBOX_SCOPES] : [...options.scopes];
  if (scopes.some((s) => !(DROPBOX_SCOPES as readonly string[]).includes(s))) check.problems.push(`scopes: must be among ${DROPBOX_SCOPES.join(', ')}`);
  const resolved: ResolvedDropboxOptions = {
    port: check.number('port', options.port, 0, { integer: true, min: 0, max: 65535 }),
    host: check.string('host', options.host, '127.0.0.1'),
    seed,
    members: check.number('members', options.members, 20, { integer: true, min: 3, max: 10_000 }),
    groups: check.number('groups', options.groups, 4, { integer: true, min: 0, max: 1000 }),
    teamFolders: check.number('teamFolders', options.teamFolders, 2, { integer: true, min: 0, max: 100 }),
    filesPerMember: check.number('filesPerMember', options.filesPerMember, 6, { integer: true, min: 4, max: 10_000 }),
    eventsPerDay: check.number('eventsPerDay', options.eventsPerDay, 1500, { min: 0, max: 1_000_000 }),
    days: check.number('days', options.days, 2, { min: 0, max: 365 }),
    domain: check.string('domain', options.domain, 'example.com', /^[a-z0-9.-]+\.[a-z]+$/),
    appKey: check.string('appKey', options.appKey, `appkey${String(seed).replace(/[^a-z0-9]/gi, '').slice(0, 12)}`),
    appSecret: check.string('appSecret', options.appSecret, `appsecret-${String(seed)}-sim`),
    refreshToken: check.string('refreshToken', options.refreshToken, `refresh-${String(seed)}-sim-token`),
    tokenLifetimeSeconds: check.number('tokenLifetimeSeconds', options.tokenLifetimeSeconds, 14_400, { integer: true, min: 1 }),
    scopes,
    rateLimit: {
      limit: check.number('rateLimit.limit', rate.limit, 1000, { integer: true, min: 1 }),
      windowMs: check.number('rateLimit.windowMs', rate.windowMs, 60_000, { min: 1 }),
    },
    emptyFirstPage: check.boolean('emptyFirstPage', options.emptyFirstPage, true),
    log: options.log ?? silentLogger,
    clock: options.clock ?? systemClock,
  };
  check.throwIfAny();
  return resolved;
}
