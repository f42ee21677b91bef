import { type Logger, silentLogger } from '../../core/logger.js';
import { assertTimeZone } from '../../ingestors/runtime/provider-time.js';
import { type Clock, systemClock } from '../common/clock.js';
import { OptionChecks } from '../common/option-checks.js';
import { createPrng } from '../common/prng.js';

/** How to start the ServiceNow simulator; every field has a default. */
export interface ServiceNowSimulatorOptions {
  port?: number;
  host?: string;
  /** Same seed, same instance: users, groups, tokens, attachments and the records of its history. Default 1. */
  seed?: number | string;
  /** Users besides the integration user and the administrator. Default 40. */
  users?: number;
  groups?: number;
  /** Sign-in events (`sysevent`: sign-ins, a few impersonations and privileged-role elevations) per day; `syslog_transaction` gets twice as many, `sys_audit` a quarter. Default 1000. */
  eventsPerDay?: number;
  /** Days of history, ending now. Default 2. */
  days?: number;
  /** The instance's time zone: every time it writes, and every time in a query, is in it. Default UTC. */
  timeZone?: string;
  /** The integration user (basic auth and the OAuth password grant). */
  username?: string;
  password?: string;
  /** The OAuth application registry entry. */
  clientId?: string;
  clientSecret?: string;
  /** Lifetime of an access token from /oauth_token.do. Default 1800 s. */
  tokenTtlSeconds?: number;
  /** A rate limit rule for the integration user: requests per hour (429 beyond). Default none. */
  rateLimitPerHour?: number;
  /** `glide.invalid_query.returns_no_rows`: an invalid encoded query returns no rows instead of ignoring the invalid part. Default false. */
  invalidQueryReturnsNoRows?: boolean;
  /** Keep generating activity as the clock moves on. Default false. */
  live?: boolean;
  log?: Logger;
  clock?: Clock;
}

export interface ResolvedOptions {
  port: number; host: string; seed: string; users: number; groups: number; eventsPerDay: number; days: number; timeZone: string;
  username: string; password: string; clientId: string; clientSecret: string; tokenTtlSeconds: number;
  rateLimitPerHour: number | null; invalidQueryReturnsNoRows: boolean; live: boolean; log: Logger; clock: Clock;
}

export function resolveOptions(options: ServiceNowSimulatorOptions): ResolvedOptions {
  const checks = new OptionChecks('ServiceNow simulator');
  const seed = String(options.seed ?? 1);
  const secret = createPrng(`${seed}:secrets`);
  const timeZone = checks.string('timeZone', options.timeZone, 'UTC');
  try {
    assertTimeZone(timeZone);
  } catch {
    checks.problems.push(`timeZone: ${timeZone} is not an IANA time zone`);
  }
  const resolved: ResolvedOptions = {
    port: checks.number('port', options.port, 0, { integer: true, min: 0, max: 65535 }),
    host: checks.string('host', options.host, '127.0.0.1'),
    seed,
    users: checks.number('users', options.users, 40, { integer: true, min: 2 }),
    groups: checks.number('groups', options.groups, 6, { integer: true, min: 2 }),
    eventsPerDay: checks.number('eventsPerDay', options.eventsPerDay, 1000, { min: 0 }),
    days: checks.number('days', options.days, 2, { min: 0, max: 90 }),
    timeZone,
    username: checks.string('username', options.username, 'appwarden.integration'),
    password: checks.string('password', options.password, `pw-${secret.hex(24)}`),
    clientId: checks.string('clientId', options.clientId, secret.hex(32)),
    clientSecret: checks.string('clientSecret', options.clientSecret, `cs-${secret.hex(24)}`),
    tokenTtlSeconds: checks.number('tokenTtlSeconds', options.tokenTtlSeconds, 1800, { integer: true, min: 1 }),
    rateLimitPerHour: options.rateLimitPerHour === undefined ? null : checks.number('rateLimitPerHour', options.rateLimitPerHour, 1, { integer: true, min: 1 }),
    invalidQueryReturnsNoRows: checks.boolean('invalidQueryReturnsNoRows', options.invalidQueryReturnsNoRows, false),
    live: checks.boolean('live', options.live, false),
    log: options.log ?? silentLogger,
    clock: options.clock ?? systemClock,
  };
  checks.throwIfAny();
  return resolved;
}
