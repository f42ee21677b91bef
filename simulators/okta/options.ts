import { type Logger, silentLogger } from '../../core/logger.js';
import { type Clock, systemClock } from '../common/clock.js';
import { OptionChecks } from '../common/option-checks.js';
import { createPrng } from '../common/prng.js';
import { OKTA_PERMISSIONS, type OktaPermission } from './permissions.js';

/** How to start the Okta simulator; every field has a default. */
export interface OktaSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1 (loopback only). */
  host?: string;
  /** The API token clients send as `Authorization: SSWS <token>`; default derived from the seed. */
  token?: string;
  /** Same seed, same org: ids, names, event uuids and their relative times. Default 1. */
  seed?: number | string;
  /** Number of users (the first is always `alice@<domain>`). Default 50. */
  users?: number;
  /** Number of OKTA_GROUP groups, besides the built-in Everyone group. Default 8. */
  groups?: number;
  /** System Log events generated per day of history (and per day of live activity). Default 2000. */
  eventsPerDay?: number;
  /** Days of history, ending now. Default 2, at most 90 (Okta's retention). */
  days?: number;
  /** Per endpoint family (`logs`, `users`, `groups`, ...) and org: requests per window. Default 600 per 60 s. */
  rateLimit?: { limit?: number; windowMs?: number };
  /** Largest `limit` a list accepts. Defaults: logs 1000, users 200, groups 10000. */
  maxPageSize?: { logs?: number; users?: number; groups?: number };
  /** Email domain of the users. Default `example.com`. */
  domain?: string;
  log?: Logger;
  /** The simulator's "now". Default the real clock. */
  clock?: Clock;
  /** Fraction of generated events that become readable only `lateByMs` after their `published` time. Default 0. */
  lateFraction?: number;
  /** Default 60000. */
  lateByMs?: number;
  /** Keep generating activity at `eventsPerDay` as the clock moves on. Default false. */
  live?: boolean;
  /** Permissions (`okta.logs.read`...) the token lacks: calls that need one answer 403 E0000006. Default none. */
  denyPermissions?: readonly string[];
}

export interface ResolvedOktaOptions {
  port: number;
  host: string;
  token: string;
  seed: number | string;
  users: number;
  groups: number;
  eventsPerDay: number;
  days: number;
  rateLimit: { limit: number; windowMs: number };
  maxPageSize: { logs: number; users: number; groups: number };
  domain: string;
  log: Logger;
  clock: Clock;
  lateFraction: number;
  lateByMs: number;
  live: boolean;
  denyPermissions: OktaPermission[];
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function permissionList(check: OptionChecks, value: unknown): OktaPermission[] {
  if (value === undefined) return [];
  const known = OKTA_PERMISSIONS as readonly unknown[];
  if (!Array.isArray(value) || value.some((v) => !known.includes(v))) {
    check.problems.push(`denyPermissions: must be a list of ${OKTA_PERMISSIONS.join(', ')}`);
    return [];
  }
  return value as OktaPermission[];
}

/** Fills defaults and checks every option, reporting all problems in one `AW_CONFIG_INVALID`. */
export function resolveOktaOptions(options: OktaSimulatorOptions = {}): ResolvedOktaOptions {
  const check = new OptionChecks('okta simulator');
  const seed = options.seed ?? 1;
  if (typeof seed !== 'number' && typeof seed !== 'string') check.problems.push('seed: must be a number or a string');
  const rateLimit = check.object('rateLimit', options.rateLimit);
  const maxPageSize = check.object('maxPageSize', options.maxPageSize);
  const resolved: ResolvedOktaOptions = {
    port: check.number('port', options.port, 0, { integer: true, min: 0, max: 65535 }),
    host: check.string('host', options.host, '127.0.0.1'),
    // Okta API tokens are 42 characters starting with 00.
    token: check.string('token', options.token, `00${createPrng(`${String(seed)}:token`).chars(40, BASE62)}`, /^\S+$/),
    seed,
    users: check.number('users', options.users, 50, { integer: true, min: 1, max: 1_000_000 }),
    groups: check.number('groups', options.groups, 8, { integer: true, min: 0, max: 10_000 }),
    eventsPerDay: check.number('eventsPerDay', options.eventsPerDay, 2000, { min: 0, max: 10_000_000 }),
    days: check.number('days', options.days, 2, { min: 0, max: 90 }),
    rateLimit: {
      limit: check.number('rateLimit.limit', rateLimit.limit, 600, { integer: true, min: 1 }),
      windowMs: check.number('rateLimit.windowMs', rateLimit.windowMs, 60_000, { integer: true, min: 1 }),
    },
    maxPageSize: {
      logs: check.number('maxPageSize.logs', maxPageSize.logs, 1000, { integer: true, min: 1 }),
      users: check.number('maxPageSize.users', maxPageSize.users, 200, { integer: true, min: 1 }),
      groups: check.number('maxPageSize.groups', maxPageSize.groups, 10_000, { integer: true, min: 1 }),
    },
    domain: check.string('domain', options.domain, 'example.com', /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i),
    log: options.log ?? silentLogger,
    clock: options.clock ?? systemClock,
    lateFraction: check.number('lateFraction', options.lateFraction, 0, { min: 0, max: 1 }),
    lateByMs: check.number('lateByMs', options.lateByMs, 60_000, { integer: true, min: 0 }),
    live: check.boolean('live', options.live, false),
    denyPermissions: permissionList(check, options.denyPermissions),
  };
  if (options.clock !== undefined && typeof options.clock?.now !== 'function') check.problems.push('clock: must have a now() method');
  check.throwIfAny();
  return resolved;
}
